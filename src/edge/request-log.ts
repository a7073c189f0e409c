/**
 * A structured JSON log line per request, for Workers Logs (`[observability]` in wrangler.toml):
 * method, path, the JSON-RPC methods, status, duration and a short prefix of the session id.
 * Never the full session id, a token or a body, and nothing the client sent longer than
 * MAX_LOGGED_CHARS: a 1 MB method name made a 1 MB line (issue 20). By default only the notable
 * requests log: each `console.log` is on the request's path (about 1.2 ms of CPU under
 * `wrangler dev`), and Workers Logs records every invocation's URL, status and time anyway.
 */
import type { MiddlewareHandler } from "hono";
import type { RequestNotes } from "../lane/scope.js";
import { sessionIdPrefix } from "../wire/session-id.js";

/**
 * Characters kept of each value from the client (a path, a JSON-RPC method): the spec's
 * method names and a deployment's paths fit with room to spare, and a line stays small even
 * for a batch of 100 (MAX_BATCH_LENGTH).
 */
export const MAX_LOGGED_CHARS = 100;

/** `true`: every request; `"notable"`: those that start or end a session, or fail (status 400 or more); `false`: none. */
export type RequestLogMode = boolean | "notable";

/** The handlers get their notes whatever the mode. */
export function requestLog(mode: RequestLogMode): MiddlewareHandler<{ Variables: { notes: RequestNotes } }> {
  return async function logRequest(c, next) {
    const started = Date.now();
    const notes: RequestNotes = {};
    c.set("notes", notes);
    await next();
    if (mode === false) return;
    if (mode === "notable" && !notable(c.req.method, c.res.status, notes)) return;
    const sessionId = notes.sessionId ?? c.req.header("mcp-session-id");
    console.log(
      JSON.stringify({
        method: clip(c.req.method),
        path: clip(c.req.path),
        rpc: notes.rpc?.map(clip),
        status: c.res.status,
        ms: Date.now() - started,
        session: sessionId && sessionIdPrefix(sessionId),
      }),
    );
  };
}

function notable(method: string, status: number, notes: RequestNotes): boolean {
  return status >= 400 || method === "DELETE" || notes.rpc?.includes("initialize") === true;
}

/** A value cut to MAX_LOGGED_CHARS, its length kept so the line still says how long it was. */
function clip(value: string): string {
  return value.length <= MAX_LOGGED_CHARS ? value : `${value.slice(0, MAX_LOGGED_CHARS)}… (${value.length} chars)`;
}
