/**
 * Server-Sent Events framing (WHATWG HTML §9.2) for the streams the Worker and the session
 * object write. Parsing is the client's job; tests use eventsource-parser for it.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { messageText } from "./message-text.js";

export interface SseEvent {
  id?: string;
  data: string;
  /** Milliseconds the client should wait before reconnecting. */
  retry?: number;
}

/**
 * Bytes an object holding an SSE stream queues for a reader that does not keep up, before it cuts
 * the stream: the client reconnects (and resumes, where the stream is resumable) instead of the
 * object buffering for it without bound.
 */
export const MAX_UNREAD_BYTES = 1024 * 1024;

/** Below the few minutes after which edges and proxies drop a silent connection. */
export const HEARTBEAT_INTERVAL_MS = 25_000;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  // Reverse proxies such as nginx would otherwise buffer events (spec 2026-07-28, transports).
  "X-Accel-Buffering": "no",
} as const;

export function encodeEvent({ id, data, retry }: SseEvent): string {
  let frame = "event: message\n";
  if (id !== undefined) frame += `id: ${id}\n`;
  if (retry !== undefined) frame += `retry: ${retry}\n`;
  // A line break inside data would end the field early; each line needs its own "data:".
  for (const line of data.split("\n")) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

export function encodeMessage(message: JSONRPCMessage, id?: string): string {
  return encodeEvent({ id, data: messageText(message) });
}

/** A comment line: ignored by clients, but keeps proxies from closing an idle stream. */
export function encodeComment(text: string): string {
  return `: ${text}\n\n`;
}

/**
 * The first frame of a resumable stream: its `retry:` hint and, for clients that accept an
 * event with empty data (protocol 2025-11-25 on), an id to resume from before any message.
 */
export function encodePriming(protocolVersion: string, eventId: string, retryMs: number): string {
  if (protocolVersion >= PRIMING_SINCE_VERSION) return encodeEvent({ id: eventId, retry: retryMs, data: "" });
  return `retry: ${retryMs}\n\n`;
}

const PRIMING_SINCE_VERSION = "2025-11-25";
