/**
 * `tasks/result` on a 2025 session: blocks until the task ends, then answers exactly what its
 * `tools/call` would have (spec 2025-11-25, tasks, "Result Retrieval"). Meanwhile the questions
 * the task's handler waits on (elicitation, sampling) go to the client on this request's
 * stream, marked with the related task, and the client's answers, which the session's broker
 * routes back to this POST from any isolate, go to the task's object.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import type { TaskRpc } from "../../tasks/client.js";
import { MAX_TASK_WAIT_MS } from "../../tasks/options.js";
import type { TaskOwner, TaskView } from "../../tasks/record.js";
import { relatedTask } from "../../tasks/session-view.js";
import type { InputRequest } from "../../wire/answers.js";
import { errorResponse } from "../../wire/errors.js";
import { errorMessage, logError } from "../../wire/log.js";
import { isResponse } from "../../wire/message-kind.js";

/** Where the questions go: the POST's transport, which registers them with the session's broker. */
interface QuestionSink {
  send(message: JSONRPCMessage, options: { relatedRequestId: RequestId }): Promise<void>;
}

export class TaskResultWait {
  readonly #owner: TaskOwner;
  readonly #stub: (taskId: string) => TaskRpc | undefined;
  readonly #sink: QuestionSink;
  /** Questions asked for a task's handler, by the id they went out under. */
  readonly #questions = new Map<string, { taskId: string; key: string }>();
  /** Waits in progress, stopped when the client cancels its tasks/result. */
  readonly #waits = new Map<RequestId, AbortController>();

  constructor(owner: TaskOwner, stub: (taskId: string) => TaskRpc | undefined, sink: QuestionSink) {
    this.#owner = owner;
    this.#stub = stub;
    this.#sink = sink;
  }

  /** The answer to `tasks/result`; undefined when the client cancelled it (it gets no answer). */
  async serve(id: RequestId, taskId: string, stub: TaskRpc): Promise<JSONRPCMessage | undefined> {
    const wait = new AbortController();
    this.#waits.set(id, wait);
    try {
      const asked = new Set<string>();
      let view = await stub.get(this.#owner);
      while (view && (view.status === "working" || view.status === "input_required") && !wait.signal.aborted) {
        if (view.status === "input_required")
          await this.#ask(id, taskId, view.inputRequests as Record<string, InputRequest>, asked);
        view = await stub.next(this.#owner, view.lastUpdatedAt, MAX_TASK_WAIT_MS);
      }
      if (wait.signal.aborted) return undefined;
      if (!view) return errorResponse(id, ErrorCode.InvalidParams, `Invalid params: no task ${JSON.stringify(taskId)}`);
      return finalAnswer(id, taskId, view);
    } finally {
      this.#waits.delete(id);
    }
  }

  /** The client cancelled request `id`: a tasks/result waiting under it stops. */
  stop(id: RequestId): void {
    this.#waits.get(id)?.abort();
  }

  /**
   * Takes the client's answer to a question asked here: a result, or an error the handler's
   * request then fails with. False for any other message.
   */
  take(message: JSONRPCMessage): boolean {
    if (!isResponse(message) || typeof message.id !== "string") return false;
    const question = this.#questions.get(message.id);
    if (!question) return false;
    this.#questions.delete(message.id);
    const stub = this.#stub(question.taskId);
    const delivered =
      "result" in message
        ? stub?.update(this.#owner, { [question.key]: message.result })
        : stub?.refuse(this.#owner, question.key, message.error);
    void delivered?.catch((error) => logError("Answering a task's question failed", { reason: errorMessage(error) }));
    return true;
  }

  async #ask(
    relatedRequestId: RequestId,
    taskId: string,
    questions: Record<string, InputRequest>,
    asked: Set<string>,
  ): Promise<void> {
    for (const [key, { method, params }] of Object.entries(questions)) {
      if (asked.has(key)) continue;
      asked.add(key);
      const id = `durable-mcp/task-input/${taskId}/${key}`;
      this.#questions.set(id, { taskId, key });
      const marked = { ...params, _meta: relatedTask(taskId, params?.["_meta"] as Record<string, unknown> | undefined) };
      await this.#sink.send({ jsonrpc: "2.0", id, method, params: marked }, { relatedRequestId });
    }
  }
}

/** What the task's `tools/call` answered; a cancelled one has no answer, so it gets an error that says so. */
function finalAnswer(id: RequestId, taskId: string, view: TaskView): JSONRPCMessage {
  if (view.status === "completed") {
    const result = view.result as Record<string, unknown>;
    return { jsonrpc: "2.0", id, result: { ...result, _meta: relatedTask(taskId, result["_meta"] as Record<string, unknown>) } };
  }
  if (view.status === "failed") return { jsonrpc: "2.0", id, error: view.error as { code: number; message: string } };
  return errorResponse(id, ErrorCode.InternalError, `The task ${JSON.stringify(taskId)} was cancelled`);
}
