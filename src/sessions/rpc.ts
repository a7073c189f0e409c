/**
 * The SessionDO's RPC contract, written down once: how a Worker reaches a session's object (one
 * per session id, `idFromName`), what each method answers, and the binding's default name. The
 * Worker side and the push API depend on this file, never on the object's class.
 *
 * Which methods check the principal: `open`, `writeState`, the stream request (`streamRequest`) and `terminate` take the caller's
 * principal and answer as if the session did not exist when it is not the one that created the
 * session; every client request reaches one of them first. `create`, `openInbox`, `expectAnswer`,
 * `change`, `rememberTask`, `tasks` and `handOver` trust their caller: the Worker calls them only inside a request that
 * `open` (or `initialize`) already admitted, with stream ids it minted itself. `publish`, `ask`
 * and `stats` are the operator's (src/push/pusher.ts): there is no client principal to check, so
 * whoever holds the binding may call them, and a deployment must not expose them to clients
 * without a check of its own.
 */
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCResultResponse,
  Request as McpRequest,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import type { StoredState, WriteOutcome } from "../state/state-do.js";
import type { NumberedMessage } from "../wire/event-id.js";
import type { Opening } from "../wire/bridge/protocol.js";
import { objectNamed } from "../wire/namespace.js";
import type { SessionChange, SessionRecord } from "./record.js";
import type { SessionSettings } from "./settings.js";

/** The binding name createMcpHandler and createPusher use unless told otherwise. */
export const DEFAULT_SESSION_BINDING = "MCP_SESSION";

/** A task of the session, and its place among them: a page of tasks/list ends at a place, which outlives the task. */
export interface ListedTask {
  taskId: string;
  position: number;
}

export interface OpenedSession {
  record: SessionRecord;
  settings: SessionSettings;
  /** Ids of the answers among the routed messages that no server→client request waits for. */
  unrouted: RequestId[];
  /** The session's state for tools (src/state/), or null when it has none. */
  state: StoredState | null;
}

/** The request's MCP-Protocol-Version is supported, but the session negotiated `negotiated`. */
/** What an ended session leaves behind: the URIs it was subscribed to, and the ids of its tasks that had not expired. */
export interface EndedSession {
  subscriptions: string[];
  tasks: string[];
}

export interface OtherVersion {
  status: "other-version";
  negotiated: string;
}

/** Why the object opened no stream for a GET. */
export type StreamRefusal =
  | { status: "not-found" }
  | OtherVersion
  /** Last-Event-ID names no stream of this session. */
  | { status: "unknown-event" }
  /** Last-Event-ID is older than what the event log still holds. */
  | { status: "too-old" }
  | { status: "too-many-streams" };

/** A GET's stream: the object's `101`, for the Worker to bridge (src/wire/bridge/), or why not. */
export type StreamOpening = Opening<StreamRefusal>;

/** Registering a server→client request: its POST's inbox is gone (the POST ended), or too many wait. */
export type Expectation = "registered" | "inbox-gone" | "too-many";

/** What an operator watches per session. */
export interface SessionStats {
  openStreams: number;
  /** Server→client requests waiting for the client's answer. */
  pendingRequests: number;
  /** Events in the log (standalone stream and handed-over POST streams). */
  loggedEvents: number;
  /** Their size, as the log's byte bound (`eventLogMaxBytes`) counts it. */
  loggedBytes: number;
  createdAt: number;
  lastSeenAt: number;
}

export type ClientAnswer = JSONRPCResultResponse | JSONRPCErrorResponse;

