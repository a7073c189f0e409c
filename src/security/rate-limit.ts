/**
 * Rate limits through Cloudflare's Workers rate limiting binding (wrangler.toml
 * `[[ratelimits]] name, namespace_id, simple = { limit, period }`; `wrangler dev` and the
 * vitest integration simulate it locally). The binding keeps the counts, at the edge location
 * that serves the request; the Worker only names the key. A limit whose binding the Worker
 * does not have is off.
 */
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";
import { HTTP_REJECTION_CODE, jsonRpcError } from "../wire/errors.js";

export interface RateLimitSpec {
  /** The `[[ratelimits]]` binding's name. */
  binding: string;
  /** Its `simple.period` (the platform allows 10 or 60): the answer's Retry-After. */
  periodSeconds: 10 | 60;
}

/**
 * The 429 that refuses a request over `spec`'s limit for `key`, with `Retry-After` and a
 * JSON-RPC error naming `what` was counted; undefined when the request may go on.
 */
export async function rateLimited(
  env: object,
  spec: RateLimitSpec | false,
  key: string,
  what: string,
  id: RequestId,
): Promise<Response | undefined> {
  const limiter = spec && (env as Record<string, RateLimit | undefined>)[spec.binding];
  if (!spec || !limiter) return undefined;
  const { success } = await limiter.limit({ key });
  if (success) return undefined;
  const seconds = spec.periodSeconds;
  return jsonRpcError(
    429,
    HTTP_REJECTION_CODE,
    `Too Many Requests: ${what} started more sessions than this server allows within ${seconds} s; retry after ${seconds} s`,
    { id, headers: { "Retry-After": String(seconds) } },
  );
}
