/**
 * OAuth 2.1 for the MCP endpoint, through Cloudflare's `@cloudflare/workers-oauth-provider`.
 *
 * `withOAuth(handler, options)` puts the provider in front of the library handler: it is the
 * authorization server (RFC 8414 metadata, token and revocation endpoint, dynamic client
 * registration, PKCE S256 only) and guards the MCP path as a protected resource (RFC 9728
 * metadata; 401 with `WWW-Authenticate: Bearer resource_metadata="…"`, as the MCP authorization
 * spec asks). The sign-in and consent UI is the deployment's own `authorize` handler. Grants,
 * clients and tokens live in the KV namespace `OAUTH_KV` (secrets only as hashes).
 *
 * `oauthGrant()` is the Authenticator that goes with it: the provider has already checked the
 * token (existence, expiry, audience; withOAuth adds `requiredScopes`) and put what it verified
 * on `ctx.auth` and the grant's props on `ctx.props`; the principal is `oauth:<userId>`, so a
 * session belongs to the user whichever client they use.
 *
 * Why this shape: the provider needs the resource's canonical URL when it is constructed (every
 * token is bound to it), so `resource` is an option rather than taken from each request's Host.
 * The provider answers a missing or bad token itself, with an empty or OAuth-style body; on the
 * MCP path those 401s are rewritten into this library's JSON-RPC error bodies, headers kept.
 */
import {
  OAuthProvider,
  insufficientScope,
  type OAuthHelpers,
  type OAuthProviderOptions,
  type OAuthResourceAuth,
} from "@cloudflare/workers-oauth-provider";
import { DEFAULT_MCP_PATH, type McpHandler } from "../wire/endpoint.js";
import { httpError } from "../wire/errors.js";
import type { Authenticator } from "./auth.js";

/** The bindings OAuth needs: a KV namespace for clients, grants and tokens. */
export interface OAuthBindings {
  OAUTH_KV: KVNamespace;
}

/** Provider options withOAuth sets itself (routes, metadata, scopes) and so does not take. */
type OwnedProviderOptions =
  | "apiRoute"
  | "apiHandler"
  | "apiHandlers"
  | "defaultHandler"
  | "authorizeEndpoint"
  | "tokenEndpoint"
  | "clientRegistrationEndpoint"
  | "resourceMetadata"
  | "requiredScopes"
  | "scopesSupported"
  // Tokens it accepts carry no user id, so they would have no principal.
  | "resolveExternalToken";

export interface OAuthOptions<E> {
  /**
   * The deployment's sign-in and consent UI, at `/authorize`: it receives every request that is
   * neither MCP nor an OAuth endpoint. It calls `oauthHelpers(env).parseAuthRequest(request)`,
   * signs the user in, then `completeAuthorization({ request, userId, scope, props, metadata })`
   * and redirects to its `redirectTo`.
   */
  authorize: { fetch: ExportedHandlerFetchHandler<E> };
  /**
   * The canonical URL clients reach the MCP server at, and the audience of every token:
   * `https://mcp.example.com` (metadata at `/.well-known/oauth-protected-resource`) or
   * `https://mcp.example.com/mcp` (at `/.well-known/oauth-protected-resource/mcp`). Lowercase,
   * https (http only on a loopback host, for `wrangler dev`).
   */
  resource: string;
  /** The MCP endpoint: the `path` given to createMcpHandler. Default "/mcp". */
  path?: string;
  /** Everything the authorization server can grant (its metadata's `scopes_supported`). Default: none advertised. */
  scopes?: string[];
  /**
   * Scopes any access needs: published in the resource metadata and the 401 challenge so clients
   * ask for them first, and enforced: a token without all of them gets 403 `insufficient_scope`.
   * Default none. (Finer rules, such as a scope that implies another, belong in the tools:
   * `extra.authInfo.scopes`.)
   */
  requiredScopes?: string[];
  /** Dynamic client registration (RFC 7591) at `/register`, which MCP clients rely on. Default true. */
  registration?: boolean;
  /** A human-readable name in the resource metadata. */
  resourceName?: string;
  /**
   * Any other provider option: token lifetimes, `clientIdMetadataDocumentEnabled`, … `onError`
   * defaults to one JSON log line per OAuth error (status, code, the provider's reason).
   */
  provider?: Omit<OAuthProviderOptions<E>, OwnedProviderOptions>;
}

export const OAUTH_ENDPOINTS = { authorize: "/authorize", token: "/token", register: "/register" } as const;

