/**
 * One POST's line to its session object for the cross-isolate flows: the inbox it reads
 * (answers to its server→client requests, cancellations of its requests) and the
 * registrations of the requests it sends. See src/session/broker.ts for the other end.
 *
 * The inbox is opened only when needed: at the first server→client request, or when the POST
 * is still running after INBOX_DELAY_MS. Most requests end sooner, and so cost no stream; a
 * cancellation that arrives before the inbox waits in the broker until it opens.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { readInbox } from "../session/broker.js";
import { QUICK_ANSWER_MS } from "../transport/response-channel.js";
import type { SessionStub } from "./sessions.js";

/** The moment an "auto" answer turns into a stream, too: a stream its client may resume is one the session object knows. */
export const INBOX_DELAY_MS = QUICK_ANSWER_MS;

export class SessionLink {
  readonly inboxId = crypto.randomUUID();
  readonly #stub: SessionStub;
  readonly #timeoutMs: number;
  readonly #requestIds: RequestId[];
  #receive: (message: JSONRPCMessage) => void = () => {};
  #inbox: Promise<ReadableStream<Uint8Array>> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** `requestIds`: the client requests this POST serves, whose cancellations the inbox receives. */
  constructor(stub: SessionStub, timeoutMs: number, requestIds: RequestId[]) {
    this.#stub = stub;
    this.#timeoutMs = timeoutMs;
    this.#requestIds = requestIds;
  }

  /** Delivers what arrives in the inbox to `receive`; opens it if the POST is still running after INBOX_DELAY_MS. */
  connect(receive: (message: JSONRPCMessage) => void): void {
    this.#receive = receive;
    if (this.#requestIds.length > 0) this.#timer = setTimeout(() => void this.#open().catch(() => {}), INBOX_DELAY_MS);
  }

  /** Registers a server→client request, opening the inbox first. */
  async expect(requestId: string, method: string): Promise<void> {
    await this.#open();
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

  /** True once the inbox was asked for: the POST ran past INBOX_DELAY_MS or waited on the client. */
  get hasInbox(): boolean {
    return this.#inbox !== undefined;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    void this.#inbox?.then((inbox) => inbox.cancel()).catch(() => {});
  }

  #open(): Promise<ReadableStream<Uint8Array>> {
    this.#inbox ??= this.#stub.openInbox(this.inboxId, this.#requestIds).then((inbox) => {
      if (!inbox) throw new Error("the session no longer exists");
      if (this.#closed) void inbox.cancel();
      else void this.#pump(inbox);
      return inbox;
    });
    return this.#inbox;
  }

  async #pump(inbox: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const message of readInbox(inbox)) this.#receive(message);
    } catch {
      // The inbox was cancelled because the POST is over: nothing is waiting any more.
    }
  }
}
