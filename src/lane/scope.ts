/**
 * What the edge hands a lane with each request it routes there: the request, who sent it, and
 * the platform's hooks. A lane imports this, never the edge itself.
 */
import type { Principal } from "../security/auth.js";
import type { ChangeFeed } from "./changes.js";

/** What a lane adds to its request's log line (src/edge/request-log.ts). */
export interface RequestNotes {
  rpc?: string[];
  sessionId?: string;
}

export interface RequestScope<E> {
  request: Request;
  env: E;
  principal: Principal;
  /** What this request adds to its log line. */
  notes: RequestNotes;
  waitUntil(promise: Promise<unknown>): void;
  /** Where the changes a handler sends go; absent when the deployment has no listener hubs. */
  changes?: ChangeFeed;
}
