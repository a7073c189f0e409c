/**
 * CORS for the MCP endpoint, so that browser clients of both eras get past the preflight:
 * hono's middleware with the request headers MCP uses (spec 2025-11-25 and 2026-07-28,
 * basic/transports), plus the `Mcp-Param-*` headers a 2026 tool may declare (`x-mcp-header`),
 * which no fixed list can name. It answers only origins the origin policy allows. A request
 * without an Origin is not a browser's cross-origin one and gets no CORS headers: hono's
 * middleware would still write two, and each write made Hono copy the handler's Response.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { originAllowed, requestHost, type OriginPolicy } from "../security/origin.js";

const ALLOWED_HEADERS = [
  "Content-Type",
  "Accept",
  "Authorization",
  "Mcp-Session-Id",
  "MCP-Protocol-Version",
  "Last-Event-ID",
  "Mcp-Method",
  "Mcp-Name",
];

/** An `Mcp-Param-{name}` header: the name is an RFC 9110 token. */
const PARAM_HEADER = /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/i;

export function mcpCors(policy: OriginPolicy): MiddlewareHandler {
  const base = cors({
    origin: (origin, c) => (originAllowed(policy, origin, requestHost(c.req.raw)) ? origin : null),
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: ["Mcp-Session-Id"],
  });
  return async function mcpCorsHeaders(c, next) {
    if (c.req.header("origin") === undefined && c.req.method !== "OPTIONS") return next();
    // hono answers a preflight itself, with a Response of its own; other requests go on.
    const preflight = await base(c, next);
    if (!(preflight instanceof Response)) return;
    const requested = c.req.header("access-control-request-headers") ?? "";
    const params = requested
      .split(",")
      .map((name) => name.trim())
      .filter((name) => PARAM_HEADER.test(name));
    const allowed = preflight.headers.get("access-control-allow-headers");
    if (params.length === 0 || !allowed) return preflight;
    const widened = [allowed, ...params].join(",");
    // Hono copies the context's own headers onto a returned response: both must say it.
    preflight.headers.set("access-control-allow-headers", widened);
    c.res.headers.set("access-control-allow-headers", widened);
    return preflight;
  };
}
