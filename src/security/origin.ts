/**
 * DNS-rebinding protection (spec 2025-11-25, basic/transports "Security Warning"): the Host
 * must name this deployment and a browser's Origin must be this deployment's own, a listed
 * one, or (on a local server) another local page. Checked before any session work, so a page
 * on another site cannot drive a local or remote server; CORS allows exactly the same origins.
 */
import type { MiddlewareHandler } from "hono";
import { httpError } from "../wire/errors.js";

/**
 * Loopback names for `wrangler dev`, and workers.dev, where Cloudflare routes a request only to
 * the Worker its hostname names. A custom domain is added with the `allowedHosts` option.
 */
export const DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "*.workers.dev"];

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export interface OriginPolicy {
  /** Hostnames (no port); "*.example.com" allows every subdomain; ["*"] turns the check off. */
  allowedHosts: string[];
  /** Browser origins (scheme://host[:port]) allowed besides the deployment's own. */
  allowedOrigins: string[];
}

export function originGuard(policy: OriginPolicy): MiddlewareHandler {
  return async function checkOrigin(c, next) {
    const host = requestHost(c.req.raw);
    if (!policy.allowedHosts.some((pattern) => matchesHost(pattern, hostnameOf(host)))) {
      return httpError(403, `Forbidden: host "${host}" is not allowed; add it to the allowedHosts option`);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !originAllowed(policy, origin, host)) {
      return httpError(403, `Forbidden: origin "${origin}" is not allowed; add it to the allowedOrigins option`);
    }
    await next();
  };
}

/** Whether a browser page at `origin` may call the endpoint reached as `host`. */
export function originAllowed({ allowedOrigins }: OriginPolicy, origin: string, host: string): boolean {
  if (allowedOrigins.includes(origin)) return true;
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.host === host) return true;
  return LOOPBACK.has(url.hostname) && LOOPBACK.has(hostnameOf(host));
}

/** The Host header, or the URL's host where the runtime gives none. */
export function requestHost(request: Request): string {
  return request.headers.get("host") ?? new URL(request.url).host;
}

function matchesHost(pattern: string, hostname: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return hostname.endsWith(pattern.slice(1));
  return hostname === pattern;
}

/** The hostname of a Host header value, brackets kept for IPv6; "" when it is not one. */
function hostnameOf(host: string): string {
  return URL.canParse(`http://${host}`) ? new URL(`http://${host}`).hostname : "";
}
