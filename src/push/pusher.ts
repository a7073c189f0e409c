/**
 * Push from outside a request: a cron trigger, a queue consumer or a webhook route sends a
 * notification or a server→client request to one session, or a change (list changed, resource
 * updated) to every listener of the deployment or of one principal, on both eras: 2025 sessions
 * on their standalone stream (kept in their event log while none is open) and 2026-07-28 listen
 * streams whose filter asks for it.
 */
import type { Notification, Request as McpRequest } from "@modelcontextprotocol/sdk/types.js";
import { deliverChange, type Audience } from "../listen/feed.js";
import { DEFAULT_LISTEN_BINDING, DEFAULT_LISTEN_SHARDS, shardsFor } from "../listen/shards.js";
import { DEFAULT_SESSION_BINDING, sessionStub, type ClientAnswer, type SessionStats } from "../sessions/rpc.js";
import { DEFAULT_TOPICS_BINDING } from "../sessions/topics/topics.js";
import { DEFAULT_SERVER_REQUEST_TIMEOUT_MS } from "../sessions/worker/options.js";

export interface PusherOptions {
  /** The SessionDO binding. Default "MCP_SESSION". */
  binding?: string;
  /** The TopicDO binding, for `resourceUpdated` to 2025 sessions. Default "MCP_TOPICS". */
  topicsBinding?: string;
  /** The ListenHubDO binding. Default "MCP_LISTENERS". */
  listenBinding?: string;
  /** As createMcpHandler's `listenShards`. Default 8. */
  listenShards?: number;
  /** The jurisdiction createMcpHandler creates its objects in (its `jurisdiction`). Default: none. */
  jurisdiction?: DurableObjectJurisdiction;
}

/** Whose listeners a change reaches: one principal's (its `Principal.id`), or, by default, everyone's. */
export interface ChangeTarget {
  principal?: string;
}

export interface Pusher {
  /** Sends a notification to one 2025 session; false when there is no such session. */
  notify(sessionId: string, notification: Notification): Promise<boolean>;
  /**
   * Asks the session's client something; resolves with its answer, or null when there is no such
   * session. A timeout, too many waiting requests or the session's end come back as error answers
   * (see SessionRpc.ask in src/sessions/rpc.ts).
   */
  request(sessionId: string, request: McpRequest, options?: { timeoutMs?: number }): Promise<ClientAnswer | null>;
  /** `notifications/resources/updated` to every listener subscribed to `uri`; returns how many it reached. */
  resourceUpdated(uri: string, target?: ChangeTarget): Promise<number>;
  /** `notifications/tools/list_changed` to every listener that asked for it; returns how many it reached. */
  toolsListChanged(target?: ChangeTarget): Promise<number>;
  promptsListChanged(target?: ChangeTarget): Promise<number>;
  resourcesListChanged(target?: ChangeTarget): Promise<number>;
  /** An operator's counters for one session, or null when there is no such session. */
  stats(sessionId: string): Promise<SessionStats | null>;
}

export function createPusher(env: object, options: PusherOptions = {}): Pusher {
  const { jurisdiction } = options;
  const feed = {
    binding: options.binding ?? DEFAULT_SESSION_BINDING,
    topicsBinding: options.topicsBinding ?? DEFAULT_TOPICS_BINDING,
    jurisdiction,
    listen: {
      binding: options.listenBinding ?? DEFAULT_LISTEN_BINDING,
      shards: options.listenShards ?? DEFAULT_LISTEN_SHARDS,
      jurisdiction,
    },
  };
  const session = (sessionId: string) => sessionStub(env, feed, sessionId);
  // A principal named by id may be shared (spread over every hub): ask them all, filtered by it.
  const audience = ({ principal }: ChangeTarget = {}): Audience => ({
    principal,
    shards: shardsFor(undefined, feed.listen.shards),
  });
  const change = (method: string, target?: ChangeTarget, params?: Record<string, unknown>) =>
    deliverChange(env, feed, { jsonrpc: "2.0", method, ...(params && { params }) }, audience(target));
  return {
    notify: (sessionId, notification) => session(sessionId).publish([{ jsonrpc: "2.0", ...notification }]),
    request: (sessionId, request, { timeoutMs = DEFAULT_SERVER_REQUEST_TIMEOUT_MS } = {}) =>
      session(sessionId).ask(request, timeoutMs),
    resourceUpdated: (uri, target) => change("notifications/resources/updated", target, { uri }),
    toolsListChanged: (target) => change("notifications/tools/list_changed", target),
    promptsListChanged: (target) => change("notifications/prompts/list_changed", target),
    resourcesListChanged: (target) => change("notifications/resources/list_changed", target),
    stats: (sessionId) => session(sessionId).stats(),
  };
}
