/**
 * The per-session settings the session object applies on its own (expiry, event log bounds,
 * stream lifetimes). Chosen by the Worker's options when the session is created and stored
 * with it, so the object needs no configuration of its own.
 */
import type { QuotaSlot } from "./quota/quota.js";

export interface SessionSettings {
  /** The session and all its storage are deleted after this long without a request. */
  idleTimeoutMs: number;
  /** The event log keeps at most this many events… */
  eventLogMaxEvents: number;
  /** …none older than this… */
  eventLogMaxAgeMs: number;
  /** …and at most this many bytes of messages (as JSON). */
  eventLogMaxBytes: number;
  /** Streams the object holds are ended after this long (SSE polling); 0 keeps them open. */
  streamLifetimeMs: number;
  /** The `retry:` hint: how long a client waits before reconnecting to an ended stream. */
  retryMs: number;
  /** The TopicDO binding an expiring session leaves its topics through (createMcpHandler's `topicsBinding`). */
  topicsBinding: string;
  /** The deployment's jurisdiction (createMcpHandler's `jurisdiction`), in which the session finds its topics. */
  jurisdiction: DurableObjectJurisdiction | undefined;
  /** Where the session is counted against its principal's cap (./quota/quota.ts); given back when it ends. */
  quota?: QuotaSlot;
}

/** The settings a deployment chooses; the rest follow from createMcpHandler's other options. */
export type ChosenSessionSettings = Omit<SessionSettings, "topicsBinding" | "jurisdiction" | "quota">;

/**
 * What the event log of one session holds at most by default: a few large tool results for a
 * client to resume, far below the 10 GB a Durable Object may store. A message larger than a
 * row should hold is not kept whole (src/sessions/object/kept-message.ts).
 */
export const DEFAULT_EVENT_LOG_MAX_BYTES = 8 * 1024 * 1024;

export const DEFAULT_SESSION_SETTINGS: ChosenSessionSettings = {
  // Hours, not days: clients rarely send DELETE, and forgotten sessions must not cost storage.
  idleTimeoutMs: 2 * 60 * 60 * 1000,
  eventLogMaxEvents: 1000,
  eventLogMaxAgeMs: 60 * 60 * 1000,
  eventLogMaxBytes: DEFAULT_EVENT_LOG_MAX_BYTES,
  // Open: the Worker holds the stream and the object sleeps behind its socket (src/wire/bridge/),
  // so an idle stream costs no duration; polling would wake the object at every reconnect.
  streamLifetimeMs: 0,
  // A stream ends unasked only when its Worker or object goes away: the client comes back soon.
  retryMs: 3_000,
};
