/**
 * An SSE stream held by the session object: the session's standalone stream (the client's
 * GET), or a POST stream the client resumed with Last-Event-ID. Writes never wait for the
 * client: a slow or vanished reader must not stall publishers. A client that went away is
 * noticed only when a write fails, so the events of the last write are handed back to be
 * delivered again. With a lifetime, the stream ends by itself (SSE polling): the client
 * reconnects after the `retry:` hint, and the object may be evicted in between.
 */
import { encodeComment, HEARTBEAT_INTERVAL_MS } from "../../wire/sse.js";
/** Bytes queued for a reader that does not read before it counts as gone. */
export const MAX_UNREAD_BYTES = 1024 * 1024;

export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #expiry: ReturnType<typeof setTimeout> | undefined;
  readonly #onclose: (unconfirmed: number[]) => void;
  /** Sequence numbers of the events of the last write: lost if the client turns out to be gone. */
  #lastWritten: number[] = [];
  #open = true;

  /** `lifetimeMs` 0 keeps the stream open, with heartbeats. */
  constructor(lifetimeMs: number, onclose: (unconfirmed: number[]) => void) {
    this.#onclose = onclose;
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // The client went away (its connection closed and the Worker cancelled the body).
        cancel: () => this.#end(),
      },
      { highWaterMark: MAX_UNREAD_BYTES, size: (chunk) => chunk.byteLength },
    );
    this.#heartbeat = setInterval(() => this.#enqueue(encodeComment("heartbeat")), HEARTBEAT_INTERVAL_MS);
    this.#expiry = lifetimeMs > 0 ? setTimeout(() => this.#expire(), lifetimeMs) : undefined;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Writes the SSE frames of the events whose sequence numbers are `seqs`. */
  write(frames: string, seqs: number[] = []): void {
    if (!this.#open) return;
    if (seqs.length > 0) this.#lastWritten = seqs;
    this.#enqueue(frames);
  }

  /** Ends the stream; the last write counts as unconfirmed, as the client may not have read it. */
  close(): void {
    if (!this.#open) return;
    this.#end();
    this.#controller.close();
  }

  /**
   * The lifetime is over (SSE polling): the server ends a stream it has no reason to doubt, so
   * nothing counts as unconfirmed, or the last write would come back at every poll.
   */
  #expire(): void {
    this.#lastWritten = [];
    this.close();
  }

  #enqueue(frames: string): void {
    if (!this.#open) return;
    this.#controller.enqueue(this.#encoder.encode(frames));
    if ((this.#controller.desiredSize ?? 0) <= 0) this.#end();
  }

  #end(): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#heartbeat);
    if (this.#expiry !== undefined) clearTimeout(this.#expiry);
    this.#onclose(this.#lastWritten);
  }
}
