// OAuth 2.1 through @cloudflare/workers-oauth-provider, in workerd: discovery, dynamic client
// registration, PKCE, tokens, and the authenticated principal reaching the tools.
import { createExecutionContext, env } from "cloudflare:test";
import { AuthorizationError, type AuthRequest } from "@cloudflare/workers-oauth-provider";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { createDemoServer } from "../../demo/server.js";
import { createMcpHandler } from "../../src/lib.js";
import { OAUTH_ENDPOINTS, oauthGrant, oauthHelpers, withOAuth, type OAuthBindings, type OAuthOptions } from "../../src/oauth.js";
import { callTool, initializeBody, mcpPost, mcpRequest, openSession, request, withBearer, type Endpoint } from "../shared/mcp.js";
import { storedState } from "./helpers.js";

type TestEnv = Cloudflare.Env & OAuthBindings;

const ORIGIN = "http://localhost";
const REDIRECT_URI = "http://localhost:3000/callback";

function oauthEnv(): TestEnv {
  const kv = (env as Partial<OAuthBindings>).OAUTH_KV;
  if (!kv)
    throw new Error(
      'the workers project needs an OAUTH_KV namespace: miniflare: { kvNamespaces: ["OAUTH_KV"] } in vitest.config.ts',
    );
  return { ...env, OAUTH_KV: kv };
}

/** The deployment's sign-in page, reduced to a test double: it approves whoever x-test-user names. */
const autoApprove: OAuthOptions<TestEnv>["authorize"] = {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== OAUTH_ENDPOINTS.authorize) return new Response("Not Found", { status: 404 });
    const oauth = oauthHelpers(env);
    let authRequest: AuthRequest;
    try {
      authRequest = await oauth.parseAuthRequest(request);
    } catch (error) {
      // Back to the client only when the provider validated where "back" is.
      if (error instanceof AuthorizationError && error.redirectTo) return Response.redirect(error.redirectTo, 302);
      return new Response("Bad authorization request", { status: 400 });
    }
    const userId = request.headers.get("x-test-user") ?? "alice";
    const { redirectTo } = await oauth.completeAuthorization({
      request: authRequest,
      userId,
      metadata: {},
      scope: authRequest.scope,
      props: { name: userId },
    });
    return Response.redirect(redirectTo, 302);
  },
};

/** The demo server plus a tool that shows what the host put in extra.authInfo.extra. */
function server() {
  const mcp = createDemoServer();
  mcp.registerTool("auth_extra", { description: "extra.authInfo.extra as JSON" }, (extra): CallToolResult => ({
    content: [{ type: "text", text: JSON.stringify(extra.authInfo?.extra ?? null) }],
  }));
  return mcp;
}

function oauthWorker(options: Partial<OAuthOptions<TestEnv>> = {}) {
  const handler = withOAuth(createMcpHandler<TestEnv>({ server, authenticate: oauthGrant() }), {
    authorize: autoApprove,
    resource: ORIGIN,
    scopes: ["mcp", "offline_access"],
    ...options,
  });
  const testEnv = oauthEnv();
  const fetchAt = async (input: string | URL, init?: RequestInit): Promise<Response> =>
    handler.fetch(new Request(new URL(input, ORIGIN), init) as never, testEnv, createExecutionContext());
  const mcp: Endpoint = {
    url: `${ORIGIN}/mcp`,
    fetch: async (r) => handler.fetch(r as never, testEnv, createExecutionContext()),
  };
  const mcpAs = (token?: string): Endpoint => (token ? withBearer(mcp, token) : mcp);
  return { fetchAt, mcpAs };
}

type Worker = ReturnType<typeof oauthWorker>;

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

async function register({ fetchAt }: Worker): Promise<string> {
  const response = await fetchAt(OAUTH_ENDPOINTS.register, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "raw-test",
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
  });
  expect(response.status).toBe(201);
  const client = await response.json<{ client_id: string; client_secret?: string }>();
  expect(client.client_secret).toBeUndefined();
  return client.client_id;
}

