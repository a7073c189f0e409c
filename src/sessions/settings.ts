/**
 * The per-session settings the session object applies on its own (expiry, event log bounds,
 * stream lifetimes). Chosen by the Worker's options when the session is created and stored
 * with it, so the object needs no configuration of its own.
 */
export interface SessionSettings {
  /** The session and all its storage are deleted after this long without a request. */
  idleTimeoutMs: number;
  /** The event log keeps at most this many events… */
  eventLogMaxEvents: number;
  /** …none older than this. */
  eventLogMaxAgeMs: number;
  /** Streams the object holds are ended after this long (SSE polling); 0 keeps them open. */
  streamLifetimeMs: number;
  /** The `retry:` hint: how long a client waits before reconnecting to an ended stream. */
  retryMs: number;
  /** The TopicDO binding an expiring session leaves its topics through (createMcpHandler's `topicsBinding`). */
  topicsBinding: string;
}

/** The settings a deployment chooses; the rest follow from createMcpHandler's other options. */
export type ChosenSessionSettings = Omit<SessionSettings, "topicsBinding">;

export const DEFAULT_SESSION_SETTINGS: ChosenSessionSettings = {
  // Hours, not days: clients rarely send DELETE, and forgotten sessions must not cost storage.
  idleTimeoutMs: 2 * 60 * 60 * 1000,
  eventLogMaxEvents: 1000,
  eventLogMaxAgeMs: 60 * 60 * 1000,
  // An idle client holds its stream half the time: between polls the object can be evicted.
  streamLifetimeMs: 30_000,
  retryMs: 30_000,
};
