/**
 * The inbox protocol between a session object and the isolate serving one POST: a byte stream
 * of newline-delimited JSON-RPC messages, written by the object (`InboxWriter`) and read by the
 * isolate (`readInbox`). It carries the client's answers to the POST's server→client requests,
 * cancellations of the requests the POST serves, and HANDOVER_METHOD. Bodies travel as a stream,
 * never in a header (cloudflare/agents #549, #1433).
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * Put into a POST's inbox when its client resumed the POST's stream through GET: the isolate
 * then hands the stream's messages to the session object. Internal: never seen by a client.
 */
export const HANDOVER_METHOD = "durable-mcp/hand-over-stream";

export class InboxWriter {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #encoder = new TextEncoder();
  #open = true;

  /** `onclose`: the reading isolate cancelled the stream (its POST is over). */
  constructor(onclose: () => void) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => {
        this.#open = false;
        onclose();
      },
    });
  }

  send(message: JSONRPCMessage): void {
    if (this.#open) this.#controller.enqueue(this.#encoder.encode(`${JSON.stringify(message)}\n`));
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#controller.close();
  }
}

/** The messages of an inbox, as `InboxWriter.send` wrote them; leaving the loop cancels the stream. */
export async function* readInbox(inbox: ReadableStream<Uint8Array>): AsyncGenerator<JSONRPCMessage> {
  let buffered = "";
  for await (const text of inbox.pipeThrough(new TextDecoderStream())) {
    const lines = (buffered + text).split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line) yield JSON.parse(line) as JSONRPCMessage;
  }
}