/** Wraps the library handler so that the MCP path needs an OAuth access token. */
export function withOAuth<E extends OAuthBindings>(handler: McpHandler<E>, options: OAuthOptions<E>): McpHandler<E> {
  const mcpFetch = handler.fetch;
  const path = options.path ?? DEFAULT_MCP_PATH;
  const required = options.requiredScopes ?? [];
  const invalid = required.find((scope) => !SCOPE_TOKEN.test(scope));
  if (invalid !== undefined) throw new TypeError(`withOAuth: ${JSON.stringify(invalid)} is not an OAuth scope token`);
  // The contexts of requests the provider let through to the MCP handler: any other 401 on the
  // MCP path is the provider's own challenge.
  const admitted = new WeakSet<object>();
  const provider = new OAuthProvider<E>({
    onError: logOAuthError,
    ...options.provider,
    apiRoute: path,
    apiHandler: {
      fetch(request, env, ctx) {
        admitted.add(ctx);
        const auth = verifiedToken(ctx);
        if (auth && !required.every((scope) => auth.scope.includes(scope))) return insufficient(auth, required);
        return mcpFetch(request, env, ctx);
      },
    },
    defaultHandler: options.authorize,
    authorizeEndpoint: OAUTH_ENDPOINTS.authorize,
    tokenEndpoint: OAUTH_ENDPOINTS.token,
    ...(options.registration !== false && { clientRegistrationEndpoint: OAUTH_ENDPOINTS.register }),
    ...(options.scopes && { scopesSupported: options.scopes }),
    ...(options.requiredScopes && { requiredScopes: options.requiredScopes }),
    resourceMetadata: {
      resource: options.resource,
      ...(options.resourceName && { resource_name: options.resourceName }),
    },
  });

  return {
    ...handler,
    async fetch(request, env, ctx) {
      if (!(env as Partial<OAuthBindings>).OAUTH_KV) {
        return httpError(500, "OAuth is misconfigured: bind a KV namespace as OAUTH_KV (kv_namespaces in wrangler.toml)");
      }
      const response = await provider.fetch(request, env, ctx);
      if (response.status !== 401 || admitted.has(ctx) || !onPath(request, path)) return response;
      return challenge(request, response);
    },
  };
}

/**
 * The principal of a request withOAuth admitted: `oauth:<userId>`. Tools get AuthInfo with the
 * token, the OAuth client's id as `clientId`, its scopes and expiry, the resource, and in
 * `extra` the principal, the user id and the props `completeAuthorization` stored.
 */
export function oauthGrant<E>(): Authenticator<E> {
  return async function authenticateOAuth(_request, _env, ctx) {
    const auth = verifiedToken(ctx);
    if (!auth?.userId || !auth.clientId) {
      return httpError(500, "OAuth is misconfigured: oauthGrant() needs the handler wrapped in withOAuth()");
    }
    const id = `oauth:${auth.userId}`;
    return {
      id,
      authInfo: {
        token: auth.token,
        clientId: auth.clientId,
        scopes: auth.scope,
        ...(auth.expiresAt !== undefined && { expiresAt: auth.expiresAt }),
        resource: new URL(auth.audience),
        extra: { principal: id, userId: auth.userId, props: ctx.props },
      },
    };
  };
}

/** The provider's helpers (parseAuthRequest, completeAuthorization, …) in the authorize handler. */
export function oauthHelpers(env: object): OAuthHelpers {
  const helpers = (env as { OAUTH_PROVIDER?: OAuthHelpers }).OAUTH_PROVIDER;
  if (!helpers) throw new Error("env.OAUTH_PROVIDER is set only in handlers that withOAuth() calls");
  return helpers;
}

function verifiedToken(ctx: { props: unknown }): OAuthResourceAuth | undefined {
  const auth: unknown = (ctx as { auth?: unknown }).auth;
  if (typeof auth !== "object" || auth === null) return undefined;
  const { token, audience, scope } = auth as Partial<OAuthResourceAuth>;
  const valid = typeof token === "string" && typeof audience === "string" && Array.isArray(scope);
  return valid ? (auth as OAuthResourceAuth) : undefined;
}

/** RFC 6749 §3.3 scope-token: printable ASCII except space, double quote and backslash. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** 403 with the provider's `insufficient_scope` challenge (scope and resource_metadata), JSON-RPC body. */
function insufficient(auth: OAuthResourceAuth, required: string[]): Response {
  const challenge = insufficientScope(auth, required).headers.get("WWW-Authenticate") ?? "Bearer";
  return httpError(403, `Forbidden: the access token lacks the scopes ${required.join(" ")}; authorize again with them`, {
    "WWW-Authenticate": challenge,
    "Cache-Control": "no-store",
  });
}

function logOAuthError({
  status,
  code,
  internal,
}: {
  status: number;
  code: string;
  internal: { category: string; reason: string };
}): void {
  console.warn(
    JSON.stringify({ level: "warn", event: "oauth_error", status, code, category: internal.category, reason: internal.reason }),
  );
}

function onPath(request: Request, path: string): boolean {
  const { pathname } = new URL(request.url);
  return pathname === path || pathname.startsWith(`${path}/`);
}

/** The provider's 401, headers kept (WWW-Authenticate, CORS, no-store), with a JSON-RPC body. */
function challenge(request: Request, response: Response): Response {
  const headers = new Headers(response.headers);
  headers.delete("Content-Type");
  headers.delete("Content-Length");
  const message = request.headers.has("Authorization")
    ? "Unauthorized: the access token is not valid for this server or has expired; refresh it or authorize again"
    : "Unauthorized: send Authorization: Bearer <access token>; WWW-Authenticate names the metadata that tells how to get one";
  return httpError(401, message, headers);
}
