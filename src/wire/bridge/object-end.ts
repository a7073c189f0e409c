/**
 * The object's end of the bridge (protocol.ts): sockets accepted with the hibernation API, so
 * that what the object knows of its streams is the sockets themselves (`ctx.getWebSockets(tag)`)
 * and their attachments, right after a wake as before the sleep.
 */
import type { SseStreamTimes } from "../sse-stream.js";
import { BridgeClose, encodeWrite, HEARTBEAT_HEADER, LIFETIME_HEADER } from "./protocol.js";

/**
 * Accepts a stream's socket under `tags` with `attachment` (ids and positions: it is kept in
 * memory across hibernation, and its size is bounded). Write to `socket` at once: what is sent
 * before the Worker takes the `response` reaches the client first.
 */
export function acceptStream(
  ctx: DurableObjectState,
  tags: string[],
  attachment: unknown,
  { lifetimeMs, heartbeatMs }: SseStreamTimes,
): { socket: WebSocket; response: Response } {
  const { 0: client, 1: socket } = new WebSocketPair();
  ctx.acceptWebSocket(socket, tags);
  try {
    socket.serializeAttachment(attachment);
  } catch (error) {
    // Too large to keep: without its attachment the socket would count as a stream that is none.
    socket.close(BridgeClose.END);
    throw error;
  }
  const headers: Record<string, string> = { [LIFETIME_HEADER]: String(lifetimeMs) };
  if (heartbeatMs !== undefined) headers[HEARTBEAT_HEADER] = String(heartbeatMs);
  return { socket, response: new Response(null, { status: 101, webSocket: client, headers }) };
}

/** Why the object opens no stream, as the Worker reads it (worker-end.ts `readOpening`). */
export function refuseStream<Refusal extends object>(refusal: Refusal): Response {
  return Response.json(refusal);
}

/** The open sockets under `tag` (all of them without one); a closing socket takes no more writes. */
export function openSockets(ctx: DurableObjectState, tag?: string): WebSocket[] {
  return ctx.getWebSockets(tag).filter((socket) => socket.readyState === WebSocket.OPEN);
}

/**
 * UTF-16 code units in one message to the Worker: at most 3 bytes each in UTF-8, so 768 KiB, below
 * the 1 MiB a Worker accepts in a received WebSocket message (a logged message alone may be 1 MiB).
 */
export const MAX_WRITE_CHARS = 256 * 1024;

/**
 * Sends SSE frames, naming the sequence numbers of the events in them; false if the socket is
 * gone. Frames too long for one message go in pieces (protocol.ts).
 */
export function sendFrames(socket: WebSocket, frames: string, seqs: number[] = []): boolean {
  try {
    let rest = frames;
    while (rest.length > MAX_WRITE_CHARS) {
      const cut = pieceEnd(rest);
      socket.send(encodeWrite(rest.slice(0, cut), [], true));
      rest = rest.slice(cut);
    }
    socket.send(encodeWrite(rest, seqs));
    return true;
  } catch {
    return false;
  }
}

/** Where the next piece ends: never between the two halves of a surrogate pair, which would not survive UTF-8. */
function pieceEnd(text: string): number {
  const code = text.charCodeAt(MAX_WRITE_CHARS - 1);
  return code >= 0xd800 && code <= 0xdbff ? MAX_WRITE_CHARS - 1 : MAX_WRITE_CHARS;
}

/** `END`: what was sent reaches the client, then its response ends. `CUT`: it ends now. */
export function endStream(socket: WebSocket, code: typeof BridgeClose.END | typeof BridgeClose.CUT): void {
  try {
    socket.close(code);
  } catch {
    // Closed already.
  }
}

/** Whether a close leaves in doubt what the client took last: it went away, or its Worker did. */
export function clientMayHaveMissed(code: number): boolean {
  return code !== BridgeClose.END && code !== BridgeClose.CUT;
}

/**
 * Streams being cut, until the Worker answers each close: it reports what its client read before
 * it answers, so once it has, the object knows all that stream delivered.
 */
export class Cuts {
  readonly #answered = new Map<WebSocket, () => void>();

  /** Cuts `sockets`; resolves when the Worker of each has answered, or after `timeoutMs` (it may be gone). */
  async cut(sockets: WebSocket[], timeoutMs: number): Promise<void> {
    const answers = sockets.map((socket) => {
      const answered = new Promise<void>((resolve) => this.#answered.set(socket, resolve));
      endStream(socket, BridgeClose.CUT);
      return answered;
    });
    if (answers.length === 0) return;
    await Promise.race([Promise.all(answers), scheduler.wait(timeoutMs)]);
    for (const socket of sockets) this.#answered.delete(socket);
  }

  /** The object's `webSocketClose`: the Worker answered. */
  closed(socket: WebSocket): void {
    this.#answered.get(socket)?.();
  }
}
