/**
 * What the 2025 session lane needs of createMcpHandler's options, already resolved by the edge.
 */
import type { StateStoreOptions } from "../../state/store.js";
import type { ServerSource } from "../../lane/server-pool.js";
import type { ResponseMode } from "../../wire/headers.js";
import type { SessionSettings } from "../settings.js";
import type { ResolvedTasksOptions } from "../../tasks/options.js";
import type { SessionLimits } from "./admission.js";

/** A person may be answering an elicitation: minutes, not the SDK's 60 s. */
export const DEFAULT_SERVER_REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

export interface SessionLaneOptions<E> {
  server: ServerSource<E>;
  /** Where principal and handle state live (src/state/). */
  state: StateStoreOptions;
  binding: string;
  topicsBinding: string;
  /** Every object of the lane (sessions, topics, quotas) is created in it; undefined: anywhere. */
  jurisdiction: DurableObjectJurisdiction | undefined;
  responseMode: ResponseMode;
  serverRequestTimeoutMs: number;
  postStreamLifetimeMs: number;
  session: SessionSettings;
  sessionLimits: SessionLimits;
  /** The tools that run as durable tasks (src/tasks/). */
  tasks: ResolvedTasksOptions;
}
