/**
 * Push from outside a request: a cron trigger, a queue consumer or a webhook route sends a
 * notification or a server→client request to one session, or `resources/updated` to every
 * session subscribed to a URI. Delivered on each session's standalone stream through its
 * SessionDO, and kept in its event log while no stream is open.
 */
import type { Notification, Request as McpRequest } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_SESSION_BINDING, sessionStub, type ClientAnswer, type SessionStats } from "../sessions/rpc.js";
import { DEFAULT_TOPICS_BINDING, topicStub } from "../sessions/topics/topics.js";
import { DEFAULT_SERVER_REQUEST_TIMEOUT_MS } from "../sessions/worker/options.js";

export interface PusherOptions {
  /** The SessionDO binding. Default "MCP_SESSION". */
  binding?: string;
  /** The TopicDO binding, for `resourceUpdated`. Default "MCP_TOPICS". */
  topicsBinding?: string;
}

export interface Pusher {
  /** Sends a notification to one session; false when there is no such session. */
  notify(sessionId: string, notification: Notification): Promise<boolean>;
  /**
   * Asks the session's client something; resolves with its answer, or null when there is no such
   * session. A timeout, too many waiting requests or the session's end come back as error answers
   * (see SessionRpc.ask in src/sessions/rpc.ts).
   */
  request(sessionId: string, request: McpRequest, options?: { timeoutMs?: number }): Promise<ClientAnswer | null>;
  /** Sends `notifications/resources/updated` to every session subscribed to `uri`; returns how many it reached. */
  resourceUpdated(uri: string): Promise<number>;
  /** An operator's counters for one session, or null when there is no such session. */
  stats(sessionId: string): Promise<SessionStats | null>;
}

export function createPusher(env: object, options: PusherOptions = {}): Pusher {
  const binding = options.binding ?? DEFAULT_SESSION_BINDING;
  const topicsBinding = options.topicsBinding ?? DEFAULT_TOPICS_BINDING;
  const session = (sessionId: string) => sessionStub(env, binding, sessionId);
  return {
    notify: (sessionId, notification) => session(sessionId).publish([{ jsonrpc: "2.0", ...notification }]),
    request: (sessionId, request, { timeoutMs = DEFAULT_SERVER_REQUEST_TIMEOUT_MS } = {}) =>
      session(sessionId).ask(request, timeoutMs),
    async resourceUpdated(uri) {
      const topic = topicStub(env, topicsBinding, uri);
      if (!topic) throw new Error(`No Durable Object binding named "${topicsBinding}" for resource subscriptions`);
      const subscribers = await topic.subscribers();
      const notification = { jsonrpc: "2.0" as const, method: "notifications/resources/updated", params: { uri } };
      const reached = await Promise.all(subscribers.map((sessionId) => session(sessionId).publish([notification])));
      const gone = subscribers.filter((_, index) => !reached[index]);
      if (gone.length > 0) await topic.unsubscribe(gone);
      return reached.filter(Boolean).length;
    },
    stats: (sessionId) => session(sessionId).stats(),
  };
}
