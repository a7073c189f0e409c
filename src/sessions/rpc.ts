/**
 * Reaching a session's Durable Object from the Worker: one object per session id.
 */
import type { SessionDO } from "./object/session-do.js";
import { isSessionId } from "../wire/session-id.js";
import { sessionIdRequired, sessionNotFound } from "../wire/errors.js";

export type SessionStub = DurableObjectStub<SessionDO>;

/** A deployment without the binding is misconfigured; this says how to fix it. */
export class MissingBindingError extends Error {
  constructor(binding: string) {
    super(
      `No Durable Object binding named "${binding}": add [[durable_objects.bindings]] name = "${binding}", class_name = "SessionDO" to wrangler.toml`,
    );
  }
}

export function sessionStub(env: object, binding: string, sessionId: string): SessionStub {
  const namespace = (env as Record<string, DurableObjectNamespace<SessionDO> | undefined>)[binding];
  if (!namespace) throw new MissingBindingError(binding);
  return namespace.get(namespace.idFromName(sessionId));
}

/** The session id a request names, or the rejection: 400 when absent, 404 when it cannot be one of ours. */
export function requestedSessionId(request: Request): string | Response {
  const id = request.headers.get("mcp-session-id");
  if (id === null) return sessionIdRequired();
  return isSessionId(id) ? id : sessionNotFound();
}
