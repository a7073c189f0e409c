/**
 * One POST's line to its session object for the cross-isolate flows: the inbox it reads
 * (answers to its server→client requests, cancellations of its requests) and the
 * registrations of the requests it sends. See src/session/broker.ts for the other end.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SessionStub } from "./sessions.js";

export class SessionLink {
  readonly inboxId = crypto.randomUUID();
  readonly #stub: SessionStub;
  readonly #timeoutMs: number;
  #receive: (message: JSONRPCMessage) => void = () => {};
  #inbox: ReadableStream<Uint8Array> | undefined;

  constructor(stub: SessionStub, timeoutMs: number) {
    this.#stub = stub;
    this.#timeoutMs = timeoutMs;
  }

  /** Delivers what arrives in the inbox, if the POST got one, to `receive` until it closes. */
  connect(receive: (message: JSONRPCMessage) => void, inbox?: ReadableStream<Uint8Array>): void {
    this.#receive = receive;
    if (inbox) this.#attach(inbox);
  }

  /** Registers a server→client request; opens an inbox first if this POST had none. */
  async expect(requestId: string, method: string): Promise<void> {
    if (!this.#inbox) {
      const inbox = await this.#stub.openInbox(this.inboxId);
      if (!inbox) throw new Error("the session no longer exists");
      this.#attach(inbox);
    }
    const expectation = await this.#stub.expectAnswer(this.inboxId, requestId, method, this.#timeoutMs);
    switch (expectation) {
      case "registered":
        return;
      case "inbox-gone":
        throw new Error("the session no longer waits for answers to this request");
      case "too-many":
        throw new Error("too many requests to the client are waiting for an answer in this session");
    }
  }

  #attach(inbox: ReadableStream<Uint8Array>): void {
    this.#inbox = inbox;
    void this.#pump(inbox);
  }

  close(): void {
    void this.#inbox?.cancel().catch(() => {});
  }

  async #pump(inbox: ReadableStream<Uint8Array>): Promise<void> {
    let buffered = "";
    try {
      for await (const text of inbox.pipeThrough(new TextDecoderStream())) {
        const lines = (buffered + text).split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) if (line) this.#receive(JSON.parse(line) as JSONRPCMessage);
      }
    } catch {
      // The inbox was cancelled because the POST is over: nothing is waiting any more.
    }
  }
}
