/**
 * Which session a request names, and the answers for one that does not exist. Unknown, expired,
 * deleted and foreign sessions all answer alike, so that a session id reveals nothing.
 */
import { httpError, jsonRpcError } from "../../wire/errors.js";
import { isSessionId } from "../../wire/session-id.js";

/** The SDK's own transport answers an unknown session with this code (webStandardStreamableHttp.ts). */
export const SESSION_NOT_FOUND_CODE = -32001;

/** The client re-initializes when it gets this. */
export function sessionNotFound(): Response {
  return jsonRpcError(
    404,
    SESSION_NOT_FOUND_CODE,
    "Session not found: it expired or was deleted; send initialize to start a new one",
  );
}

export function sessionIdRequired(): Response {
  return httpError(400, "Bad Request: Mcp-Session-Id header is required (send initialize first to get one)");
}

/** The session id a request names, or the rejection: 400 when absent, 404 when it cannot be one of ours. */
export function requestedSessionId(request: Request): string | Response {
  const id = request.headers.get("mcp-session-id");
  if (id === null) return sessionIdRequired();
  return isSessionId(id) ? id : sessionNotFound();
}
