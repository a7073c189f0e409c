/**
 * Who a request comes from. An `Authenticator` turns a request into a principal (and the
 * SDK's AuthInfo, which tools receive in `extra.authInfo`) or answers 401 itself. A session
 * is bound to the principal that created it (see SessionDO).
 */
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { httpError } from "../wire/errors.js";

export interface Principal {
  /** Stable and free of secrets: it is stored in the session record. */
  id: string;
  authInfo?: AuthInfo;
  /**
   * One principal for many people (the anonymous principal of an unauthenticated deployment):
   * per-principal limits would let one of them lock out the others, so they do not apply, and its
   * listeners are spread over every hub rather than kept on one (src/listen/shards.ts).
   */
  shared?: boolean;
}

/** `ctx.props` carries what a wrapping handler (such as an OAuth provider) established. */
export type Authenticator<E> = (request: Request, env: E, ctx: { props: unknown }) => Promise<Principal | Response>;

/** The principal of every request when nobody authenticates: all clients share it. */
export const ANONYMOUS_PRINCIPAL_ID = "anonymous";

/** No authentication (the local demo): every request is the same principal. */
export const anonymous = async (): Promise<Principal> => ({ id: ANONYMOUS_PRINCIPAL_ID, shared: true });

/**
 * Static bearer tokens from a Worker secret (`wrangler secret put NAME`), comma-separated so
 * tokens can be rotated. The principal is a hash of the token, never the token itself.
 */
export function bearerTokens<E>({ secret }: { secret: string }): Authenticator<E> {
  return async function authenticateBearer(request, env) {
    const configured = (env as Record<string, unknown>)[secret];
    if (typeof configured !== "string" || configured.trim() === "") {
      return httpError(500, `Authentication is misconfigured: the secret ${secret} is not set`);
    }
    const token = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]?.trim();
    if (!token) return unauthorized("Unauthorized: send Authorization: Bearer <token>");
    const tokens = configured
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const matches = await Promise.all(tokens.map((candidate) => sameSecret(candidate, token)));
    if (!matches.includes(true)) return unauthorized("Unauthorized: the bearer token is not valid", "invalid_token");
    const id = `bearer:${await digest(token)}`;
    return { id, authInfo: { token, clientId: id, scopes: [] } };
  };
}

export function unauthorized(message: string, error?: string): Response {
  const challenge = error ? `Bearer error="${error}"` : "Bearer";
  return httpError(401, message, { "WWW-Authenticate": challenge });
}

/** Compares digests in constant time, so the comparison leaks neither content nor length. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([rawDigest(a), rawDigest(b)]);
  return crypto.subtle.timingSafeEqual(left, right);
}

async function rawDigest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
}

async function digest(value: string): Promise<string> {
  const bytes = new Uint8Array(await rawDigest(value));
  return Array.from(bytes.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
