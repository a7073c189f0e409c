/**
 * How a change finds its listeners, on both eras (README, "Listen streams and change
 * notifications"): one RPC to each hub that may hold listeners of its scope (one hub for an
 * authenticated principal, every hub for the deployment or a shared principal); each hub writes
 * it to its listen streams and, for a list change, publishes it to its 2025 sessions. A resource
 * update reaches 2025 sessions through the topic of its URI instead: only subscribed sessions.
 */
import type { JSONRPCNotification } from "@modelcontextprotocol/sdk/types.js";
import type { ChangeFeed, ChangeScope } from "../lane/changes.js";
import type { Principal } from "../security/auth.js";
import { sessionStub } from "../sessions/rpc.js";
import { topicStub } from "../sessions/topics/topics.js";
import { hasBinding } from "../wire/namespace.js";
import { homeShard, hubStub, shardsFor, type HubPlacement } from "./shards.js";

export interface FeedOptions {
  listen: HubPlacement;
  /** The SessionDO binding, for 2025 sessions. */
  binding: string;
  topicsBinding: string;
  /** Of the sessions and topics, as the hubs' own in `listen`. */
  jurisdiction: DurableObjectJurisdiction | undefined;
  /** Who hears what a handler changes. */
  changeScope: ChangeScope;
}

/** The listeners a change is for: those of one principal (by id, in `shards`), or everyone's. */
export interface Audience {
  principal?: string;
  shards: number[];
}

export function audienceOf(principal: Principal | undefined, shards: number): Audience {
  return { principal: principal?.id, shards: shardsFor(principal, shards) };
}

/** The request's feed; undefined when the deployment has no listener hubs (no such binding). */
export function createChangeFeed(env: object, options: FeedOptions): ChangeFeed | undefined {
  if (!hasBinding(env, options.listen.binding)) return undefined;
  const hub = (principal: Principal, sessionId: string) =>
    hubStub(env, options.listen, homeShard(principal, sessionId, options.listen.shards))!;
  return {
    async publish(changes, principal) {
      const audience = audienceOf(options.changeScope === "deployment" ? undefined : principal, options.listen.shards);
      for (const change of changes) await deliverChange(env, options, change, audience);
    },
    sessionStarted: (sessionId, principal) =>
      hub(principal, sessionId).addSession(sessionId, principal.id, {
        binding: options.binding,
        jurisdiction: options.jurisdiction,
      }),
    sessionEnded: (sessionId, principal) => hub(principal, sessionId).removeSession(sessionId),
  };
}

/** Delivers one change to its audience on both eras; returns how many listeners and sessions it reached. */
export async function deliverChange(
  env: object,
  options: Omit<FeedOptions, "changeScope">,
  change: JSONRPCNotification,
  audience: Audience,
): Promise<number> {
  const hubs = hasBinding(env, options.listen.binding) ? audience.shards : [];
  const [reached, subscribed] = await Promise.all([
    Promise.all(hubs.map((shard) => hubStub(env, options.listen, shard)!.deliver(change, audience.principal))),
    change.method === "notifications/resources/updated" ? updateSubscribers(env, options, change, audience) : 0,
  ]);
  return reached.reduce((sum, count) => sum + count, subscribed);
}

/** `resources/updated` to the 2025 sessions subscribed to its URI; sessions that are gone leave the topic. */
async function updateSubscribers(
  env: object,
  options: Omit<FeedOptions, "changeScope">,
  change: JSONRPCNotification,
  audience: Audience,
): Promise<number> {
  const uri = change.params?.["uri"];
  const topic = typeof uri === "string" ? topicStub(env, options, uri) : undefined;
  if (!topic) return 0;
  const subscribers = await topic.subscribers(audience.principal);
  const reached = await Promise.all(subscribers.map((sessionId) => sessionStub(env, options, sessionId).publish([change])));
  const gone = subscribers.filter((_, index) => !reached[index]);
  if (gone.length > 0) await topic.unsubscribe(gone);
  return reached.filter(Boolean).length;
}