/** /authorize with PKCE as `user`: the authorization code and the verifier that redeems it. */
async function authorize(worker: Worker, clientId: string, user: string, scope = "mcp") {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-1",
    scope,
    resource: ORIGIN,
  });
  const response = await worker.fetchAt(`${OAUTH_ENDPOINTS.authorize}?${query}`, {
    headers: { "x-test-user": user },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  expect(location.searchParams.get("state")).toBe("st-1");
  expect(location.searchParams.get("iss")).toBe(ORIGIN);
  return { code: location.searchParams.get("code")!, verifier };
}

function tokenRequest({ fetchAt }: Worker, form: Record<string, string>): Promise<Response> {
  return fetchAt(OAUTH_ENDPOINTS.token, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

interface Tokens {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
  resource: string;
}

/** The whole browser round trip for `user`: register, authorize with PKCE, redeem the code. */
async function signIn(worker: Worker, user: string, scope = "mcp"): Promise<Tokens & { clientId: string }> {
  const clientId = await register(worker);
  const { code, verifier } = await authorize(worker, clientId, user, scope);
  const response = await tokenRequest(worker, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    client_id: clientId,
    code_verifier: verifier,
    resource: ORIGIN,
  });
  expect(response.status).toBe(200);
  return { ...(await response.json<Tokens>()), clientId };
}

/** What an MCP client keeps between runs, in memory; the "browser" is the test itself. */
class MemoryOAuthClient implements OAuthClientProvider {
  readonly redirectUrl = REDIRECT_URI;
  readonly clientMetadata = {
    client_name: "sdk-test",
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
  authorizationUrl?: URL;
  #client?: OAuthClientInformationMixed;
  #tokens?: OAuthTokens;
  #verifier = "";
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(client: OAuthClientInformationMixed) {
    this.#client = client;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
}

function text(answer: { result?: Record<string, unknown> }): string {
  return (answer.result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

describe("OAuth 2.1 discovery", () => {
  const worker = oauthWorker({ requiredScopes: ["mcp"], resourceName: "durable-mcp test" });

  it("publishes the protected-resource metadata (RFC 9728) with its authorization server", async () => {
    const response = await worker.fetchAt("/.well-known/oauth-protected-resource");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      resource: ORIGIN,
      authorization_servers: [ORIGIN],
      scopes_supported: ["mcp"],
      bearer_methods_supported: ["header"],
      resource_name: "durable-mcp test",
    });
  });

  it("publishes the authorization-server metadata (RFC 8414): endpoints, PKCE S256, registration", async () => {
    const response = await worker.fetchAt("/.well-known/oauth-authorization-server");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/token`,
      registration_endpoint: `${ORIGIN}/register`,
      code_challenge_methods_supported: ["S256"],
      response_types_supported: ["code"],
      scopes_supported: ["mcp", "offline_access"],
    });
  });

  it("answers POST /mcp without a token: 401, WWW-Authenticate with resource_metadata, a JSON-RPC body", async () => {
    const response = await mcpPost(worker.mcpAs(), initializeBody());
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate");
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource"`);
    expect(challenge).toContain('scope="mcp"');
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect(await response.json()).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { message: expect.stringContaining("Unauthorized") },
    });
  });

  it.each(["bogus", "alice:grant:not-a-secret"])(
    "answers 401 invalid_token for the token %j, on POST, GET and DELETE",
    async (token) => {
      for (const response of [
        await mcpPost(worker.mcpAs(token), initializeBody()),
        await mcpRequest(worker.mcpAs(token), "GET", { sessionId: crypto.randomUUID(), accept: "text/event-stream" }),
        await mcpRequest(worker.mcpAs(token), "DELETE", { sessionId: crypto.randomUUID() }),
      ]) {
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
        expect(response.headers.get("www-authenticate")).toContain("resource_metadata=");
        expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining("not valid") } });
      }
    },
  );

  it("puts the metadata of a resource with a path at the path-inserted well-known URL", async () => {
    const pathWorker = oauthWorker({ resource: `${ORIGIN}/mcp` });
    const metadata = await pathWorker.fetchAt("/.well-known/oauth-protected-resource/mcp");
    expect(await metadata.json()).toMatchObject({ resource: `${ORIGIN}/mcp`, authorization_servers: [ORIGIN] });
    const challenge = (await mcpPost(pathWorker.mcpAs(), initializeBody())).headers.get("www-authenticate");
    expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
  });
});

