/**
 * The SDK `Transport` for one POST of a session that any isolate may serve (the "distributed
 * mode" proposed in typescript-sdk #793). Options as proposed: `sessionId` plus the stored
 * record restores an initialized session in a fresh server (./restore.ts); `disableLocalSse`
 * means the standalone stream is never held here: messages bound for it leave as `responseSse`
 * events (`onresponsesse`) for the session object to deliver.
 *
 * Server→client requests get session-unique ids (./server-request-ids.ts) and are registered
 * with the session object before they leave; the client's answer, which may reach any isolate,
 * comes back through `receive`. So do cancellations of the requests this POST serves.
 */
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  isInitializeRequest,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type RequestId,
  type RequestInfo,
} from "@modelcontextprotocol/sdk/types.js";
import { errorResponse } from "../../wire/errors.js";
import type { ResponseMode } from "../../wire/headers.js";
import { HANDOVER_METHOD } from "../../wire/inbox.js";
import { errorMessage, logError } from "../../wire/log.js";
import { cancelledRequestId, isErrorResponse, isRequest, isResponse } from "../../wire/message-kind.js";
import { sessionIdPrefix } from "../../wire/session-id.js";
import { changeRequestedBy, initializedRecord, type SessionChange, type SessionRecord } from "../record.js";
import {
  createResponseChannel,
  QUICK_ANSWER_MS,
  type ResponseChannel,
  type ResumableStream,
} from "../../wire/response-channel.js";
import { readableValidationError } from "../../wire/validation-error.js";
import { SessionRestore } from "./restore.js";
import { ServerRequestIds } from "./server-request-ids.js";

export interface DistributedTransportOptions {
  sessionId: string;
  /** The stored record of an initialized session; absent only while serving `initialize`. */
  record?: SessionRecord;
  /** This transport never holds the standalone SSE stream; see `onresponsesse`. */
  disableLocalSse: true;
  /** Stores a new session; awaited before the client sees the `initialize` result. */
  onsessioninitialized?: (record: Omit<SessionRecord, "principal">) => Promise<void>;
  /**
   * Stores what a request changed; awaited before the client sees its result. A refusal (why
   * the session may not take it) replaces the result with an InvalidRequest error.
   */
  onsessionchange?: (change: SessionChange) => Promise<string | undefined>;
  /** Registers a server→client request with the session's broker; awaited before it is sent. */
  onserverrequest?: (requestId: string, method: string) => Promise<void>;
  /** The POST's requests are not all answered after QUICK_ANSWER_MS. */
  onrunslong?: () => void;
}

export interface PostContext {
  mode: ResponseMode;
  /** Makes an SSE answer resumable through the session object; absent while serving initialize. */
  stream?: ResumableStream;
  /** The body was a JSON array: answer with an array. */
  batch: boolean;
  headers: HeadersInit;
  requestInfo: RequestInfo;
  authInfo?: AuthInfo;
}

type JsonRpcResponse = JSONRPCResultResponse | JSONRPCErrorResponse;
const SUBSCRIPTION_METHODS = new Set(["resources/subscribe", "resources/unsubscribe"]);
/** Runs after the server answered a request with success, before the answer leaves; may refuse it. */
type AfterSuccess = (response: JSONRPCResultResponse) => Promise<string | void>;

export class DistributedTransport implements Transport {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  /** The `responseSse` event: messages for the session's standalone stream, in order. */
  onresponsesse?: (messages: JSONRPCMessage[]) => Promise<void>;

