/**
 * One run of a task's tool: the SDK `Transport` between the user's server, built inside the
 * task's object, and the task. It replays what the creating request told the server (an
 * `initialize` with the client's capabilities), asks for the tool list (to learn whether the
 * tool declares itself idempotent), then sends the `tools/call` and turns what the server sends
 * back into the task's life: progress becomes its status message, a question to the client makes
 * it wait for input, list changes go to the deployment's listeners, and the answer ends it.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageExtraInfo,
} from "@modelcontextprotocol/sdk/types.js";
import { isChange } from "../lane/changes.js";
import { initializeParams, listedTool, OwnRequests } from "../lane/own-requests.js";
import { errorResponse } from "../wire/errors.js";
import { isErrorResponse, isRequest, isResponse } from "../wire/message-kind.js";
import type { TaskError, TaskStart } from "./record.js";

export type RunOutcome = { kind: "result"; result: Record<string, unknown> } | { kind: "error"; error: TaskError };

export interface RunHooks {
  /** The handler reported progress: the task's status message. */
  progress(message: string): void;
  /** The handler asked the client something (elicitation, sampling, roots): resolves with the answer or an error. */
  ask(question: JSONRPCRequest): Promise<JSONRPCMessage>;
  /** The handler gave up a question it asked (its own timeout). */
  withdraw(questionId: JSONRPCRequest["id"]): void;
  /** The handler sent a list change or resource update. */
  change(notification: JSONRPCNotification): void;
}

const INITIALIZE_ID = "durable-mcp/task/initialize";
const TOOLS_LIST_ID = "durable-mcp/task/tools-list";
const CALL_ID = "durable-mcp/task/call";
const PROGRESS_TOKEN = "durable-mcp/task/progress";

export class ToolCallRun implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];

  readonly #start: TaskStart;
  readonly #hooks: RunHooks;
  readonly #extra: MessageExtraInfo;
  readonly #own = new OwnRequests();

  constructor(start: TaskStart, hooks: RunHooks) {
    this.#start = start;
    this.#hooks = hooks;
    const { request, principal } = start;
    this.#extra = { requestInfo: { headers: request.headers, url: new URL(request.url) }, authInfo: principal.authInfo };
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** Whether the tool declares `annotations.idempotentHint`, asked of the server after the replayed initialize. */
  async describeTool(): Promise<{ idempotent: boolean }> {
    const { capabilities, info } = this.#start.client;
    const initialized = await this.#ask(INITIALIZE_ID, "initialize", initializeParams(capabilities, info));
    if (isErrorResponse(initialized)) throw new Error(initialized.error.message);
    this.onmessage?.({ jsonrpc: "2.0", method: "notifications/initialized" }, this.#extra);
    const listed = await this.#ask(TOOLS_LIST_ID, "tools/list", {});
    return { idempotent: listedTool(listed, this.#start.call.name)?.annotations?.idempotentHint === true };
  }

  /** Calls the tool; resolves with what it answered. */
  async call(): Promise<RunOutcome> {
    const { name, arguments: args, _meta } = this.#start.call;
    const answer = await this.#ask(CALL_ID, "tools/call", {
      name,
      ...(args !== undefined && { arguments: args }),
      _meta: { ..._meta, progressToken: PROGRESS_TOKEN },
    });
    if (isErrorResponse(answer)) return { kind: "error", error: answer.error };
    return { kind: "result", result: "result" in answer ? answer.result : {} };
  }

  /**
   * Stops the handler as a 2025 client's `notifications/cancelled` would: its `AbortSignal` fires.
   * The SDK sends no answer to a cancelled request, so `call()` resolves here, with the reason, and
   * the task's object is not kept waiting for one.
   */
  cancel(reason: string): void {
    this.onmessage?.({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: CALL_ID, reason } }, this.#extra);
    this.#own.settle(errorResponse(CALL_ID, ErrorCode.InternalError, reason));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (isResponse(message)) {
      this.#own.settle(message);
      return;
    }
    // A question may wait for a person for minutes: the server's send must not wait with it.
    if (isRequest(message)) return void this.#hooks.ask(message).then((answer) => this.onmessage?.(answer, this.#extra));
    if (isChange(message)) return this.#hooks.change(message);
    if (message.method === "notifications/progress") this.#hooks.progress(progressText(message.params ?? {}));
    if (message.method === "notifications/cancelled") this.#hooks.withdraw(message.params?.["requestId"] as string | number);
  }

  #ask(id: string, method: string, params: Record<string, unknown>): Promise<JSONRPCMessage> {
    return this.#own.ask((request) => this.onmessage?.(request, this.#extra), id, method, params);
  }
}

/** A progress notification as one line: its message, or how far it got. */
function progressText({ progress, total, message }: Record<string, unknown>): string {
  if (typeof message === "string" && message !== "") return message;
  return total === undefined ? `${String(progress)}` : `${String(progress)}/${String(total)}`;
}
