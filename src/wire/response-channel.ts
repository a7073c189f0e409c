/**
 * How one POST's answer reaches the client: a single JSON body, or an SSE stream that also
 * carries the request's notifications and server→client requests. "auto" chooses per POST:
 * an answer ready within QUICK_ANSWER_MS with nothing else to send goes as JSON (a stream
 * costs about a quarter more CPU per request), anything else as a stream.
 *
 * A resumable SSE stream numbers its events (`<stream>_<n>`) and keeps them, so that when its
 * client leaves, is told to poll, or resumes it through GET, the stream can be handed over to
 * the session object: everything written so far and everything after goes there instead.
 * A client that left may not be noticed before the stream ends (writes to it succeed for a
 * while), so a stream that ran long also hands its events over when it ends.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { formatEventId, type NumberedMessage } from "./event-id.js";
import type { ResponseMode } from "./headers.js";
import { errorMessage, logError } from "./log.js";
import { sessionIdPrefix } from "./session-id.js";
import { messageText } from "./message-text.js";
import { encodeComment, encodeMessage, encodePriming, HEARTBEAT_INTERVAL_MS, SSE_HEADERS } from "./sse.js";

/**
 * A POST still running after this long "runs long": in "auto" mode its answer becomes a stream,
 * so that it can carry heartbeats and be resumed, and it opens its inbox at the session object.
 */
export const QUICK_ANSWER_MS = 50;

/** Events a POST stream keeps for a handover; older ones are dropped and reported lost. */
export const MAX_STREAM_HISTORY = 1000;

export interface ResponseChannel {
  /** True when messages other than responses (progress, logs, requests) can ride on it. */
  readonly streams: boolean;
  /** The HTTP response; for SSE it resolves at once, for JSON when `finish` is called. */
  readonly response: Promise<Response>;
  write(message: JSONRPCMessage): void;
  /** Every response is written: end the answer. */
  finish(): void;
  /** Hands the rest of the stream to the session object (SSE polling, a lost or resuming client). */
  handOver(): void;
  /** The POST is still running after QUICK_ANSWER_MS. */
  runsLong(): void;
  /** Resolves when everything written has reached the client or the session object. */
  drained(): Promise<void>;
}

/** What makes an SSE answer resumable. */
export interface ResumableStream {
  /** The POST's stream id: its event ids' prefix and the key of its inbox at the session object. */
  id: string;
  protocolVersion: string;
  retryMs: number;
  /** The stream is handed over after this long; 0 keeps it open with heartbeats. */
  lifetimeMs: number;
  /**
   * Whether the stream, ending with its client seemingly there, still goes to the session
   * object, which then answers a resume from its log. False for answers too quick to be worth
   * a round trip: a resume of those is refused.
   */
  keepsEnded(): boolean;
  handOver(messages: NumberedMessage[], done: boolean, lostThrough: number): Promise<void>;
}

/** `sessionId`: the session the POST belongs to, for the log line of a failed handover. */
export function createResponseChannel(
  sessionId: string,
  mode: ResponseMode,
  headers: HeadersInit,
  batch: boolean,
  resumable?: ResumableStream,
): ResponseChannel {
  switch (mode) {
    case "json":
      return new JsonChannel(headers, batch);
    case "sse":
      return new SseChannel(sessionId, headers, resumable);
    case "auto":
      return new AutoChannel(
        () => new JsonChannel(headers, batch),
        () => new SseChannel(sessionId, headers, resumable),
      );
  }
}

/** JSON if the POST is answered quickly with responses only; otherwise an SSE stream from then on. */
class AutoChannel implements ResponseChannel {
  readonly streams = true;
  readonly response: Promise<Response>;
  readonly #json: () => ResponseChannel;
  readonly #sse: () => ResponseChannel;
  #chosen: ResponseChannel | undefined;
  #pending: JSONRPCMessage[] = [];
  #resolve!: (response: Promise<Response>) => void;

  constructor(json: () => ResponseChannel, sse: () => ResponseChannel) {
    this.#json = json;
    this.#sse = sse;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
  }

