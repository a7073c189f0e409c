/**
 * One structured JSON log line per request, for Workers Logs (`[observability]` in
 * wrangler.toml): method, path, the JSON-RPC methods, status, duration and a short prefix of
 * the session id. Never the full session id, a token or a body.
 */
import type { MiddlewareHandler } from "hono";
import type { RequestNotes } from "../lane/scope.js";
import { sessionIdPrefix } from "../wire/session-id.js";

/** `enabled` false: the handlers still get their notes, and nothing is logged. */
export function requestLog(enabled: boolean): MiddlewareHandler<{ Variables: { notes: RequestNotes } }> {
  return async function logRequest(c, next) {
    const started = Date.now();
    const notes: RequestNotes = {};
    c.set("notes", notes);
    await next();
    if (!enabled) return;
    const sessionId = notes.sessionId ?? c.req.header("mcp-session-id");
    console.log(
      JSON.stringify({
        method: c.req.method,
        path: c.req.path,
        rpc: notes.rpc,
        status: c.res.status,
        ms: Date.now() - started,
        session: sessionId && sessionIdPrefix(sessionId),
      }),
    );
  };
}
