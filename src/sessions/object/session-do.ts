/**
 * SessionDO: one per MCP session (`idFromName(sessionId)`), the session's single source of
 * truth (its record) and its broker: the standalone SSE stream, POST streams a client resumed,
 * the event log behind both (storage.ts), the routing of answers and cancellations between
 * isolates (answer-router.ts) and which POST streams are live (stream-liveness.ts). Its streams
 * are hibernatable sockets to the Workers that hold the clients' responses (src/wire/bridge/):
 * they are found by tag after a wake, so an idle session's object sleeps.
 * Every RPC method delegates to a small named step; docs/architecture.md names the loops
 * that pass through it.
 */
import { DurableObject } from "cloudflare:workers";
import { ErrorCode, type JSONRPCMessage, type Request as McpRequest, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { errorResponse } from "../../wire/errors.js";
import { encodeMessage, encodePriming } from "../../wire/sse.js";
import { leaveTopics } from "../topics/topics.js";
import { releaseSlot, renewSlot } from "../quota/quota.js";
import { readInbox } from "../../wire/inbox.js";
import { logError } from "../../wire/log.js";
import type {
  ClientAnswer,
  EndedSession,
  Expectation,
  ListedTask,
  OpenedSession,
  OtherVersion,
  SessionRpc,
  SessionStats,
  StreamAsk,
  StreamRefusal,
} from "../rpc.js";
import { readStreamRequest } from "../rpc.js";
import { AnswerRouter, MAX_AWAITED_PER_SESSION } from "./answer-router.js";
import { formatEventId, parseEventId, type EventPosition, type NumberedMessage } from "../../wire/event-id.js";
import { applyChange, concernsSession, refusedChange, type SessionChange, type SessionRecord } from "../record.js";
import type { SessionSettings } from "../settings.js";
import { sessionIdPrefix } from "../../wire/session-id.js";
import {
  acceptStream,
  clientMayHaveMissed,
  Cuts,
  endStream,
  openSockets,
  refuseStream,
  sendFrames,
} from "../../wire/bridge/object-end.js";
import { BridgeClose, decodeRead } from "../../wire/bridge/protocol.js";
import { SessionStorage, type LoggedEvent, type StreamEvent } from "./storage.js";
import { MAX_LOGGED_MESSAGE_BYTES } from "./kept-message.js";
import { StreamLiveness } from "./stream-liveness.js";
import { compareAndSwap, type WriteOutcome } from "../../state/state-do.js";

/**
 * The last-seen time is written at most this often (or a tenth of the idle timeout, if less):
 * expiry needs no finer time, and most requests then write nothing.
 */
export const LAST_SEEN_PRECISION_MS = 10_000;

/** The answer to a request whose POST died before it ended its stream. */
const DIED_MESSAGE =
  "The server stopped while serving this request (it restarted or its worker was cut off), and its result is lost: send the request again";

/**
 * How long a new standalone GET waits for the Worker of the stream it replaces to report what its
 * client read (a round trip between the object and that Worker): what it read is not sent again.
 * A Worker that does not answer is gone; its client's last events go out again.
 */
export const REPLACE_WAIT_MS = 1_000;

/** POST streams one session may have resumed through GET at once, besides its standalone stream. */
export const MAX_RESUMED_STREAMS = 16;

interface Session {
  record: SessionRecord;
  settings: SessionSettings;
}

/** Socket tags: the standalone stream, every resumed POST stream, and one resumed stream by its id. */
const STANDALONE = "standalone";
const RESUMED = "resumed";
const resumedTag = (streamId: string) => `resumed:${streamId}`;

/** What a stream's socket remembers across hibernation. */
type StreamAttachment =
  /** `lastRead`: the events the client's stream took last, in doubt should the client turn out to be gone. */
  | { kind: "standalone"; lastRead: number[] }
  /** `after`: the position the client resumed after. */
  | { kind: "resumed"; stream: string; after: number };

export class SessionDO extends DurableObject<unknown> implements SessionRpc {
  readonly #storage: SessionStorage;
  #session: Session | undefined;
  readonly #cuts = new Cuts();
  readonly #router = new AnswerRouter((streamId) => this.#inboxClosed(streamId));
  readonly #liveness = new StreamLiveness((streamId) => this.#router.hasInbox(streamId));

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#storage = new SessionStorage(ctx.storage);
    this.#session = this.#storage.read();
  }

  /** Stores a session that `initialize` just created, and schedules its expiry. */
  async create(record: SessionRecord, settings: SessionSettings): Promise<void> {
    this.#save({ record, settings });
    await this.ctx.storage.setAlarm(record.lastSeenAt + settings.idleTimeoutMs);
  }

  /**
   * The one round trip of every POST: the session check and its record, and the routing of the
   * client's answers and cancellations in it to the isolates that wait on them.
   */
  async open(
    principal: string,
    route: JSONRPCMessage[] = [],
    streamId?: string,
    protocolVersion?: string,
  ): Promise<OpenedSession | OtherVersion | null> {
    const session = this.#touch(principal);
    if (!session) return null;
    const other = otherVersion(session.record, protocolVersion);
    if (other) return other;
    if (streamId) this.#liveness.registerStream(streamId);
    return { ...session, unrouted: this.#router.route(route), state: this.#storage.readState() };
  }

  /** Read and written in one turn of the object: a concurrent write sees the new version. */
  async writeState(principal: string, expectedVersion: number, json: string): Promise<WriteOutcome> {
    if (this.#session?.record.principal !== principal) return { status: "not-found" };
    const outcome = compareAndSwap(this.#storage.readState(), expectedVersion, json);
    if (outcome.status === "written") this.#storage.writeState({ json, version: outcome.version });
    return outcome;
  }

  /** The inbox of a POST that serves `requestIds` and runs long, or waits on the client. */
  async openInbox(streamId: string, requestIds: RequestId[]): Promise<ReadableStream<Uint8Array> | null> {
    if (!this.#session) return null;
    const inbox = this.#router.openInbox(streamId, requestIds);
    // Its client may resume the stream: should the POST die, the resume answers its requests.
    if (this.#liveness.inboxOpened(streamId)) this.#storage.rememberCall(streamId, requestIds);
    return inbox;
  }

  /** Registers a server→client request whose answer goes to the inbox of `streamId`. */
  async expectAnswer(streamId: string, requestId: RequestId, method: string, timeoutMs: number): Promise<Expectation> {
    if (!this.#session) return "inbox-gone";
    return this.#router.expectAnswer(streamId, requestId, method, timeoutMs);
  }

  /** Applies what a request changed (log level, subscriptions) to the record, unless it is refused. */
  async change(change: SessionChange): Promise<string | undefined> {
    const session = this.#session;
    if (!session) return undefined;
    const refused = refusedChange(session.record, change);
    if (!refused) this.#save({ ...session, record: applyChange(session.record, change) });
    return refused;
  }

  /** Remembers a task the session started, for tasks/list; false when the session keeps MAX_SESSION_TASKS. */
  async rememberTask(taskId: string, expiresAt: number): Promise<boolean> {
    if (!this.#session) return false;
    return this.#storage.rememberTask(taskId, expiresAt, Date.now());
  }

  /** The tasks the session started that have not expired, oldest first. */
  async tasks(): Promise<ListedTask[]> {
    return this.#session ? this.#storage.tasks(Date.now()) : [];
  }

  /**
   * Logs messages for the standalone stream and writes them at once if it is open. False when
   * none concerned the session (there is none, or it did not subscribe to the resource).
   */
  async publish(messages: JSONRPCMessage[]): Promise<boolean> {
    const session = this.#session;
    if (!session) return false;
    const concerning = messages.filter((message) => concernsSession(session.record, message));
    if (concerning.length === 0) return false;
    const logged = this.#storage.appendStandalone(session.record.standaloneStreamId, concerning, Date.now());
    // Nothing is kept of them, so there is no event id to send them with (kept-message.ts).
    if (logged.length < concerning.length) {
      logError("Messages for the standalone stream were too large to keep, and were dropped", {
        session: sessionIdPrefix(this.ctx.id.name ?? ""),
        dropped: concerning.length - logged.length,
        maxBytes: MAX_LOGGED_MESSAGE_BYTES,
      });
    }
    this.#storage.prune(session.settings, session.record.standaloneStreamId, Date.now());
    this.#deliverStandalone(logged);
    return true;
  }

  /**
   * A server→client request from outside any client request (a cron trigger, a webhook): sent
   * on the standalone stream; resolves with the client's answer, routed here like any other.
   * When MAX_AWAITED_PER_SESSION requests already wait, it is not sent and the answer is at once
   * a JSON-RPC error (InternalError), as a timeout is one (RequestTimeout): Pusher.request keeps
   * null for "no such session", and its caller handles every failure as an error answer.
   */
  async ask(request: McpRequest, timeoutMs: number): Promise<ClientAnswer | null> {
    if (!this.#session) return null;
    const waiter = crypto.randomUUID();
    const inbox = this.#router.openInbox(waiter, []);
    const id = crypto.randomUUID();
    // "inbox-gone" cannot happen: the inbox opened just now. Cancelling it forgets the waiter.
    if (this.#router.expectAnswer(waiter, id, request.method, timeoutMs) !== "registered") {
      await inbox.cancel();
      const why = `Too many requests to the client are waiting for an answer in this session (at most ${MAX_AWAITED_PER_SESSION})`;
      return errorResponse(id, ErrorCode.InternalError, why);
    }
    await this.publish([{ jsonrpc: "2.0", id, ...request }]);
    for await (const answer of readInbox(inbox)) return answer as ClientAnswer;
    return null;
  }

  async stats(): Promise<SessionStats | null> {
    const session = this.#session;
    if (!session) return null;
    return {
      openStreams: openSockets(this.ctx).length,
      pendingRequests: this.#router.pendingCount,
      loggedEvents: this.#storage.eventCount(),
      loggedBytes: this.#storage.loggedBytes(),
      createdAt: session.record.createdAt,
      lastSeenAt: session.record.lastSeenAt,
    };
  }

  /**
   * Takes over the rest of a POST stream whose client left (or was asked to resume through
   * GET): logs its messages and writes them to the client's resumed stream, if one is open.
   */
  async handOver(stream: string, messages: NumberedMessage[], done: boolean, lostThrough = 0): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const logged = this.#storage.appendToStream(stream, messages, done, lostThrough, Date.now());
    this.#storage.prune(session.settings, session.record.standaloneStreamId, Date.now());
    const resumed = this.#resumed(stream);
    if (!resumed) return;
    const { socket, after } = resumed;
    // The first handover brings all the stream wrote: a client that resumed after a position
    // beyond it named no event; ended, it reconnects and gets the 400 of an unknown id.
    if (!this.#reached({ stream, position: after })) return endStream(socket, BridgeClose.END);
    // A handover resends the whole stream; the client already holds what it resumed after.
    this.#storage.acknowledge(stream, after);
    sendFrames(socket, frames(logged.filter(({ position }) => position > after)));
    if (done) endStream(socket, BridgeClose.END);
  }

  /** A GET's stream request (rpc.ts `streamRequest`): the socket of its stream, or why not, as JSON. */
  override async fetch(request: Request): Promise<Response> {
    const opening = await this.#openStream(readStreamRequest(request));
    return opening instanceof Response ? opening : refuseStream(opening);
  }

  /** The Worker that held a stream reports what its client took (bridge/protocol.ts). */
  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const read = decodeRead(message);
    const attachment = socket.deserializeAttachment() as StreamAttachment;
    if (read.length === 0 || attachment.kind !== "standalone") return;
    this.#storage.markDelivered(read, true);
    socket.serializeAttachment({ ...attachment, lastRead: read });
  }

  /** A stream ended on the Worker's side; if its client went away, what it took last goes out again. */
  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    const attachment = socket.deserializeAttachment() as StreamAttachment;
    if (attachment.kind === "standalone" && clientMayHaveMissed(code)) this.#storage.markDelivered(attachment.lastRead, false);
    endStream(socket, BridgeClose.END);
    this.#cuts.closed(socket);
  }

  /** A socket that failed is a Worker that went away. */
  override async webSocketError(socket: WebSocket): Promise<void> {
    await this.webSocketClose(socket, BridgeClose.CLIENT_GONE);
  }

  /**
   * GET: without Last-Event-ID, the standalone stream with what no stream delivered yet; with
   * one, the rest of the stream it names. A new standalone GET replaces the open one: a client
   * that lost its connection reconnects before the object can notice.
   */
  async #openStream({ principal, lastEventId, protocolVersion }: StreamAsk): Promise<Response | StreamRefusal> {
    const session = this.#touch(principal);
    if (!session) return { status: "not-found" };
    const { record } = session;
    const other = otherVersion(record, protocolVersion);
    if (other) return other;
    if (lastEventId === undefined) {
      await this.#cuts.cut(openSockets(this.ctx, STANDALONE), REPLACE_WAIT_MS);
      if (!this.#session) return { status: "not-found" };
      const pending = this.#storage.undelivered(record.standaloneStreamId);
      const before = pending[0] ? pending[0].position - 1 : this.#storage.lastPosition(record.standaloneStreamId);
      return this.#openStandalone(session, before, pending);
    }
    const from = parseEventId(lastEventId);
    if (!from) return { status: "unknown-event" };
    const isStandalone = from.stream === record.standaloneStreamId;
    const live = !isStandalone && (await this.#liveness.isLive(from.stream));
    if (!this.#session) return { status: "not-found" };
    if (!isStandalone && !live) this.#endDeadStream(session, from);
    // Read after the wait: the stream may have been handed over meanwhile.
    const state = this.#storage.streamState(from.stream);
    if (!isStandalone && !live && !state) return { status: "unknown-event" };
    if (from.position < (state?.lostThrough ?? 0)) return { status: "too-old" };
    // A live stream not handed over yet is checked when its handover comes (handOver).
    const logged = isStandalone || state !== undefined;
    if (logged && !this.#reached(from)) return { status: "unknown-event" };
    if (logged) this.#storage.acknowledge(from.stream, from.position);
    const missed = this.#storage.after(from.stream, from.position);
    if (isStandalone) return this.#openStandalone(session, from.position, missed);
    return this.#resumePostStream(session, lastEventId, from, missed, state?.done ?? false);
  }

  /**
   * DELETE: fails every wait, closes every stream and removes every trace of the session.
   * Returns the URIs it was subscribed to, for the topics to forget it; null if no such session.
   */
  async terminate(principal: string, protocolVersion?: string): Promise<EndedSession | null | OtherVersion> {
    const session = this.#session;
    if (session?.record.principal !== principal) return null;
    const other = otherVersion(session.record, protocolVersion);
    if (other) return other;
    // Read before the storage goes.
    const tasks = this.#storage.tasks(Date.now()).map(({ taskId }) => taskId);
    await this.#end();
    return { subscriptions: session.record.subscriptions, tasks };
  }

  /**
   * Expiry: a session idle for `idleTimeoutMs` is deleted with all its storage. A client that
   * holds a stream is not idle, though it sends nothing: an open stream's socket counts as seen now.
   */
  override async alarm(): Promise<void> {
    if (openSockets(this.ctx).length > 0 && this.#session) this.#touch(this.#session.record.principal);
    const session = this.#session;
    if (!session) return;
    const expiresAt = session.record.lastSeenAt + session.settings.idleTimeoutMs;
    if (Date.now() < expiresAt) {
      const sessionId = this.ctx.id.name;
      if (sessionId) await renewSlot(this.env as object, session.settings.quota, sessionId, expiresAt);
      return this.ctx.storage.setAlarm(expiresAt);
    }
    await this.#end();
    const sessionId = this.ctx.id.name;
    // Should the runtime not name the object, its topics drop it at their next publish instead.
    if (sessionId) await leaveTopics(this.env as object, session.settings, sessionId, session.record.subscriptions);
    // Counted from the logs ("session_expired"): the object itself keeps nothing afterwards.
    console.log(JSON.stringify({ event: "session_expired", session: sessionIdPrefix(sessionId ?? "") }));
  }

  /**
   * A POST stream no isolate serves any more whose end never came: its POST died (a crash, a
   * restart, the platform cutting off its request) and took its results along. The stream ends
   * with an error for each of its requests, which the client may send again; without it the
   * client would wait for them forever, resuming a stream that never ends.
   */
  #endDeadStream(session: Session, from: EventPosition): StreamEvent[] {
    const requests = this.#storage.rememberedCall(from.stream);
    const state = this.#storage.streamState(from.stream);
    if (state?.done || (!state && !requests)) return [];
    const last = Math.max(from.position, this.#storage.lastPosition(from.stream));
    const errors = (requests ?? []).map((id, n) => ({
      position: last + n + 1,
      message: errorResponse(id, ErrorCode.InternalError, DIED_MESSAGE),
    }));
    const now = Date.now();
    const logged = this.#storage.appendToStream(from.stream, errors, true, 0, now);
    this.#storage.prune(session.settings, session.record.standaloneStreamId, now);
    return logged;
  }

  /**
   * The rest of a POST stream after `from`: `missed` (what the log holds) at once, then what its
   * isolate hands over, unless the stream is `done`. A second resume of one stream replaces the
   * first: its client lost that connection.
   */
  #resumePostStream(
    session: Session,
    lastEventId: string,
    from: EventPosition,
    missed: LoggedEvent[],
    done: boolean,
  ): Response | StreamRefusal {
    const { record, settings } = session;
    const previous = openSockets(this.ctx, resumedTag(from.stream));
    if (previous.length === 0 && openSockets(this.ctx, RESUMED).length >= MAX_RESUMED_STREAMS)
      return { status: "too-many-streams" };
    for (const socket of previous) endStream(socket, BridgeClose.CUT);
    const attachment: StreamAttachment = { kind: "resumed", stream: from.stream, after: from.position };
    const { socket, response } = acceptStream(this.ctx, [RESUMED, resumedTag(from.stream)], attachment, {
      lifetimeMs: settings.streamLifetimeMs,
    });
    sendFrames(socket, encodePriming(record.protocolVersion, lastEventId, settings.retryMs) + frames(missed));
    if (done) endStream(socket, BridgeClose.END);
    else this.#router.requestHandover(from.stream);
    return response;
  }

  /** The socket of the client's resumed stream `streamId`, if it holds one, and where it resumed. */
  #resumed(streamId: string): { socket: WebSocket; after: number } | undefined {
    const socket = openSockets(this.ctx, resumedTag(streamId))[0];
    if (!socket) return undefined;
    const attachment = socket.deserializeAttachment() as StreamAttachment;
    return attachment.kind === "resumed" ? { socket, after: attachment.after } : undefined;
  }

  /** Whether the stream got as far as the position: an id beyond it names no event. */
  #reached({ stream, position }: EventPosition): boolean {
    return position <= this.#storage.lastPosition(stream);
  }

  /**
   * A POST's isolate let its inbox go. If its client holds the resumed stream and the POST did not
   * end it first, the POST died: the client hears so now rather than at its next poll.
   */
  #inboxClosed(streamId: string): void {
    const session = this.#session;
    const resumed = this.#resumed(streamId);
    if (!session || !resumed) return;
    const errors = this.#endDeadStream(session, { stream: streamId, position: resumed.after });
    sendFrames(resumed.socket, frames(errors));
    if (this.#storage.streamState(streamId)?.done) endStream(resumed.socket, BridgeClose.END);
  }

  #openStandalone(session: Session, before: number, events: LoggedEvent[]): Response {
    const { record, settings } = session;
    for (const socket of openSockets(this.ctx, STANDALONE)) endStream(socket, BridgeClose.CUT);
    const attachment: StreamAttachment = { kind: "standalone", lastRead: [] };
    const { socket, response } = acceptStream(this.ctx, [STANDALONE], attachment, { lifetimeMs: settings.streamLifetimeMs });
    sendFrames(socket, encodePriming(record.protocolVersion, formatEventId(record.standaloneStreamId, before), settings.retryMs));
    this.#deliverStandalone(events);
    return response;
  }

  #deliverStandalone(events: LoggedEvent[]): void {
    const socket = openSockets(this.ctx, STANDALONE)[0];
    if (!socket || events.length === 0) return;
    sendFrames(
      socket,
      frames(events),
      events.map(({ seq }) => seq),
    );
  }

  /**
   * The session, if `principal` created it: to anyone else it does not exist. Every request and
   * stream counts as activity: it postpones expiry.
   */
  #touch(principal: string): Session | undefined {
    const session = this.#session;
    if (session?.record.principal !== principal) return undefined;
    const now = Date.now();
    const precision = Math.min(LAST_SEEN_PRECISION_MS, session.settings.idleTimeoutMs / 10);
    if (now - session.record.lastSeenAt >= precision) this.#save({ ...session, record: { ...session.record, lastSeenAt: now } });
    return this.#session;
  }

  #save(session: Session): void {
    this.#session = session;
    this.#storage.write(session.record, session.settings);
  }

  async #end(): Promise<void> {
    const quota = this.#session?.settings.quota;
    this.#session = undefined;
    this.#router.failAll("The session was deleted");
    for (const socket of openSockets(this.ctx)) endStream(socket, BridgeClose.END);
    await this.#storage.deleteAll();
    // Unnamed, the lease lapses when the session would have expired.
    if (this.ctx.id.name) await releaseSlot(this.env as object, quota, this.ctx.id.name);
  }
}

/** A request's MCP-Protocol-Version that names another version than the session negotiated. */
function otherVersion(record: SessionRecord, header: string | undefined): OtherVersion | undefined {
  if (header === undefined || header === record.protocolVersion) return undefined;
  return { status: "other-version", negotiated: record.protocolVersion };
}

function frames(events: StreamEvent[]): string {
  return events.map(({ stream, position, message }) => encodeMessage(message, formatEventId(stream, position))).join("");
}
