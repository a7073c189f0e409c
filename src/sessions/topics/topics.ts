/**
 * The resource subscription index across sessions (TopicDO, one per URI), kept in step with
 * what each session subscribes to. Optional: without its binding, subscriptions still filter
 * each session's own `resources/updated`, but there is no fan-out by URI.
 */
import type { SessionChange } from "../record.js";
import { objectNamed } from "../../wire/namespace.js";
import type { TopicDO } from "./topic-do.js";

/** The binding name createMcpHandler and createPusher use unless told otherwise. */
export const DEFAULT_TOPICS_BINDING = "MCP_TOPICS";

/** Where the topics are: their binding, in the jurisdiction of the sessions they index. */
export interface TopicsPlacement {
  topicsBinding: string;
  jurisdiction: DurableObjectJurisdiction | undefined;
}

export function topicStub(env: object, topics: TopicsPlacement, uri: string): DurableObjectStub<TopicDO> | undefined {
  return objectNamed<TopicDO>(env, topics.topicsBinding, topics.jurisdiction, uri);
}

/** Mirrors a session's subscribe or unsubscribe into the topic of its URI. */
export async function indexSubscription(
  env: object,
  topics: TopicsPlacement,
  sessionId: string,
  principal: string,
  change: SessionChange,
): Promise<void> {
  switch (change.kind) {
    case "subscribe":
      return topicStub(env, topics, change.uri)?.subscribe(sessionId, principal);
    case "unsubscribe":
      return topicStub(env, topics, change.uri)?.unsubscribe([sessionId]);
    case "setLogLevel":
      return;
  }
}

/** A deleted session leaves every topic it was in. */
export async function leaveTopics(env: object, topics: TopicsPlacement, sessionId: string, uris: string[]): Promise<void> {
  await Promise.all(uris.map((uri) => topicStub(env, topics, uri)?.unsubscribe([sessionId])));
}