export interface SessionRpc extends Rpc.DurableObjectBranded {
  /** Stores a session that `initialize` just created, and schedules its expiry. */
  create(record: SessionRecord, settings: SessionSettings): Promise<void>;
  /**
   * The one round trip of every POST: the session check and its record, and the routing of the
   * client's answers and cancellations in `route`. `streamId`: the POST answers with a stream
   * its client may resume, so the object must know it as this session's. `protocolVersion`:
   * the request's header; when it is not the negotiated one, nothing is routed.
   */
  open(
    principal: string,
    route?: JSONRPCMessage[],
    streamId?: string,
    protocolVersion?: string,
  ): Promise<OpenedSession | OtherVersion | null>;
  /** The inbox of the POST whose stream is `streamId`, which serves `requestIds`; null when the session is gone. */
  openInbox(streamId: string, requestIds: RequestId[]): Promise<ReadableStream<Uint8Array> | null>;
  /**
   * Writes the session's state if its version is still `expectedVersion` (src/state/); not found
   * when there is no such session for `principal`.
   */
  writeState(principal: string, expectedVersion: number, json: string): Promise<WriteOutcome>;
  /** Registers a server→client request whose answer goes to the inbox of `streamId`. */
  expectAnswer(streamId: string, requestId: RequestId, method: string, timeoutMs: number): Promise<Expectation>;
  /**
   * Applies what a request changed (log level, subscriptions) to the record; a change beyond the
   * record's bounds (record.ts) is not applied, and the answer says why.
   */
  change(change: SessionChange): Promise<string | undefined>;
  /** Remembers a task the session started, for tasks/list; false when the session keeps as many as it may. */
  rememberTask(taskId: string, expiresAt: number): Promise<boolean>;
  /** The tasks the session started that have not expired, oldest first. */
  tasks(): Promise<ListedTask[]>;
  /** Takes over the rest of a POST stream: logs its messages, writes them to its resumed stream. */
  handOver(streamId: string, messages: NumberedMessage[], done: boolean, lostThrough?: number): Promise<void>;
  /**
   * DELETE: ends the session; what it leaves behind to end elsewhere, or null when there is no
   * such session. Nothing ends when `protocolVersion` (the request's header) is not the negotiated one.
   */
  terminate(principal: string, protocolVersion?: string): Promise<EndedSession | null | OtherVersion>;
  /** Logs messages for the standalone stream; false when none concerned the session. */
  publish(messages: JSONRPCMessage[]): Promise<boolean>;
  /**
   * Asks the client something on the standalone stream; its answer, or null when there is no such
   * session. Failures are error answers: RequestTimeout after `timeoutMs`, InternalError at once
   * (nothing sent) when too many requests to the client already wait, ConnectionClosed when the
   * session ends meanwhile.
   */
  ask(request: McpRequest, timeoutMs: number): Promise<ClientAnswer | null>;
  stats(): Promise<SessionStats | null>;
}

export type SessionStub = DurableObjectStub<SessionRpc>;

/** Who asks for a GET's stream, and after which event, in that stream request's headers. */
export interface StreamAsk {
  principal: string;
  lastEventId?: string;
  /** The request's MCP-Protocol-Version header, which must be the negotiated one. */
  protocolVersion?: string;
}

const PRINCIPAL_HEADER = "x-principal";

/**
 * GET: the standalone stream, or with Last-Event-ID the rest of the stream it names. It goes to
 * the object's `fetch`, not to an RPC: only a fetch can hand back a WebSocket.
 */
export function streamRequest({ principal, lastEventId, protocolVersion }: StreamAsk): Request {
  // Principals come from tokens and may hold any character; header values may not.
  const headers = new Headers({ upgrade: "websocket", [PRINCIPAL_HEADER]: encodeURIComponent(principal) });
  if (lastEventId !== undefined) headers.set("last-event-id", lastEventId);
  if (protocolVersion !== undefined) headers.set("mcp-protocol-version", protocolVersion);
  return new Request("https://session.internal/stream", { headers });
}

export function readStreamRequest({ headers }: Request): StreamAsk {
  return {
    principal: decodeURIComponent(headers.get(PRINCIPAL_HEADER) ?? ""),
    lastEventId: headers.get("last-event-id") ?? undefined,
    protocolVersion: headers.get("mcp-protocol-version") ?? undefined,
  };
}

/** A deployment without the binding is misconfigured; this says how to fix it. */
export class MissingBindingError extends Error {
  constructor(binding: string) {
    super(
      `No Durable Object binding named "${binding}": add [[durable_objects.bindings]] name = "${binding}", class_name = "SessionDO" to wrangler.toml`,
    );
  }
}

/** Where the sessions are: their binding, in the deployment's jurisdiction (none: anywhere). */
export interface SessionsPlacement {
  binding: string;
  jurisdiction: DurableObjectJurisdiction | undefined;
}

export function sessionStub(env: object, { binding, jurisdiction }: SessionsPlacement, sessionId: string): SessionStub {
  const stub = objectNamed<SessionRpc>(env, binding, jurisdiction, sessionId);
  if (!stub) throw new MissingBindingError(binding);
  return stub;
}
