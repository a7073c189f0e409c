/**
 * SSE event ids: `<stream>_<position>`. A stream id is random (the session's standalone stream
 * id, or the id of the POST that opened the stream), so an id from another session or stream
 * names nothing here; the position orders events within the stream.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export interface EventPosition {
  stream: string;
  position: number;
}

export function formatEventId(stream: string, position: number): string {
  return `${stream}_${position}`;
}

export function parseEventId(eventId: string): EventPosition | undefined {
  const cut = eventId.lastIndexOf("_");
  const position = Number(eventId.slice(cut + 1));
  if (cut <= 0 || !Number.isSafeInteger(position) || position < 0) return undefined;
  return { stream: eventId.slice(0, cut), position };
}

/** A message of a stream with its position: what an isolate hands a POST stream over as. */
export interface NumberedMessage {
  position: number;
  message: JSONRPCMessage;
}
