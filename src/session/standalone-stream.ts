/**
 * The session's one standalone SSE stream (the client's GET), held by the session object.
 * Writes never wait for the client: a slow or vanished reader must not stall publishers.
 * A client that went away is noticed only when a write fails, so the events of the last
 * write are handed back to be delivered again on the next GET.
 */
import { encodeComment } from "../transport/sse.js";

/** Below the few minutes after which edges and proxies drop a silent connection. */
export const HEARTBEAT_INTERVAL_MS = 25_000;
/** Bytes queued for a reader that does not read before it counts as gone. */
export const MAX_UNREAD_BYTES = 1024 * 1024;

export class StandaloneStream {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #onclose: (unconfirmed: number[]) => void;
  /** Event ids of the last write: lost if the client turns out to be gone. */
  #lastWritten: number[] = [];
  #open = true;

  constructor(onclose: (unconfirmed: number[]) => void) {
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
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Writes the SSE frames of the events whose ids are `eventIds`. */
  write(frames: string, eventIds: number[]): void {
    if (!this.#open) return;
    this.#lastWritten = eventIds;
    this.#enqueue(frames);
  }

  /** Ends the stream; the last write counts as unconfirmed, as the client may not have read it. */
  close(): void {
    if (!this.#open) return;
    this.#end();
    this.#controller.close();
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
    this.#onclose(this.#lastWritten);
  }
}
