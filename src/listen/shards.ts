/**
 * Which listener hub holds what. A fixed number of hub objects (`idFromName("hub-<n>")`) share
 * the listeners, so that no single object is on the path of every listener. A principal's own
 * listeners and sessions live in one hub, chosen by a hash of its id: a change for one principal
 * costs one hub RPC, and its limits are counted in one place. A shared principal (the anonymous
 * one) is many people: its listeners are spread by their own random ids, and a change for it
 * goes to every hub.
 */
import type { Principal } from "../security/auth.js";
import { objectNamed } from "../wire/namespace.js";
import type { ListenHubDO } from "./hub-do.js";

/** The binding name createMcpHandler and createPusher use unless told otherwise. */
export const DEFAULT_LISTEN_BINDING = "MCP_LISTENERS";

/**
 * Hubs per deployment. A deployment-wide change costs this many RPCs; each hub holds at most
 * MAX_LISTENERS_PER_HUB streams. Changing it moves principals to other hubs: their open streams
 * keep working until they reconnect, and their sessions are found again at their next change.
 */
export const DEFAULT_LISTEN_SHARDS = 8;

export interface HubPlacement {
  binding: string;
  shards: number;
  /** The deployment's jurisdiction (createMcpHandler's `jurisdiction`); undefined: anywhere. */
  jurisdiction: DurableObjectJurisdiction | undefined;
}

export function hubStub(
  env: object,
  { binding, jurisdiction }: HubPlacement,
  shard: number,
): DurableObjectStub<ListenHubDO> | undefined {
  return objectNamed<ListenHubDO>(env, binding, jurisdiction, `hub-${shard}`);
}

/** The hub that holds a listener or session `ownId` of `principal`. */
export function homeShard(principal: Principal, ownId: string, shards: number): number {
  return shardOf(principal.shared ? ownId : principal.id, shards);
}

/** The hubs that may hold listeners of `principal` (all of them for a shared principal or none given). */
export function shardsFor(principal: Principal | undefined, shards: number): number[] {
  if (principal && !principal.shared) return [shardOf(principal.id, shards)];
  return Array.from({ length: shards }, (_, index) => index);
}

/** FNV-1a: stable across isolates and releases, and even enough for hub placement. */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