  readonly #options: DistributedTransportOptions;
  #channel: ResponseChannel | undefined;
  /** One timer per POST for everything that changes once it runs long. */
  #runsLong: ReturnType<typeof setTimeout> | undefined;
  /** Requests of this POST still waiting for their response. */
  readonly #pending = new Map<RequestId, AfterSuccess | undefined>();
  /** Subscribe and unsubscribe requests the host answers should the server have no handler for them. */
  readonly #hostedSubscriptions = new Set<RequestId>();
  readonly #restore = new SessionRestore();
  readonly #serverRequests = new ServerRequestIds();
  readonly #outbox: JSONRPCMessage[] = [];
  #publishing: Promise<void> = Promise.resolve();
  #settle!: () => void;
  /**
   * Resolves once every response is out, every server→client request answered and every
   * published message delivered: until then the POST's isolate must stay.
   */
  readonly settled = new Promise<void>((resolve) => (this.#settle = resolve));

  constructor(options: DistributedTransportOptions) {
    this.sessionId = options.sessionId;
    this.#options = options;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.#stopRunsLong();
    this.#channel?.finish();
    this.onclose?.();
  }

  /** Serves one POST: restores the session, dispatches the messages, answers them. */
  async handlePost(messages: JSONRPCMessage[], context: PostContext): Promise<Response> {
    const extra = { requestInfo: context.requestInfo, authInfo: context.authInfo };
    const { record } = this.#options;
    const capabilities = record && (await this.#restore.run(record, (request) => this.onmessage?.(request, extra)));
    const requests = messages.filter(isRequest);
    if (requests.length === 0) {
      for (const message of messages) this.onmessage?.(message, extra);
      this.#settleWhenIdle();
      return new Response(null, { status: 202, headers: context.headers });
    }
    const channel = createResponseChannel(this.sessionId, context.mode, context.headers, context.batch, context.stream);
    this.#channel = channel;
    for (const request of requests) {
      this.#pending.set(request.id, this.#afterSuccess(request));
      if (capabilities?.resources?.subscribe && SUBSCRIPTION_METHODS.has(request.method))
        this.#hostedSubscriptions.add(request.id);
    }
    this.#runsLong = setTimeout(() => {
      channel.runsLong();
      this.#options.onrunslong?.();
    }, QUICK_ANSWER_MS);
    const closeSSEStream = () => channel.handOver();
    for (const message of messages) this.onmessage?.(message, { ...extra, closeSSEStream });
    return channel.response;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#restore.take(message)) return;
    if (isResponse(message) && message.id !== undefined && this.#pending.has(message.id)) {
      return this.#respond(message.id, message);
    }
    if (isRequest(message)) {
      const outgoing = await this.#register(message);
      if (outgoing) this.#deliver(outgoing, options?.relatedRequestId);
      return;
    }
    const cancellation = this.#serverRequests.giveUp(message);
    this.#deliver(cancellation ?? message, options?.relatedRequestId);
    // The SDK gave up on its request: the POST need not wait for an answer to it any more.
    if (cancellation) this.#settleWhenIdle();
  }

  /** On the POST's stream when related to one of its requests and it streams; else as responseSse. */
  #deliver(message: JSONRPCMessage, related: RequestId | undefined): void {
    if (related !== undefined && this.#pending.has(related) && this.#channel?.streams) {
      this.#channel.write(message);
      return;
    }
    this.#publish(message);
  }

  /**
   * A message the session's broker routed here: the client's answer to one of this server's
   * requests, the cancellation of a request this POST serves (its handler is aborted and no
   * response is sent for it), or the request to hand this POST's stream over.
   */
  receive(message: JSONRPCMessage): void {
    if ("method" in message && message.method === HANDOVER_METHOD) {
      this.#channel?.handOver();
      return;
    }
    if (isResponse(message)) {
      const answer = this.#serverRequests.answer(message);
      if (!answer) return;
      this.onmessage?.(answer);
      this.#settleWhenIdle();
      return;
    }
    const requestId = cancelledRequestId(message);
    if (requestId === undefined || !this.#pending.has(requestId)) return;
    this.onmessage?.(message);
    this.#pending.delete(requestId);
    this.#settleWhenIdle();
  }

  /** Gives a server→client request its session-unique id; a failed registration fails the request. */
  async #register(request: JSONRPCRequest): Promise<JSONRPCRequest | undefined> {
    const outgoing = this.#serverRequests.track(request);
    try {
      await this.#options.onserverrequest?.(outgoing.id, request.method);
    } catch (error) {
      this.#serverRequests.forget(outgoing.id);
      this.onmessage?.(
        errorResponse(request.id, ErrorCode.InternalError, `Sending ${request.method} failed: ${errorMessage(error)}`),
      );
      return undefined;
    }
    return outgoing;
  }