describe("OAuth 2.1 sign-in", () => {
  const worker = oauthWorker({ provider: { accessTokenTTL: 600 } });

  it("takes a registered client through PKCE to a token that opens an MCP session as the user", async () => {
    const tokens = await signIn(worker, "alice");
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "mcp", resource: ORIGIN, expires_in: 600 });

    const alice = worker.mcpAs(tokens.access_token);
    const sessionId = await openSession(alice);
    expect(text(await callTool(alice, sessionId, "whoami"))).toBe("oauth:alice");
    expect(JSON.parse(text(await callTool(alice, sessionId, "auth_extra")))).toEqual({
      principal: "oauth:alice",
      userId: "alice",
      props: { name: "alice" },
    });
    const stored = await storedState(sessionId);
    expect(stored.record?.principal).toBe("oauth:alice");
    expect(JSON.stringify(stored)).not.toContain(tokens.access_token);
  });

  it("lets the SDK's client find its way from the 401 to a token: discovery, registration, PKCE", async () => {
    const oauthClient = new MemoryOAuthClient();
    const url = new URL(`${ORIGIN}/mcp`);
    const transport = () => new StreamableHTTPClientTransport(url, { authProvider: oauthClient, fetch: worker.fetchAt });
    await expect(new Client({ name: "sdk-test", version: "0" }).connect(transport())).rejects.toThrow(UnauthorizedError);
    expect(oauthClient.authorizationUrl?.searchParams.get("resource")).toBe(ORIGIN);
    expect(oauthClient.authorizationUrl?.searchParams.get("code_challenge_method")).toBe("S256");

    // The browser: the user signs in, the sign-in page redirects back to the client with a code.
    const signedIn = await worker.fetchAt(oauthClient.authorizationUrl!, {
      headers: { "x-test-user": "alice" },
      redirect: "manual",
    });
    const code = new URL(signedIn.headers.get("location")!).searchParams.get("code")!;

    const authorized = transport();
    await authorized.finishAuth(code);
    const client = new Client({ name: "sdk-test", version: "0" });
    await client.connect(authorized);
    const answer = await client.callTool({ name: "auth_extra" });
    expect(
      JSON.parse((answer as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("")),
    ).toMatchObject({
      principal: "oauth:alice",
    });
    await client.close();
  });

  it("binds the session to the user: bob, signed in through his own client, gets 404 on alice's session", async () => {
    const alice = worker.mcpAs((await signIn(worker, "alice")).access_token);
    const bob = worker.mcpAs((await signIn(worker, "bob")).access_token);
    const sessionId = await openSession(alice);

    expect((await mcpPost(bob, request(2, "tools/list"), { sessionId })).status).toBe(404);
    expect((await mcpRequest(bob, "GET", { sessionId, accept: "text/event-stream" })).status).toBe(404);
    expect((await mcpRequest(bob, "DELETE", { sessionId })).status).toBe(404);
    expect((await mcpPost(alice, request(3, "tools/list"), { sessionId })).status).toBe(200);
  });

  it("keeps the DNS-rebinding guard: a valid token from a foreign page's Origin still gets 403", async () => {
    const alice = worker.mcpAs((await signIn(worker, "alice")).access_token);
    const response = await mcpPost(alice, initializeBody(), { headers: { origin: "http://evil.example.com" } });
    expect(response.status).toBe(403);
    expect(response.headers.get("mcp-session-id")).toBeNull();
  });

  it("keeps alice's session for her next client: the principal is the user, not the client", async () => {
    const first = worker.mcpAs((await signIn(worker, "alice")).access_token);
    const second = worker.mcpAs((await signIn(worker, "alice")).access_token);
    const sessionId = await openSession(first);
    expect((await mcpPost(second, request(2, "tools/list"), { sessionId })).status).toBe(200);
  });

  it("refuses a wrong PKCE verifier; a replayed code revokes what the code gave", async () => {
    const clientId = await register(worker);
    const { code, verifier } = await authorize(worker, clientId, "alice");
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, resource: ORIGIN };
    const wrong = await tokenRequest(worker, { ...form, code_verifier: `${verifier.slice(1)}x` });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: "invalid_grant" });

    const right = await tokenRequest(worker, { ...form, code_verifier: verifier });
    expect(right.status).toBe(200);
    const { access_token } = await right.json<Tokens>();
    expect((await mcpPost(worker.mcpAs(access_token), initializeBody())).status).toBe(200);

    const replayed = await tokenRequest(worker, { ...form, code_verifier: verifier });
    expect(replayed.status).toBe(400);
    expect((await mcpPost(worker.mcpAs(access_token), initializeBody())).status).toBe(401);
  });

  it("refuses /authorize without PKCE, before the sign-in page decides anything", async () => {
    const clientId = await register(worker);
    const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, state: "s" });
    const response = await worker.fetchAt(`${OAUTH_ENDPOINTS.authorize}?${query}`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("refreshes: the new access token works and names the same principal", async () => {
    const tokens = await signIn(worker, "alice", "mcp offline_access");
    expect(tokens.refresh_token).toBeDefined();
    const response = await tokenRequest(worker, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      client_id: tokens.clientId,
    });
    expect(response.status).toBe(200);
    const refreshed = await response.json<Tokens>();
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const sessionId = await openSession(worker.mcpAs(tokens.access_token));
    expect((await mcpPost(worker.mcpAs(refreshed.access_token), request(2, "tools/list"), { sessionId })).status).toBe(200);
  });

  it("enforces requiredScopes: a token without them gets 403 insufficient_scope", async () => {
    const strict = oauthWorker({ requiredScopes: ["mcp:write"] });
    const tokens = await signIn(strict, "alice", "mcp");
    const response = await mcpPost(strict.mcpAs(tokens.access_token), initializeBody());
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/error="insufficient_scope".*scope="mcp:write"/);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { message: expect.stringContaining("mcp:write") } });
  });

  it("says what is missing when OAUTH_KV is not bound", async () => {
    const handler = withOAuth(createMcpHandler<TestEnv>({ server, authenticate: oauthGrant() }), {
      authorize: autoApprove,
      resource: ORIGIN,
    });
    const unbound: Partial<TestEnv> = { ...oauthEnv() };
    delete unbound.OAUTH_KV;
    const response = await handler.fetch(
      new Request(`${ORIGIN}/mcp`, { method: "POST" }) as never,
      unbound as TestEnv,
      createExecutionContext(),
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining("OAUTH_KV") } });
  });
});
