/**
 * The resource subscription index across sessions (TopicDO, one per URI), kept in step with
 * what each session subscribes to. Optional: without its binding, subscriptions still filter
 * each session's own `resources/updated`, but there is no fan-out by URI.
 */
import type { SessionChange } from "../record.js";
import type { TopicDO } from "./topic-do.js";

/** The binding name createMcpHandler and createPusher use unless told otherwise. */
export const DEFAULT_TOPICS_BINDING = "MCP_TOPICS";

export function topicStub(env: object, binding: string, uri: string): DurableObjectStub<TopicDO> | undefined {
  const namespace = (env as Record<string, DurableObjectNamespace<TopicDO> | undefined>)[binding];
  return namespace?.get(namespace.idFromName(uri));
}

/** Mirrors a session's subscribe or unsubscribe into the topic of its URI. */
export async function indexSubscription(
  env: object,
  binding: string,
  sessionId: string,
  principal: string,
  change: SessionChange,
): Promise<void> {
  switch (change.kind) {
    case "subscribe":
      return topicStub(env, binding, change.uri)?.subscribe(sessionId, principal);
    case "unsubscribe":
      return topicStub(env, binding, change.uri)?.unsubscribe([sessionId]);
    case "setLogLevel":
      return;
  }
}

/** A deleted session leaves every topic it was in. */
export async function leaveTopics(env: object, binding: string, sessionId: string, uris: string[]): Promise<void> {
  await Promise.all(uris.map((uri) => topicStub(env, binding, uri)?.unsubscribe([sessionId])));
}
