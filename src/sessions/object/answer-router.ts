/**
 * The routing half of the session's broker (docs/architecture.md, "Loops across isolates"). Each POST that may
 * wait on the client holds an inbox: a byte stream of newline-delimited JSON-RPC messages from
 * this object to that isolate (src/wire/inbox.ts). The router puts into it the client's answers
 * to the server→client requests the isolate registered, and `notifications/cancelled` for the
 * requests it runs, wherever those arrived. Everything here is in memory: a wait cannot outlive
 * the object's open RPC streams anyway. Which POST streams are live is stream-liveness.ts's job.
 */
import { ErrorCode, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { errorResponse } from "../../wire/errors.js";
import { HANDOVER_METHOD, InboxWriter } from "../../wire/inbox.js";
import { cancelledRequestId, isResponse } from "../../wire/message-kind.js";
import type { Expectation } from "../rpc.js";
import { makeRoom } from "./make-room.js";

/** Server→client requests one session may have waiting at once; more fail at once. */
export const MAX_AWAITED_PER_SESSION = 100;

/** Cancellations that arrive before the request they cancel (another isolate was faster) wait this long. */
export const EARLY_CANCEL_TTL_MS = 30_000;
/** And at most this many of them are kept. */
export const MAX_EARLY_CANCELS = 100;

/** A JSON-RPC id as a map key that keeps 1 and "1" apart. */
const keyOf = (id: RequestId): string => JSON.stringify(id);

interface Awaited {
  streamId: string;
  timer: ReturnType<typeof setTimeout>;
}

export class AnswerRouter {
  readonly #inboxes = new Map<string, InboxWriter>();
  /** Client requests being served, by id key: which inbox receives their cancellation. */
  readonly #running = new Map<string, string>();
  /** Server→client requests waiting for the client, by id key. */
  readonly #awaited = new Map<string, Awaited>();
  readonly #earlyCancels = new Map<string, { notification: JSONRPCMessage; at: number }>();
  readonly #oninboxclosed: (streamId: string) => void;

  /** `oninboxclosed`: the isolate reading an inbox cancelled it (its POST ended, or it died). */
  constructor(oninboxclosed: (streamId: string) => void = () => {}) {
    this.#oninboxclosed = oninboxclosed;
  }

  /** Opens the inbox of a POST that serves `requestIds`. */
  openInbox(streamId: string, requestIds: RequestId[]): ReadableStream<Uint8Array> {
    const inbox = new InboxWriter(() => {
      this.#forget(streamId);
      this.#oninboxclosed(streamId);
    });
    this.#inboxes.set(streamId, inbox);
    // Only the age bound: nothing is added here, so no room needs making.
    makeRoom(this.#earlyCancels, ({ at }) => at, EARLY_CANCEL_TTL_MS, Number.POSITIVE_INFINITY, Date.now());
    for (const id of requestIds) {
      this.#running.set(keyOf(id), streamId);
      const early = this.#earlyCancels.get(keyOf(id));
      if (!early) continue;
      this.#earlyCancels.delete(keyOf(id));
      inbox.send(early.notification);
    }
    return inbox.readable;
  }

  hasInbox(streamId: string): boolean {
    return this.#inboxes.has(streamId);
  }

  get pendingCount(): number {
    return this.#awaited.size;
  }

  /** Asks the isolate serving the POST of `streamId` to hand its stream over (see HANDOVER_METHOD). */
  requestHandover(streamId: string): void {
    this.#inboxes.get(streamId)?.send({ jsonrpc: "2.0", method: HANDOVER_METHOD });
  }

  /** Registers a server→client request, unless its inbox is gone (its POST ended) or too many wait. */
  expectAnswer(streamId: string, requestId: RequestId, method: string, timeoutMs: number): Expectation {
    const inbox = this.#inboxes.get(streamId);
    if (!inbox) return "inbox-gone";
    if (this.#awaited.size >= MAX_AWAITED_PER_SESSION) return "too-many";
    const timer = setTimeout(() => {
      this.#awaited.delete(keyOf(requestId));
      inbox.send(
        errorResponse(requestId, ErrorCode.RequestTimeout, `The client did not answer ${method} within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    this.#awaited.set(keyOf(requestId), { streamId, timer });
    return "registered";
  }

  /**
   * Routes the client's answers and cancellations to the isolate that waits for them.
   * Returns the ids of answers that nobody waits for.
   */
  route(messages: JSONRPCMessage[]): RequestId[] {
    const unrouted: RequestId[] = [];
    for (const message of messages) {
      if (isResponse(message) && message.id !== undefined) {
        if (!this.#answer(message.id, message)) unrouted.push(message.id);
        continue;
      }
      const cancelled = cancelledRequestId(message);
      if (cancelled !== undefined) this.#cancel(cancelled, message);
    }
    return unrouted;
  }

  /** Fails every wait at once (the session is being deleted) and closes every inbox. */
  failAll(reason: string): void {
    for (const [key, { streamId, timer }] of this.#awaited) {
      clearTimeout(timer);
      this.#inboxes.get(streamId)?.send(errorResponse(JSON.parse(key) as RequestId, ErrorCode.ConnectionClosed, reason));
    }
    this.#awaited.clear();
    for (const inbox of this.#inboxes.values()) inbox.close();
    this.#inboxes.clear();
    this.#running.clear();
  }

  #answer(id: RequestId, message: JSONRPCMessage): boolean {
    const awaited = this.#awaited.get(keyOf(id));
    const inbox = awaited && this.#inboxes.get(awaited.streamId);
    if (!awaited || !inbox) return false;
    clearTimeout(awaited.timer);
    this.#awaited.delete(keyOf(id));
    inbox.send(message);
    return true;
  }

  #cancel(requestId: RequestId, notification: JSONRPCMessage): void {
    const streamId = this.#running.get(keyOf(requestId));
    if (streamId) {
      this.#inboxes.get(streamId)?.send(notification);
      return;
    }
    const now = Date.now();
    makeRoom(this.#earlyCancels, ({ at }) => at, EARLY_CANCEL_TTL_MS, MAX_EARLY_CANCELS, now);
    // Deleted first so that a repeated cancellation moves to the end: the map stays oldest first.
    this.#earlyCancels.delete(keyOf(requestId));
    this.#earlyCancels.set(keyOf(requestId), { notification, at: now });
  }

  #forget(streamId: string): void {
    this.#inboxes.delete(streamId);
    for (const [key, owner] of this.#running) if (owner === streamId) this.#running.delete(key);
    for (const [key, awaited] of this.#awaited) {
      if (awaited.streamId !== streamId) continue;
      clearTimeout(awaited.timer);
      this.#awaited.delete(key);
    }
  }
}
