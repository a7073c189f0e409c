/**
 * The bridge between an object and the Worker that holds a client's SSE response (issue 19). The
 * object keeps only a hibernatable WebSocket (`ctx.acceptWebSocket`), so it sleeps between
 * deliveries and is not billed for duration while idle; the Worker keeps the response, its
 * heartbeats and its lifetime (a Worker is billed for CPU, not for the time it waits).
 * docs/measurements/hibernation-bridge.md has the measurements behind it.
 *
 * Object → Worker, a write: the sequence numbers of its events, comma-separated, a line break,
 * then finished SSE frames. A write too long for one message comes in pieces, each but the last
 * headed `+` instead of the numbers; the Worker joins them before the client sees any. Worker → object: `{"read":[…]}` once
 * the client's stream took the events of a write. The close code says how the stream ended.
 */

export const BridgeClose = {
  /** The object: what is queued goes to the client, then the response ends. The Worker: it ended the stream (its lifetime, a slow reader); what the client read was read. */
  END: 1000,
  /** The object: the stream ends now (a new GET replaces it); what the client has not read is dropped, for the next stream. */
  CUT: 4000,
  /** The Worker: the client went away, and may not have received what it took last. */
  CLIENT_GONE: 4001,
} as const;

/**
 * An object answers a stream's opening with its `101`, or, in the same round trip, with why it
 * opens none: a JSON body.
 */
export type Opening<Refusal> = { status: "open"; upgrade: Response } | Refusal;

/** Headers of the object's `101`: how long the Worker keeps the stream, and how often it sends a heartbeat. */
export const LIFETIME_HEADER = "x-stream-lifetime-ms";
export const HEARTBEAT_HEADER = "x-stream-heartbeat-ms";

const MORE = "+";

/** One message of a write; `more`: a piece that others follow. */
export function encodeWrite(frames: string, seqs: number[], more = false): string {
  return `${more ? MORE : seqs.join(",")}\n${frames}`;
}

export function decodeWrite(message: string): { frames: string; seqs: number[]; more: boolean } {
  const lineEnd = message.indexOf("\n");
  const head = message.slice(0, lineEnd);
  const frames = message.slice(lineEnd + 1);
  if (head === MORE) return { frames, seqs: [], more: true };
  return { frames, seqs: head === "" ? [] : head.split(",").map(Number), more: false };
}

export function encodeRead(seqs: number[]): string {
  return JSON.stringify({ read: seqs });
}

/** The sequence numbers a `read` message names; empty for anything else. */
export function decodeRead(message: string | ArrayBuffer): number[] {
  if (typeof message !== "string") return [];
  try {
    const { read } = JSON.parse(message) as { read?: unknown };
    return Array.isArray(read) ? read.filter((seq): seq is number => Number.isSafeInteger(seq)) : [];
  } catch {
    return [];
  }
}
