/**
 * The client's end of a long-lived SSE stream, held by the Worker that answered the GET (the
 * bridge, bridge.ts, feeds it what an object sends). Writes never wait for the client: a slow
 * or vanished reader must not stall publishers. Writes queue here, and an event counts as read
 * (`onread`) only when the reader takes it: what is still queued when the stream ends never
 * reached the client, so a plain GET after it delivers it. A client that went away is noticed
 * only when a write fails, so the events the reader took last are handed back as well
 * (`onclose`). With a lifetime, the stream ends by itself (SSE polling): the client reconnects
 * after the `retry:` hint. Heartbeats and the lifetime are timers here, in the Worker, never in
 * the object: a pending timer keeps an object in memory.
 */
import { encodeComment, HEARTBEAT_INTERVAL_MS, MAX_UNREAD_BYTES } from "./sse.js";

interface Chunk {
  bytes: Uint8Array;
  /** Sequence numbers of the events in it. */
  seqs: number[];
}

export interface SseStreamEvents {
  /** The reader took the events whose sequence numbers are `seqs`. */
  onread?: (seqs: number[]) => void;
  /** The stream ended; `unconfirmed`: events the client took last before it went away. */
  onclose: (unconfirmed: number[]) => void;
}

export interface SseStreamTimes {
  /** After this long the stream ends by itself (SSE polling); 0 keeps it open. */
  lifetimeMs: number;
  heartbeatMs?: number;
}

export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #expiry: ReturnType<typeof setTimeout> | undefined;
  readonly #events: SseStreamEvents;
  #queue: Chunk[] = [];
  #queuedBytes = 0;
  /** A read waits for the next write. */
  #wake: (() => void) | undefined;
  /** Sequence numbers of the events the reader took last: lost if the client turns out to be gone. */
  #lastRead: number[] = [];
  #open = true;

  /** `lifetimeMs` 0 keeps the stream open, with a heartbeat every `heartbeatMs`. */
  constructor({ lifetimeMs, heartbeatMs = HEARTBEAT_INTERVAL_MS }: SseStreamTimes, events: SseStreamEvents) {
    this.#events = events;
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#pull(),
        // The client went away (its connection closed and the Worker cancelled the body).
        cancel: () => {
          this.#end(this.#lastRead);
        },
      },
      // Nothing is queued inside the stream itself: a chunk leaves #queue only when it is read.
      { highWaterMark: 0 },
    );
    this.#heartbeat = setInterval(() => this.#enqueue(encodeComment("heartbeat"), []), heartbeatMs);
    this.#expiry = lifetimeMs > 0 ? setTimeout(() => this.cut(), lifetimeMs) : undefined;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Writes the SSE frames of the events whose sequence numbers are `seqs`. */
  write(frames: string, seqs: number[] = []): void {
    this.#enqueue(frames, seqs);
  }

  /** The server has said all it will: what is queued goes to the reader, then the stream ends. */
  close(): void {
    if (!this.#open) return;
    for (const chunk of this.#queue.splice(0)) this.#take(chunk);
    this.#end([]);
    this.#controller.close();
  }

  /**
   * Ends the stream now (its lifetime is over, or a new GET replaces it): what the reader has not
   * taken is dropped, unread, for the next stream to deliver. What it took counts as delivered:
   * the server has no reason to doubt a client it closes on, or the last events would come back
   * at every poll.
   */
  cut(): void {
    if (!this.#end([])) return;
    this.#controller.close();
  }

  #enqueue(frames: string, seqs: number[]): void {
    if (!this.#open) return;
    const bytes = this.#encoder.encode(frames);
    this.#queue.push({ bytes, seqs });
    this.#queuedBytes += bytes.byteLength;
    // The reader does not keep up: it gets what is queued and reconnects (resuming after the
    // last event it read) rather than the object buffering for it without bound.
    if (this.#queuedBytes > MAX_UNREAD_BYTES) return this.close();
    this.#wake?.();
  }

  #pull(): Promise<void> | void {
    if (!this.#open) return;
    const chunk = this.#queue.shift();
    if (!chunk) return new Promise<void>((resolve) => (this.#wake = resolve)).then(() => this.#pull());
    this.#wake = undefined;
    this.#queuedBytes -= chunk.bytes.byteLength;
    this.#take(chunk);
  }

  /** Hands a chunk to the reader. */
  #take(chunk: Chunk): void {
    this.#controller.enqueue(chunk.bytes);
    if (chunk.seqs.length === 0) return;
    this.#lastRead = chunk.seqs;
    this.#events.onread?.(chunk.seqs);
  }

  /** False if the stream had ended already. */
  #end(unconfirmed: number[]): boolean {
    if (!this.#open) return false;
    this.#open = false;
    clearInterval(this.#heartbeat);
    if (this.#expiry !== undefined) clearTimeout(this.#expiry);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#wake?.();
    this.#events.onclose(unconfirmed);
    return true;
  }
}
