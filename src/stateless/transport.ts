/**
 * The SDK `Transport` for one 2026-07-28 request: one fresh server, one request, no session and
 * no Durable Object. The server learns its client from the request's `_meta` through a synthetic
 * `initialize` replayed into its own handlers (as the session lane's restore replays the stored
 * one), so handlers see `getClientCapabilities()` as in a session. What the server then sends is
 * sorted by where spec 2026-07-28 lets it go: the answer, progress and the request's logs on the
 * request's own stream; list changes and resource updates go to the listen streams (`onchange`).
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ProtocolErrorCode } from "@modelcontextprotocol/server";
import {
  ErrorCode,
  LoggingLevelSchema,
  type ClientCapabilities,
  type InitializeResult,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type LoggingLevel,
  type MessageExtraInfo,
} from "@modelcontextprotocol/sdk/types.js";
import { isChange } from "../lane/changes.js";
import { initializeParams, listedTool, OwnRequests } from "../lane/own-requests.js";
import { errorResponse, jsonRpcError } from "../wire/errors.js";
import { isErrorResponse, isRequest, isResponse } from "../wire/message-kind.js";
import { QUICK_ANSWER_MS, type ResponseChannel } from "../wire/response-channel.js";
import { readableValidationError } from "../wire/validation-error.js";
import { errorMessage, logError } from "../wire/log.js";
import type { Envelope } from "./envelope.js";
import type { AnswerBook, InputRounds } from "./input-rounds.js";
import { checkParamHeaders, paramHeadersOf } from "./param-headers.js";
import { HEADER_MISMATCH_CODE } from "./protocol.js";
import { discoverResult, stampAnswer, type CacheHints } from "./result.js";

/**
 * Questions a handler asks together (`Promise.all`) reach the transport over a few turns of the
 * event loop; a round ends once this many turns pass without a new one.
 */
const QUIET_TURNS = 3;

/** The rounds of a multi round-trip request: what was answered, and how to seal what the next round needs. */
export interface RoundContext {
  rounds: InputRounds;
  seal(book: AnswerBook): Promise<string>;
}

export interface StatelessTransportOptions {
  cache: CacheHints;
  /** The deployment has listener hubs, so list changes and resource updates reach clients. */
  listens: boolean;
  /** The deployment runs tools as tasks, so `server/discover` advertises the extension. */
  tasks: boolean;
  /** Absent for requests that may not answer `input_required`. */
  rounds?: RoundContext | undefined;
  /**
   * A tool that asks first (TaskToolOptions.askFirst): starts its task with the answers so far,
   * once this round has answered every question the round before asked.
   */
  becomeTask?: ((book: AnswerBook) => Promise<Record<string, unknown>>) | undefined;
}

/** Ids of the lane's own requests to the server; their answers never leave the transport. */
const INITIALIZE_ID = "durable-mcp/stateless/initialize";
const TOOLS_LIST_ID = "durable-mcp/stateless/tools-list";

/** RFC 5424 order, lowest first, as the SDK's schema lists them and `logging/setLevel` used them. */
const LOG_LEVELS: readonly LoggingLevel[] = LoggingLevelSchema.options;