  write(message: JSONRPCMessage): void {
    if (this.#chosen) return this.#chosen.write(message);
    this.#pending.push(message);
    // A notification or a request to the client needs a stream; responses may wait for the last one.
    if ("method" in message) this.#choose(this.#sse);
  }

  finish(): void {
    this.#choose(this.#json).finish();
  }

  handOver(): void {
    this.#choose(this.#sse).handOver();
  }

  runsLong(): void {
    this.#choose(this.#sse);
  }

  drained(): Promise<void> {
    return this.#chosen?.drained() ?? Promise.resolve();
  }

  #choose(make: () => ResponseChannel): ResponseChannel {
    if (this.#chosen) return this.#chosen;
    const chosen = make();
    this.#chosen = chosen;
    for (const message of this.#pending) chosen.write(message);
    this.#pending = [];
    this.#resolve(chosen.response);
    return chosen;
  }
}

class JsonChannel implements ResponseChannel {
  readonly streams = false;
  readonly response: Promise<Response>;
  readonly #messages: JSONRPCMessage[] = [];
  readonly #batch: boolean;
  readonly #headers: HeadersInit;
  #resolve!: (response: Response) => void;

  constructor(headers: HeadersInit, batch: boolean) {
    this.#headers = headers;
    this.#batch = batch;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
  }

  write(message: JSONRPCMessage): void {
    this.#messages.push(message);
  }

  finish(): void {
    // A batch is answered with an array, a single request with a single object (JSON-RPC 2.0 §6).
    const texts = this.#messages.map(messageText);
    const headers = new Headers(this.#headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    this.#resolve(new Response(this.#batch ? `[${texts.join(",")}]` : texts[0], { headers }));
  }

  handOver(): void {}

  runsLong(): void {}

  async drained(): Promise<void> {}
}

class SseChannel implements ResponseChannel {
  readonly streams = true;
  readonly response: Promise<Response>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #sessionId: string;
  readonly #resumable: ResumableStream | undefined;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #expiry: ReturnType<typeof setTimeout> | undefined;
  #history: NumberedMessage[] = [];
  #lostThrough = 0;
  #nextPosition = 1;
  #state: "open" | "handed-over" | "finished" = "open";
  #handingOver: Promise<void> = Promise.resolve();

  constructor(sessionId: string, headers: HeadersInit, resumable?: ResumableStream) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = writable.getWriter();
    this.#sessionId = sessionId;
    this.#resumable = resumable;
    const responseHeaders = new Headers(headers);
    for (const [name, value] of Object.entries(SSE_HEADERS)) responseHeaders.set(name, value);
    this.response = Promise.resolve(new Response(readable, { headers: responseHeaders }));
    if (resumable) {
      this.#send(encodePriming(resumable.protocolVersion, formatEventId(resumable.id, 0), resumable.retryMs));
    }
    this.#heartbeat = setInterval(() => this.#send(encodeComment("heartbeat")), HEARTBEAT_INTERVAL_MS);
    this.#expiry = resumable?.lifetimeMs ? setTimeout(() => this.handOver(), resumable.lifetimeMs) : undefined;
  }

  write(message: JSONRPCMessage): void {
    const resumable = this.#resumable;
    if (!resumable) return this.#send(encodeMessage(message));
    const event = { position: this.#nextPosition++, message };
    if (this.#state === "handed-over") return this.#forward([event], false);
    this.#history.push(event);
    if (this.#history.length > MAX_STREAM_HISTORY) this.#lostThrough = this.#history.shift()!.position;
    this.#send(encodeMessage(message, formatEventId(resumable.id, event.position)));
  }

  finish(): void {
    if (this.#state === "handed-over") this.#forward([], true);
    else if (this.#state === "open") this.#end();
    this.#state = "finished";
  }

  handOver(): void {
    if (!this.#resumable || this.#state !== "open") return;
    this.#state = "handed-over";
    this.#close();
    // What was written may not have reached the client: the session object gets all of it.
    this.#forward(this.#history, false);
    this.#history = [];
  }

  runsLong(): void {}

  drained(): Promise<void> {
    return this.#handingOver;
  }

  #send(frames: string): void {
    // A failed write means the client left: a resumable stream goes on through the session object.
    this.#writer.write(this.#encoder.encode(frames)).catch(() => this.handOver());
  }

  #forward(messages: NumberedMessage[], done: boolean): void {
    const resumable = this.#resumable!;
    const lostThrough = this.#lostThrough;
    this.#handingOver = this.#handingOver
      .then(() => resumable.handOver(messages, done, lostThrough))
      // A session that is gone (deleted or expired) is no failure: the object takes the handover
      // and drops it, as nobody can resume the stream then. A rejection is a failure: log it.
      .catch((error: unknown) =>
        logError("Handing a POST stream over to the session object failed", {
          session: sessionIdPrefix(this.#sessionId),
          reason: errorMessage(error),
        }),
      );
  }

  /** Ends the stream with its client seemingly there. */
  #end(): void {
    this.#close();
    if (this.#resumable?.keepsEnded()) this.#forward(this.#history, true);
    this.#history = [];
  }

  #close(): void {
    clearInterval(this.#heartbeat);
    if (this.#expiry !== undefined) clearTimeout(this.#expiry);
    this.#writer.close().catch(() => {});
  }
}
