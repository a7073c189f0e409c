/**
 * Whether `initialize` may create a session: the limits a public endpoint needs, since every
 * session stores its record and log for up to an idle timeout (1,000 unauthenticated
 * initialize calls in 8 s stored 84 MB for 2 h, issue 20). In order, cheapest first: the
 * creation rate per client address, the creation rate per principal (Workers rate limiting,
 * src/security/rate-limit.ts), then the live sessions per principal (SessionQuotaDO). The
 * anonymous principal is every client at once: its rate and its cap count per client address.
 */
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";
import { ANONYMOUS_PRINCIPAL_ID, type Principal } from "../../security/auth.js";
import { clientAddressKey } from "../../security/client-address.js";
import { rateLimited, type RateLimitSpec } from "../../security/rate-limit.js";
import { HTTP_REJECTION_CODE, jsonRpcError } from "../../wire/errors.js";
import { DEFAULT_QUOTA_BINDING, LEASE_GRACE_MS, quotaStub, type QuotaSlot } from "../quota/quota.js";

export interface SessionLimits {
  /** Live sessions one principal may hold (the anonymous principal: one client address); 0: no cap. */
  maxSessionsPerPrincipal: number;
  /** The SessionQuotaDO binding that counts live sessions; without it, there is no cap. */
  quotaBinding: string;
  /** Session creations per client address (`CF-Connecting-IP`, an IPv6 client by its /64); false: none. */
  creationRatePerAddress: RateLimitSpec | false;
  /** Session creations per authenticated principal; false: none. */
  creationRatePerPrincipal: RateLimitSpec | false;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  // Many clients and restarts of one user within an idle timeout, not a thousand.
  maxSessionsPerPrincipal: 100,
  quotaBinding: DEFAULT_QUOTA_BINDING,
  creationRatePerAddress: { binding: "MCP_SESSION_RATE_ADDRESS", periodSeconds: 60 },
  creationRatePerPrincipal: { binding: "MCP_SESSION_RATE_PRINCIPAL", periodSeconds: 60 },
};

/**
 * The slot the new session holds (undefined when nothing counts it), or the 429 that refuses
 * it. `expiresAt`: when the session would expire if nobody used it.
 */
export async function admitSession(
  request: Request,
  env: object,
  principal: Principal,
  limits: SessionLimits,
  jurisdiction: DurableObjectJurisdiction | undefined,
  session: { id: string; expiresAt: number },
  initializeId: RequestId,
): Promise<QuotaSlot | undefined | Response> {
  const address = clientAddressKey(request);
  const anonymous = principal.id === ANONYMOUS_PRINCIPAL_ID;
  const refused =
    (address &&
      (await rateLimited(env, limits.creationRatePerAddress, `address:${address}`, "this client address", initializeId))) ||
    (!anonymous &&
      (await rateLimited(env, limits.creationRatePerPrincipal, `principal:${principal.id}`, "this principal", initializeId)));
  if (refused) return refused;

  const key = anonymous ? address && `address:${address}` : `principal:${principal.id}`;
  if (!key || limits.maxSessionsPerPrincipal <= 0) return undefined;
  const slot = { binding: limits.quotaBinding, key, jurisdiction };
  const quota = quotaStub(env, slot);
  if (!quota) return undefined;
  const claim = await quota.claim(session.id, limits.maxSessionsPerPrincipal, session.expiresAt + LEASE_GRACE_MS);
  if (claim.claimed) return slot;
  const seconds = Math.max(1, Math.ceil(claim.retryAfterMs / 1000));
  const holder = anonymous ? "client address" : "principal";
  return jsonRpcError(
    429,
    HTTP_REJECTION_CODE,
    `Too Many Requests: at most ${limits.maxSessionsPerPrincipal} live sessions per ${holder}; end one with DELETE, or retry after ${seconds} s, when the oldest expires`,
    { id: initializeId, headers: { "Retry-After": String(seconds) } },
  );
}
