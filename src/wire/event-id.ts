/**
 * SSE event ids: `<stream>_<position>`. A stream id is random (the session's standalone stream
 * id, or the id of the POST that opened the stream), so an id from another session or stream
 * names nothing here; the position orders events within the stream. A position is written in
 * canonical decimal only, so exactly one id names each event.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export interface EventPosition {
  stream: string;
  position: number;
}

export function formatEventId(stream: string, position: number): string {
  return `${stream}_${position}`;
}

/** Decimal digits without leading zeros: `Number()` alone would take "0x1", "1e1" or " 1". */
const CANONICAL_POSITION = /^(?:0|[1-9][0-9]*)$/;

export function parseEventId(eventId: string): EventPosition | undefined {
  const cut = eventId.lastIndexOf("_");
  const digits = eventId.slice(cut + 1);
  const position = Number(digits);
  if (cut <= 0 || !CANONICAL_POSITION.test(digits) || !Number.isSafeInteger(position)) return undefined;
  return { stream: eventId.slice(0, cut), position };
}

/** A message of a stream with its position: what an isolate hands a POST stream over as. */
export interface NumberedMessage {
  position: number;
  message: JSONRPCMessage;
}
