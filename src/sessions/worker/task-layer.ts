/**
 * Tasks on a 2025 session (SEP-1686, the SDK v1 experimental tasks API): the Transport the user's
 * server connects to when the deployment runs tasks, in front of the POST's DistributedTransport.
 * It adds the `tasks` capability to the initialize result and each task tool's
 * `execution.taskSupport` to tools/list, starts a task-augmented `tools/call` of a task tool in
 * its TaskDO, and answers `tasks/get`, `tasks/list`, `tasks/cancel` and `tasks/result` itself;
 * everything else passes between client and server unchanged. A task belongs to its principal
 * and its session: to anyone else it does not exist (-32602, as for an id never issued).
 */
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CancelTaskRequestSchema,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
  TaskMetadataSchema,
  type Implementation,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { ZodType } from "zod";
import type { Principal } from "../../security/auth.js";
import { newTaskId, taskStub, type TaskRpc } from "../../tasks/client.js";
import { MAX_TASK_TTL_MS, type ResolvedTasksOptions } from "../../tasks/options.js";
import type { TaskOwner } from "../../tasks/record.js";
import { SESSION_TASKS_CAPABILITY, sessionTaskOf } from "../../tasks/session-view.js";
import { taskStart } from "../../tasks/start.js";
import { errorResponse } from "../../wire/errors.js";
import { errorMessage } from "../../wire/log.js";
import { cancelledRequestId, isRequest, isResponse } from "../../wire/message-kind.js";
import type { SessionStub } from "../rpc.js";
import type { DistributedTransport } from "../transport/distributed-transport.js";
import { TaskResultWait } from "./task-result.js";

/** Tasks one `tasks/list` answer carries: each costs a lookup of its object. */
export const TASKS_PAGE_SIZE = 50;

export interface SessionTaskContext {
  env: object;
  tasks: ResolvedTasksOptions;
  principal: Principal;
  session: SessionStub;
  client: { capabilities: object; info: Implementation };
  request: Request;
}

type Answer = JSONRPCMessage | undefined;

