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
import { errorMessage, logError } from "../../wire/log.js";
import { sessionIdPrefix } from "../../wire/session-id.js";
import type { SessionStub } from "../rpc.js";

/** The session is gone (deleted or expired) while its POST runs: nobody is left to hear from. */
class SessionGoneError extends Error {
  constructor() {
    super("the session no longer exists");
  }
}

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
    if (this.#requestIds.length > 0) this.#open().catch((error) => this.#logFailure("Opening a POST's inbox failed", error));
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
    // A failure to open was reported where the inbox was asked for (runsLong, expect).
    void this.#inbox?.then(
      (reader) => this.#cancel(reader),
      () => {},
    );
  }

  #open(): Promise<ReadableStreamDefaultReader<Uint8Array>> {
    this.#inbox ??= this.#stub.openInbox(this.streamId, this.#requestIds).then((inbox) => {
      if (!inbox) throw new SessionGoneError();
      const reader = inbox.getReader();
      if (this.#closed) this.#cancel(reader);
      else void this.#pump(reader);
      return reader;
    });
    return this.#inbox;
  }

  async #pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for await (const message of readInbox(readerStream(reader))) this.#receive(message);
    } catch (error) {
      // Cancelled because the POST is over: nothing is waiting any more, which is no failure.
      // Otherwise answers and cancellations meant for this POST are lost.
      if (!this.#closed) this.#logFailure("Reading a POST's inbox failed", error);
    }
  }

  #cancel(reader: ReadableStreamDefaultReader<Uint8Array>): void {
    reader.cancel().catch((error) => this.#logFailure("Cancelling a POST's inbox failed", error));
  }

  /** A session that is gone is no failure: the POST simply has nobody left to hear from. */
  #logFailure(message: string, error: unknown): void {
    if (error instanceof SessionGoneError) return;
    // rpc.ts names each session's object after the session id (idFromName).
    const sessionId = this.#stub.id.name;
    logError(message, { session: sessionId && sessionIdPrefix(sessionId), reason: errorMessage(error) });
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
