/**
 * What the 2026-07-28 lane needs of createMcpHandler's options, already resolved by the edge.
 */
import type { StateStoreOptions } from "../state/store.js";
import type { ServerSource } from "../lane/server-pool.js";
import type { HubPlacement } from "../listen/shards.js";
import type { ResolvedTasksOptions } from "../tasks/options.js";
import type { ResponseMode } from "../wire/headers.js";
import type { CacheHints } from "./result.js";

export interface StatelessLaneOptions<E> {
  server: ServerSource<E>;
  /** Where principal and handle state live (src/state/). */
  state: StateStoreOptions;
  responseMode: ResponseMode;
  /** `ttlMs` and `cacheScope` of list results, `resources/read` and `server/discover`. */
  cache: CacheHints;
  /** The Worker secret whose value seals `requestState`. */
  stateSecret: string;
  /** Where `subscriptions/listen` streams are held. */
  listen: HubPlacement;
  /** Which tools run as tasks, and where task objects live (src/tasks/). */
  tasks: ResolvedTasksOptions;
}