export class SessionTaskLayer implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];

  readonly #inner: DistributedTransport;
  readonly #context: SessionTaskContext;
  readonly #owner: TaskOwner;
  /** Requests whose answer gets this era's task fields: initialize and tools/list, by id. */
  readonly #advertised = new Map<RequestId, string>();
  readonly #results: TaskResultWait;

  constructor(inner: DistributedTransport, context: SessionTaskContext) {
    this.#inner = inner;
    this.#context = context;
    this.#owner = { principal: context.principal.id, sessionId: inner.sessionId };
    this.#results = new TaskResultWait(this.#owner, (taskId) => this.#stub(taskId), inner);
  }

  get sessionId(): string {
    return this.#inner.sessionId;
  }

  async start(): Promise<void> {
    this.#inner.onmessage = (message, extra) => this.#receive(message, extra);
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (error) => this.onerror?.(error);
  }

  async close(): Promise<void> {
    await this.#inner.close();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    await this.#inner.send(this.#advertise(message), options);
  }

  #receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#results.take(message)) return;
    const cancelled = cancelledRequestId(message);
    if (cancelled !== undefined) this.#results.stop(cancelled);
    if (isRequest(message)) {
      const served = this.#serve(message);
      if (served) {
        void served
          .catch((error) =>
            errorResponse(message.id, ErrorCode.InternalError, `${message.method} failed: ${errorMessage(error)}`),
          )
          .then((answer) => answer && this.#inner.send(answer, { relatedRequestId: message.id }));
        return;
      }
      if (message.method === "initialize" || message.method === "tools/list") this.#advertised.set(message.id, message.method);
    }
    this.onmessage?.(message, extra);
  }

  /** The host's answer to a task request; undefined for a request the server answers. */
  #serve(message: JSONRPCRequest): Promise<Answer> | undefined {
    const { id, method } = message;
    if (method === "tools/call") {
      const name = String(message.params?.["name"]);
      const support = this.#context.tasks.tools[name];
      const hinted = message.params?.["task"] !== undefined;
      if (hinted && support) return this.#create(message);
      if (hinted) return refuse(id, ErrorCode.MethodNotFound, `Method not found: the tool ${name} does not run as a task`);
      if (support === "required")
        return refuse(
          id,
          ErrorCode.MethodNotFound,
          `Method not found: the tool ${name} runs only as a task; call it with params.task`,
        );
      return undefined;
    }
    if (method === "tasks/list") return this.#list(message);
    const schema = TASK_REQUEST_SCHEMAS.get(method);
    if (!schema) return undefined;
    const parsed = schema.safeParse(message);
    if (!parsed.success) return refuse(id, ErrorCode.InvalidParams, `Invalid params: ${method} needs params.taskId, a string`);
    const { taskId } = parsed.data.params;
    const stub = this.#stub(taskId);
    if (!stub) return Promise.resolve(notFound(id, taskId));
    if (method === "tasks/get") return this.#get(id, taskId, stub);
    if (method === "tasks/cancel") return this.#cancel(id, taskId, stub);
    return this.#results.serve(id, taskId, stub);
  }

  /** Stores the task, then answers its CreateTaskResult. */
  async #create(message: JSONRPCRequest): Promise<Answer> {
    const hint = TaskMetadataSchema.safeParse(message.params?.["task"]);
    if (!hint.success)
      return errorResponse(
        message.id,
        ErrorCode.InvalidParams,
        "Invalid params: params.task must be an object with an optional ttl",
      );
    const { tasks, principal, client, request, session } = this.#context;
    const requested = hint.data.ttl;
    // Receivers may override the ttl asked for (spec 2025-11-25, tasks): never past the maximum.
    const ttlMs = requested !== undefined && requested > 0 ? Math.min(Math.ceil(requested), MAX_TASK_TTL_MS) : tasks.ttlMs;
    const taskId = newTaskId();
    // Listed first: a task tasks/get finds must be one tasks/list shows.
    if (!(await session.rememberTask(taskId, Date.now() + ttlMs))) {
      const why = "this session has as many tasks as it may keep until they expire; wait for one to expire";
      return errorResponse(message.id, ErrorCode.InvalidRequest, `Invalid Request: ${why}`);
    }
    const start = taskStart({
      taskId,
      owner: this.#owner,
      principal,
      params: message.params ?? {},
      client,
      request,
      ttlMs,
      pollIntervalMs: tasks.pollIntervalMs,
      runMs: tasks.runMs,
    });
    const view = await this.#stub(taskId)!.create(start);
    return { jsonrpc: "2.0", id: message.id, result: { task: sessionTaskOf(view) } };
  }

  async #get(id: RequestId, taskId: string, stub: TaskRpc): Promise<Answer> {
    const view = await stub.get(this.#owner);
    return view ? { jsonrpc: "2.0", id, result: sessionTaskOf(view) } : notFound(id, taskId);
  }

  /** A task that already ended is not cancelled: -32602 (spec 2025-11-25, tasks, "Task Cancellation"). */
  async #cancel(id: RequestId, taskId: string, stub: TaskRpc): Promise<Answer> {
    const view = await stub.get(this.#owner);
    if (!view) return notFound(id, taskId);
    const ended = `Invalid params: the task ${JSON.stringify(taskId)} already ended`;
    if (view.status !== "working" && view.status !== "input_required") return errorResponse(id, ErrorCode.InvalidParams, ended);
    await stub.cancel(this.#owner);
    const after = await stub.get(this.#owner);
    if (!after) return notFound(id, taskId);
    if (after.status !== "cancelled") return errorResponse(id, ErrorCode.InvalidParams, ended);
    return { jsonrpc: "2.0", id, result: sessionTaskOf(after) };
  }

  /**
   * The session's tasks, oldest first. The cursor is the place of the last task of the page
   * before, not its id, so a page goes on after that task has expired.
   */
  async #list(message: JSONRPCRequest): Promise<Answer> {
    const parsed = ListTasksRequestSchema.safeParse(message);
    if (!parsed.success)
      return errorResponse(message.id, ErrorCode.InvalidParams, "Invalid params: params.cursor must be a string");
    const cursor = parsed.data.params?.cursor;
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0 || (cursor !== undefined && String(after) !== cursor))
      return errorResponse(message.id, ErrorCode.InvalidParams, `Invalid params: no cursor ${JSON.stringify(cursor)}`);
    const listed = (await this.#context.session.tasks()).filter(({ position }) => position > after);
    const page = listed.slice(0, TASKS_PAGE_SIZE);
    const views = await Promise.all(page.map(({ taskId }) => this.#stub(taskId)?.get(this.#owner)));
    const tasks = views.flatMap((view) => (view ? [sessionTaskOf(view)] : []));
    const last = listed.length > TASKS_PAGE_SIZE ? page.at(-1) : undefined;
    return { jsonrpc: "2.0", id: message.id, result: { tasks, ...(last && { nextCursor: String(last.position) }) } };
  }

  /** The server's initialize and tools/list answers, with what a 2025 client needs to start tasks. */
  #advertise(message: JSONRPCMessage): JSONRPCMessage {
    if (!isResponse(message) || !("result" in message) || message.id === undefined) return message;
    const method = this.#advertised.get(message.id);
    if (!method) return message;
    this.#advertised.delete(message.id);
    const { result } = message;
    if (method === "initialize") {
      const capabilities = { ...(result["capabilities"] as object), tasks: SESSION_TASKS_CAPABILITY };
      return { ...message, result: { ...result, capabilities } };
    }
    const support = this.#context.tasks.tools;
    // Copies: the SDK's answer may be a cached one (src/lane/tool-list-cache.ts).
    const tools = ((result["tools"] ?? []) as Tool[]).map((tool) =>
      support[tool.name] ? { ...tool, execution: { ...tool.execution, taskSupport: support[tool.name] } } : tool,
    );
    return { ...message, result: { ...result, tools } };
  }

  #stub(taskId: string): TaskRpc | undefined {
    return taskStub(this.#context.env, this.#context.tasks, taskId);
  }
}

/** The requests that name one task, by method. */
const TASK_REQUEST_SCHEMAS = new Map<string, ZodType<{ params: { taskId: string } }>>([
  ["tasks/get", GetTaskRequestSchema],
  ["tasks/cancel", CancelTaskRequestSchema],
  ["tasks/result", GetTaskPayloadRequestSchema],
]);

function refuse(id: RequestId, code: number, message: string): Promise<Answer> {
  return Promise.resolve(errorResponse(id, code, message));
}

function notFound(id: RequestId, taskId: string): JSONRPCMessage {
  return errorResponse(id, ErrorCode.InvalidParams, `Invalid params: no task ${JSON.stringify(taskId)}`);
}
