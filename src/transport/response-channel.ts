/**
 * How one POST's answer reaches the client: a single JSON body, or an SSE stream that also
 * carries the request's notifications and server→client requests. Chosen once per POST.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { encodeMessage, SSE_HEADERS } from "./sse.js";

export type ResponseMode = "json" | "sse";

export interface ResponseChannel {
  /** True when messages other than responses (progress, logs, requests) can ride on it. */
  readonly streams: boolean;
  /** The HTTP response; for SSE it resolves at once, for JSON when `finish` is called. */
  readonly response: Promise<Response>;
  write(message: JSONRPCMessage): void;
  finish(): void;
}

export function createResponseChannel(mode: ResponseMode, headers: HeadersInit, batch: boolean): ResponseChannel {
  switch (mode) {
    case "json":
      return new JsonChannel(headers, batch);
    case "sse":
      return new SseChannel(headers);
  }
}

class JsonChannel implements ResponseChannel {
  readonly streams = false;
  readonly response: Promise<Response>;
  readonly #messages: JSONRPCMessage[] = [];
  readonly #batch: boolean;
  #resolve!: (response: Response) => void;
  readonly #headers: HeadersInit;

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
    const body = this.#batch ? this.#messages : this.#messages[0];
    this.#resolve(Response.json(body, { headers: this.#headers }));
  }
}

class SseChannel implements ResponseChannel {
  readonly streams = true;
  readonly response: Promise<Response>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();

  constructor(headers: HeadersInit) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = writable.getWriter();
    const responseHeaders = new Headers(headers);
    for (const [name, value] of Object.entries(SSE_HEADERS)) responseHeaders.set(name, value);
    this.response = Promise.resolve(new Response(readable, { headers: responseHeaders }));
  }

  write(message: JSONRPCMessage): void {
    // A dropped connection rejects the write; the request still runs to its end.
    this.#writer.write(this.#encoder.encode(encodeMessage(message))).catch(() => {});
  }

  finish(): void {
    this.#writer.close().catch(() => {});
  }
}
