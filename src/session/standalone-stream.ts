/**
 * The session's one standalone SSE stream (the client's GET), held by the session object.
 * Writes never wait for the client: a slow or vanished reader must not stall publishers.
 */
import { encodeComment } from "../transport/sse.js";

/** Below the few minutes after which edges and proxies drop a silent connection. */
export const HEARTBEAT_INTERVAL_MS = 25_000;

export class StandaloneStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #onclose: () => void;
  #open = true;

  constructor(onclose: () => void) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.readable = readable;
    this.#writer = writable.getWriter();
    this.#onclose = onclose;
    this.#heartbeat = setInterval(() => this.write(encodeComment("heartbeat")), HEARTBEAT_INTERVAL_MS);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  write(frames: string): void {
    if (!this.#open) return;
    // A rejected write means the client went away; the stream is then closed.
    this.#writer.write(this.#encoder.encode(frames)).catch(() => this.close());
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#heartbeat);
    // Closing a stream the client already cancelled rejects; there is nothing left to do then.
    this.#writer.close().catch(() => {});
    this.#onclose();
  }
}
