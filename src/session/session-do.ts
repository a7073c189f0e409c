/**
 * SessionDO: one per MCP session (`idFromName(sessionId)`), the session's single source of
 * truth (its record) and its broker (the standalone SSE stream and the log of messages that
 * wait for it). Every RPC method delegates to a small named step; see DESIGN.md "Shape".
 */
import { DurableObject } from "cloudflare:workers";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { encodeMessage } from "../transport/sse.js";
import { Broker } from "./broker.js";
import { applyChange, concernsSession, type SessionChange, type SessionRecord } from "./record.js";
import { StandaloneStream } from "./standalone-stream.js";
import { SessionStorage, type LoggedEvent } from "./storage.js";

export type StreamOpening = { status: "open"; body: ReadableStream<Uint8Array> } | { status: "not-found" };

/** What a POST asks of the session when it starts. */
export interface OpenRequest {
  /** The POST serves these client requests: open an inbox for their cancellations and answers. */
  inbox?: { id: string; requestIds: RequestId[] };
  /** The client's answers and cancellations in this POST, for the isolates that wait on them. */
  route?: JSONRPCMessage[];
}

export interface OpenedSession {
  record: SessionRecord;
  inbox?: ReadableStream<Uint8Array>;
  /** Ids of answers in `route` that no server→client request waits for. */
  unrouted: RequestId[];
}

export class SessionDO extends DurableObject<unknown> {
  readonly #storage: SessionStorage;
  #record: SessionRecord | undefined;
  #stream: StandaloneStream | undefined;
  readonly #broker = new Broker();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#storage = new SessionStorage(ctx.storage);
    this.#record = this.#storage.readRecord();
  }

  /** Stores the record of a session that `initialize` just created. */
  async create(record: SessionRecord): Promise<void> {
    this.#save(record);
  }

  /** The one round trip of every POST: the session check, its record, its inbox, its routing. */
  async open({ inbox, route = [] }: OpenRequest = {}): Promise<OpenedSession | null> {
    if (!this.#record) return null;
    this.#save({ ...this.#record, lastSeenAt: Date.now() });
    return {
      record: this.#record,
      inbox: inbox && this.#broker.openInbox(inbox.id, inbox.requestIds),
      unrouted: this.#broker.route(route),
    };
  }

  /** An inbox for a POST that had no request of its own but now waits on the client. */
  async openInbox(inboxId: string): Promise<ReadableStream<Uint8Array> | null> {
    return this.#record ? this.#broker.openInbox(inboxId, []) : null;
  }

  /** Registers a server→client request whose answer goes to `inboxId`; false if that inbox is gone. */
  async expectAnswer(inboxId: string, requestId: RequestId, method: string, timeoutMs: number): Promise<boolean> {
    return this.#record !== undefined && this.#broker.expectAnswer(inboxId, requestId, method, timeoutMs);
  }

  /** Applies what a request changed (log level, subscriptions) to the record. */
  async change(changes: SessionChange[]): Promise<void> {
    if (!this.#record) return;
    this.#save(changes.reduce(applyChange, this.#record));
  }

  /** Queues messages for the standalone stream and writes them at once if it is open. */
  async publish(messages: JSONRPCMessage[]): Promise<void> {
    const record = this.#record;
    if (!record) return;
    const concerning = messages.filter((message) => concernsSession(record, message));
    if (concerning.length > 0) this.#deliver(this.#storage.append(concerning));
  }

  /**
   * Opens the standalone stream, first replaying what the client missed. A new GET replaces
   * the open one: a client that lost its connection reconnects before the object can notice.
   */
  async openStream(lastEventId?: string): Promise<StreamOpening> {
    if (!this.#record) return { status: "not-found" };
    this.#stream?.close();
    const stream = new StandaloneStream((unconfirmed) => {
      if (this.#stream === stream) this.#stream = undefined;
      this.#storage.markDelivered(unconfirmed, false);
    });
    this.#stream = stream;
    const resumeAfter = lastEventId === undefined ? NaN : Number(lastEventId);
    this.#deliver(Number.isSafeInteger(resumeAfter) ? this.#storage.after(resumeAfter) : this.#storage.undelivered());
    return { status: "open", body: stream.readable };
  }

  /** DELETE: closes the stream and removes every trace of the session. */
  async terminate(): Promise<boolean> {
    if (!this.#record) return false;
    this.#record = undefined;
    this.#broker.failAll("The session was deleted");
    this.#stream?.close();
    await this.#storage.deleteAll();
    return true;
  }

  #save(record: SessionRecord): void {
    this.#record = record;
    this.#storage.writeRecord(record);
  }

  #deliver(events: LoggedEvent[]): void {
    const stream = this.#stream;
    if (!stream?.isOpen || events.length === 0) return;
    const seqs = events.map(({ seq }) => seq);
    stream.write(events.map(({ seq, message }) => encodeMessage(message, String(seq))).join(""), seqs);
    this.#storage.markDelivered(seqs, true);
  }
}