export class StatelessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  /** A change the handler sent (list changed, resource updated): it belongs to listen streams, not this answer. */
  onchange?: (change: JSONRPCNotification) => void;

  readonly #request: JSONRPCRequest;
  readonly #envelope: Envelope;
  readonly #cache: CacheHints;
  readonly #listens: boolean;
  readonly #tasks: boolean;
  /** Absent for requests that may not answer `input_required`. */
  readonly #rounds: RoundContext | undefined;
  readonly #becomeTask: StatelessTransportOptions["becomeTask"];
  /** The call became a task: nothing more of this request's handler reaches the client. */
  #handedOver = false;
  #quietTurns = 0;
  #roundEnding = false;
  /** The lane's own requests to the server, waiting for its answer. */
  readonly #own = new OwnRequests();
  #channel: ResponseChannel | undefined;
  #initialize: InitializeResult | undefined;
  #runsLong: ReturnType<typeof setTimeout> | undefined;
  #answered = false;
  #refuse!: (response: Response) => void;
  #end!: () => void;
  /** Resolves once the request is answered or the transport closed: its server has nothing left to do for it. */
  readonly ended = new Promise<void>((resolve) => (this.#end = resolve));
  /** An answer that must be an HTTP error rather than a JSON-RPC result (-32021), while none was sent. */
  readonly #refused = new Promise<Response>((resolve) => (this.#refuse = resolve));

  constructor(
    request: JSONRPCRequest,
    envelope: Envelope,
    { cache, listens, tasks, rounds, becomeTask }: StatelessTransportOptions,
  ) {
    this.#request = request;
    this.#envelope = envelope;
    this.#cache = cache;
    this.#listens = listens;
    this.#tasks = tasks;
    this.#rounds = rounds;
    this.#becomeTask = becomeTask;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.#answered = true;
    this.#stopRunsLong();
    this.#channel?.finish();
    this.onclose?.();
    this.#end();
  }

  /**
   * Serves the request on `channel`: the synthetic initialize first, then the request itself.
   * `headers`: the request's, for the `Mcp-Param-*` headers of a tool's arguments.
   */
  async serve(channel: ResponseChannel, extra: MessageExtraInfo, headers: Headers): Promise<Response> {
    const initialized = await this.#open(channel, extra);
    if (this.#request.method === "server/discover") {
      const result = discoverResult(initialized, this.#cache, { listens: this.#listens, tasks: this.#tasks });
      this.#answer({ jsonrpc: "2.0", id: this.#request.id, result });
      return channel.response;
    }
    if (this.#request.method === "tools/call") {
      const mismatch = await this.#checkParamHeaders(headers, extra);
      if (mismatch) return this.#refusedBeforeHandler(mismatch);
    }
    this.#runsLong = setTimeout(() => channel.runsLong(), QUICK_ANSWER_MS);
    this.onmessage?.(this.#request, extra);
    return Promise.race([channel.response, this.#refused]);
  }

  /**
   * Serves the request with what `produce` makes instead of the server's handler: the creation
   * of a task for a `tools/call`, whose `Mcp-Param-*` headers are checked first, or a task
   * request. The answer is stamped with the server's identity like any other; a Response from
   * `produce` refuses the request as it is.
   */
  async serveWith(
    channel: ResponseChannel,
    extra: MessageExtraInfo,
    headers: Headers,
    produce: () => Promise<Record<string, unknown> | Response>,
  ): Promise<Response> {
    await this.#open(channel, extra);
    if (this.#request.method === "tools/call") {
      const mismatch = await this.#checkParamHeaders(headers, extra);
      if (mismatch) return this.#refusedBeforeHandler(mismatch);
    }
    const made = await produce();
    if (made instanceof Response) return this.#refusedBeforeHandler(made);
    this.#answer({ jsonrpc: "2.0", id: this.#request.id, result: made });
    return channel.response;
  }

  /** The request is refused as an HTTP error before any handler ran: nothing more goes on it. */
  #refusedBeforeHandler(refusal: Response): Response {
    void this.close();
    return refusal;
  }

  async #open(channel: ResponseChannel, extra: MessageExtraInfo): Promise<InitializeResult> {
    const initialized = await this.describeServer(extra);
    this.#channel = channel;
    return initialized;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (isResponse(message)) {
      if (this.#own.settle(message)) return;
      if (message.id === this.#request.id && !this.#handedOver)
        this.#answer(isErrorResponse(message) ? readableValidationError(message) : message);
      return;
    }
    if (isChange(message)) return this.onchange?.(message);
    if (this.#answered || this.#handedOver) return;
    if (isRequest(message)) return this.#askClient(message);
    if (message.method === "notifications/progress" || (message.method === "notifications/message" && this.#logs(message))) {
      // A JSON answer has no room for notifications; "auto" turns into a stream for them.
      if (this.#channel?.streams) this.#channel.write(message);
    }
  }

  /**
   * The server's initialize result for this request's client: its capabilities and identity.
   * Throws when the server refuses what the request's `_meta` declares.
   */
  async describeServer(extra: MessageExtraInfo): Promise<InitializeResult> {
    const { clientCapabilities, clientInfo } = this.#envelope;
    const answer = await this.#askServer(INITIALIZE_ID, "initialize", initializeParams(clientCapabilities, clientInfo), extra);
    if (isErrorResponse(answer)) throw new Error(answer.error.message);
    // The SDK built this result itself: parsing it again would only cost every request a zod pass.
    this.#initialize = (answer as JSONRPCResultResponse).result as InitializeResult;
    return this.#initialize;
  }

  /**
   * The `Mcp-Param-*` headers must agree with the arguments the tool marks `x-mcp-header`. The SDK
   * v1 McpServer shows a tool's JSON Schema only through tools/list, so the lane asks it for that
   * first: one more dispatch per tools/call, in the same isolate.
   */
  async #checkParamHeaders(headers: Headers, extra: MessageExtraInfo): Promise<Response | undefined> {
    const listed = await this.#askServer(TOOLS_LIST_ID, "tools/list", {}, extra);
    const { name, arguments: args } = (this.#request.params ?? {}) as { name?: string; arguments?: Record<string, unknown> };
    const declared = paramHeadersOf(listedTool(listed, name)?.inputSchema);
    const problem = checkParamHeaders(declared, args, headers);
    if (problem === undefined) return undefined;
    return jsonRpcError(400, HEADER_MISMATCH_CODE, `Bad Request: ${problem}`, { id: this.#request.id });
  }

  /** Sends the server a request of the lane's own; resolves with its answer. */
  #askServer(id: string, method: string, params: Record<string, unknown>, extra: MessageExtraInfo): Promise<JSONRPCMessage> {
    return this.#own.ask((request) => this.onmessage?.(request, extra), id, method, params);
  }

  #answer(answer: JSONRPCMessage): void {
    if (this.#answered || !this.#channel || !this.#initialize) return;
    this.#answered = true;
    this.#stopRunsLong();
    this.#channel.write(stampAnswer(this.#request, answer, this.#initialize.serverInfo, this.#cache));
    this.#channel.finish();
    this.#end();
  }

  /**
   * A handler asks the client something. On this era the question can only travel inside an
   * `input_required` result; a question the client declared no capability for fails the whole
   * request with -32021, as spec 2026-07-28 asks, while the answer is not yet on its way.
   */
  #askClient(question: JSONRPCRequest): void {
    const required = requiredCapability(question);
    if (required && !declares(this.#envelope.clientCapabilities, required)) {
      const code = ProtocolErrorCode.MissingRequiredClientCapability;
      const message = `Bad Request: answering this request needs the client capability ${JSON.stringify(required)}`;
      const data = { requiredCapabilities: required };
      this.#refuse(jsonRpcError(400, code, message, { id: this.#request.id, data }));
      // Once a stream was chosen the refusal goes on it instead; either way the handler is stopped.
      this.#answer({ jsonrpc: "2.0", id: this.#request.id, error: { code, message, data } });
      void this.close();
      return;
    }
    if (!this.#rounds) {
      const refused = `${question.method} cannot reach a 2026-07-28 client from ${this.#request.method}: only tools/call, prompts/get and resources/read may ask the client`;
      this.onmessage?.(errorResponse(question.id, ErrorCode.InternalError, refused));
      return;
    }
    const decision = this.#rounds.rounds.take(question);
    if (decision.kind === "answer" && decision.fresh && this.#becomeTask && this.#rounds.rounds.answeredAsked) {
      // The handler gets this answer again in its task's run: here it is stopped before it goes on.
      void this.#startTask(this.#becomeTask);
      return;
    }
    if (decision.kind === "answer") {
      this.onmessage?.({ jsonrpc: "2.0", id: question.id, result: decision.result as Record<string, unknown> });
      return;
    }
    this.#quietTurns = 0;
    if (!this.#roundEnding) {
      this.#roundEnding = true;
      setTimeout(() => this.#waitForQuiet(), 0);
    }
  }

  /** Ends the round once the handler has asked all it asks together. */
  #waitForQuiet(): void {
    if (this.#answered || this.#handedOver) return;
    if (++this.#quietTurns < QUIET_TURNS) {
      setTimeout(() => this.#waitForQuiet(), 0);
      return;
    }
    void this.#endRound();
  }

  /** Answers `input_required` with this round's questions and the sealed answers so far; the handler is stopped. */
  async #endRound(): Promise<void> {
    const { rounds, seal } = this.#rounds!;
    let answer: JSONRPCMessage;
    try {
      const result = {
        resultType: "input_required",
        inputRequests: rounds.inputRequests(),
        requestState: await seal(rounds.book()),
      };
      answer = { jsonrpc: "2.0", id: this.#request.id, result };
    } catch (error) {
      const reason = errorMessage(error);
      logError("Sealing a requestState failed", { reason });
      answer = errorResponse(this.#request.id, ErrorCode.InternalError, `The server could not ask the client: ${reason}`);
    }
    this.#answer(answer);
    // The handler waits for answers that come with the next round: stop it here.
    void this.close();
  }

  /** Answers the task that carries the call on from here; the handler of this request is stopped. */
  async #startTask(becomeTask: (book: AnswerBook) => Promise<Record<string, unknown>>): Promise<void> {
    this.#handedOver = true;
    let answer: JSONRPCMessage;
    try {
      answer = { jsonrpc: "2.0", id: this.#request.id, result: await becomeTask(this.#rounds!.rounds.book()) };
    } catch (error) {
      const reason = errorMessage(error);
      logError("Starting a task after its first questions failed", { reason });
      answer = errorResponse(this.#request.id, ErrorCode.InternalError, `The task could not be started: ${reason}`);
    }
    this.#answer(answer);
    void this.close();
  }

  #logs(message: JSONRPCMessage): boolean {
    const wanted = this.#envelope.logLevel;
    const level = "params" in message ? (message.params?.["level"] as LoggingLevel | undefined) : undefined;
    if (!wanted || !level) return false;
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(wanted);
  }

  #stopRunsLong(): void {
    if (this.#runsLong !== undefined) clearTimeout(this.#runsLong);
  }
}

/** The capability a server→client request needs of the client (spec 2026-07-28, basic/patterns/mrtr). */
function requiredCapability(question: JSONRPCRequest): ClientCapabilities | undefined {
  switch (question.method) {
    case "elicitation/create":
      return question.params?.["mode"] === "url" ? { elicitation: { url: {} } } : { elicitation: { form: {} } };
    case "sampling/createMessage":
      return { sampling: {} };
    case "roots/list":
      return { roots: {} };
    default:
      return undefined;
  }
}

/** Whether `declared` has what `required` names; `elicitation: {}` means form elicitation. */
function declares(declared: ClientCapabilities, required: ClientCapabilities): boolean {
  if (required.elicitation) {
    const elicitation = declared.elicitation;
    if (!elicitation) return false;
    const bare = !("form" in elicitation) && !("url" in elicitation);
    return "url" in required.elicitation ? "url" in elicitation : "form" in elicitation || bare;
  }
  if (required.sampling) return declared.sampling !== undefined;
  if (required.roots) return declared.roots !== undefined;
  return true;
}