  async #respond(id: RequestId, response: JsonRpcResponse): Promise<void> {
    const afterSuccess = this.#pending.get(id);
    let answer = this.#hostSubscription(id, response);
    if (isErrorResponse(answer)) answer = readableValidationError(answer);
    if (afterSuccess && !isErrorResponse(answer)) {
      try {
        const refused = await afterSuccess(answer);
        if (refused) answer = errorResponse(id, ErrorCode.InvalidRequest, `Invalid Request: ${refused}`);
      } catch (error) {
        answer = errorResponse(id, ErrorCode.InternalError, `The session could not be stored: ${errorMessage(error)}`);
      }
    }
    this.#pending.delete(id);
    this.#channel?.write(answer);
    this.#settleWhenIdle();
  }

  /**
   * McpServer has no handler for resources/subscribe of its own, yet the host is what keeps a
   * session's subscriptions and delivers resources/updated for them. So a server that declares
   * `resources.subscribe` and answers "method not found" gets the host's empty success instead;
   * a handler the server installed itself answers first, and its errors stand.
   */
  #hostSubscription(id: RequestId, response: JsonRpcResponse): JsonRpcResponse {
    const hosted = this.#hostedSubscriptions.delete(id);
    if (!hosted || !isErrorResponse(response) || response.error.code !== ErrorCode.MethodNotFound) return response;
    return { jsonrpc: "2.0", id, result: {} };
  }

  #afterSuccess(request: JSONRPCRequest): AfterSuccess | undefined {
    const { onsessioninitialized, onsessionchange } = this.#options;
    // The method first: a zod parse of every request only to find initialize shows in a profile.
    if (request.method === "initialize" && isInitializeRequest(request)) {
      if (!onsessioninitialized) return undefined;
      return (response) => onsessioninitialized(initializedRecord(request.params, response.result));
    }
    const change = changeRequestedBy(request);
    if (!change || !onsessionchange) return undefined;
    return () => onsessionchange(change);
  }

  #stopRunsLong(): void {
    if (this.#runsLong !== undefined) clearTimeout(this.#runsLong);
  }

  /** Messages for the standalone stream go out in order, batched into as few calls as possible. */
  #publish(message: JSONRPCMessage): void {
    this.#outbox.push(message);
    this.#publishing = this.#publishing.then(async () => {
      const batch = this.#outbox.splice(0);
      if (batch.length === 0 || !this.onresponsesse) return;
      try {
        await this.onresponsesse(batch);
      } catch (error) {
        // The Transport's onerror reaches the server's, which is seldom set: the log always hears of it.
        const reason = errorMessage(error);
        logError("Publishing to the standalone stream failed", { session: sessionIdPrefix(this.sessionId), reason });
        this.onerror?.(new Error(`Publishing to the standalone stream failed: ${reason}`));
      }
    });
  }

  /**
   * The POST's answer ends once its requests are answered and the messages they caused reached
   * the session object, so none overtakes a result; the transport settles once nothing waits.
   * Checked a tick later: handlers go on in microtasks after an answer or a notification.
   */
  #settleWhenIdle(): void {
    setTimeout(() => {
      if (this.#pending.size > 0) return;
      void this.#publishing.then(async () => {
        if (this.#pending.size > 0) return;
        this.#stopRunsLong();
        this.#channel?.finish();
        await this.#channel?.drained();
        if (!this.#serverRequests.waiting) this.#settle();
      });
    }, 0);
  }
}
