/**
 * DNS-rebinding protection (spec 2025-11-25, basic/transports "Security Warning"): the Host
 * and, when a browser sends one, the Origin must name this deployment. Checked before any
 * session work, so a page on another site cannot drive a local or remote server.
 */
import type { MiddlewareHandler } from "hono";
import { httpError } from "../worker/errors.js";

/**
 * Loopback names for `wrangler dev`, and workers.dev, where Cloudflare routes a request only to
 * the Worker its hostname names. A custom domain is added with the `allowedHosts` option.
 */
export const DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "*.workers.dev"];

export interface OriginGuardOptions {
  /** Hostnames (no port); "*.example.com" allows every subdomain; ["*"] turns the check off. */
  allowedHosts: string[];
  /** Origins (scheme://host[:port]) allowed besides those whose hostname is an allowed host. */
  allowedOrigins: string[];
}

export function originGuard({ allowedHosts, allowedOrigins }: OriginGuardOptions): MiddlewareHandler {
  const hostAllowed = (hostname: string): boolean => allowedHosts.some((pattern) => matchesHost(pattern, hostname));
  const origins = new Set(allowedOrigins);

  return async function checkOrigin(c, next) {
    const host = hostnameOf(c.req.header("host") ?? new URL(c.req.url).host);
    if (host === undefined || !hostAllowed(host)) {
      return httpError(403, `Forbidden: host "${host ?? ""}" is not allowed; add it to the allowedHosts option`);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !origins.has(origin)) {
      const originHost = URL.canParse(origin) ? new URL(origin).hostname : undefined;
      if (originHost === undefined || !hostAllowed(originHost)) {
        return httpError(403, `Forbidden: origin "${origin}" is not allowed; add it to the allowedOrigins option`);
      }
    }
    await next();
  };
}

function matchesHost(pattern: string, hostname: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return hostname.endsWith(pattern.slice(1));
  return hostname === pattern;
}

/** The hostname of a Host header value, brackets kept for IPv6; undefined when it is not one. */
function hostnameOf(host: string): string | undefined {
  return URL.canParse(`http://${host}`) ? new URL(`http://${host}`).hostname : undefined;
}
