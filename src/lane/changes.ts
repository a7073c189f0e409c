/**
 * Change notifications: the four kinds a 2026-07-28 listen stream filters (three list changes and
 * resource updates). They concern every client of a scope, not only the request that caused them,
 * so both lanes hand the ones their handlers send to the request's ChangeFeed (src/listen/) rather
 * than to their own client. A lane imports this contract, never the feed.
 */
import type { JSONRPCMessage, JSONRPCNotification } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../security/auth.js";

const CHANGE_METHODS = [
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/resources/list_changed",
  "notifications/resources/updated",
] as const;

export type ChangeNotification = JSONRPCNotification & { method: (typeof CHANGE_METHODS)[number] };

export function isChange(message: JSONRPCMessage): message is ChangeNotification {
  return "method" in message && !("id" in message) && (CHANGE_METHODS as readonly string[]).includes(message.method);
}

/**
 * Who hears a change a handler made: every listener of the handler's principal (the default), or
 * of the whole deployment. Either way on both eras: 2025 sessions and 2026-07-28 listen streams.
 */
export type ChangeScope = "principal" | "deployment";

export interface ChangeFeed {
  /** Delivers changes a handler sent while serving `principal`, to the listeners of the feed's scope. */
  publish(changes: JSONRPCNotification[], principal: Principal): Promise<void>;
  /** A 2025 session was created: from now on it hears the changes of its scope. */
  sessionStarted(sessionId: string, principal: Principal): Promise<void>;
  /** A 2025 session was deleted: it hears nothing more. */
  sessionEnded(sessionId: string, principal: Principal): Promise<void>;
}
