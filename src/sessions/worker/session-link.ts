/**
 * One POST's line to its session object for the cross-isolate flows: the inbox it reads
 * (answers to its server→client requests, cancellations of its requests) and the
 * registrations of the requests it sends. See src/sessions/object/answer-router.ts for the other end.
 *
 * The inbox is opened only when needed: at the first server→client request, or when the POST
 * runs long (its transport says so after QUICK_ANSWER_MS, the moment an "auto" answer becomes a
 * stream, which the session object must know as live to resume it). Most requests end sooner,
 * and so cost no stream; a cancellation that arrives before the inbox waits in the broker
 * until it opens.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { readInbox } from "../../wire/inbox.js";
import type { SessionStub } from "../rpc.js";

export class SessionLink {
  readonly streamId = crypto.randomUUID();
  readonly #stub: SessionStub;
  readonly #timeoutMs: number;
  readonly #requestIds: RequestId[];
  #receive: (message: JSONRPCMessage) => void = () => {};
  /** The inbox, read through a reader held here so that closing the link can cancel it. */
  #inbox: Promise<ReadableStreamDefaultReader<Uint8Array>> | undefined;
  #closed = false;

  /** `requestIds`: the client requests this POST serves, whose cancellations the inbox receives. */
  constructor(stub: SessionStub, timeoutMs: number, requestIds: RequestId[]) {
    this.#stub = stub;
    this.#timeoutMs = timeoutMs;
    this.#requestIds = requestIds;
  }

  /** Delivers what arrives in the inbox to `receive`. */
  connect(receive: (message: JSONRPCMessage) => void): void {
    this.#receive = receive;
  }

  /** The POST runs long: open the inbox, for cancellations of its requests and resumes of its stream. */
  runsLong(): void {
    if (this.#requestIds.length > 0) void this.#open().catch(() => {});
  }

  /** Registers a server→client request, opening the inbox first. */
  async expect(requestId: string, method: string): Promise<void> {
    await this.#open();
    const expectation = await this.#stub.expectAnswer(this.streamId, requestId, method, this.#timeoutMs);
    switch (expectation) {
      case "registered":
        return;
      case "inbox-gone":
        throw new Error("the session no longer waits for answers to this request");
      case "too-many":
        throw new Error("too many requests to the client are waiting for an answer in this session");
    }
  }

  /** True once the inbox was asked for: the POST ran long or waited on the client. */
  get hasInbox(): boolean {
    return this.#inbox !== undefined;
  }

  close(): void {
    this.#closed = true;
    void this.#inbox?.then((reader) => reader.cancel()).catch(() => {});
  }

  #open(): Promise<ReadableStreamDefaultReader<Uint8Array>> {
    this.#inbox ??= this.#stub.openInbox(this.streamId, this.#requestIds).then((inbox) => {
      if (!inbox) throw new Error("the session no longer exists");
      const reader = inbox.getReader();
      if (this.#closed) void reader.cancel();
      else void this.#pump(reader);
      return reader;
    });
    return this.#inbox;
  }

  async #pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for await (const message of readInbox(readerStream(reader))) this.#receive(message);
    } catch {
      // The inbox was cancelled because the POST is over: nothing is waiting any more.
    }
  }
}

/**
 * A stream that reads `reader`. Piped into readInbox, the inbox itself is locked, and cancelling
 * a locked stream only rejects: the link would go on receiving, and the session object would
 * hold the inbox and its waits until the isolate's request ends. Cancelling the reader cancels
 * the inbox (the object learns of it at its next write) and ends this stream.
 */
function readerStream(reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
