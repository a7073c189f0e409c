/**
 * Tasks on 2026-07-28 (the `io.modelcontextprotocol/tasks` extension, SEP-2663), negotiated per
 * request through `clientCapabilities.extensions`. A `tools/call` of a tool the deployment runs
 * as a task is answered `resultType: "task"` once the task's object has stored it, so a
 * `tasks/get` on any isolate finds it at once; `tasks/get`, `tasks/update` and `tasks/cancel`
 * go to that object. A task belongs to the principal that started it: to anyone else it does
 * not exist (-32602, as for an id never issued).
 */
import {
  CancelTaskRequestV2Schema,
  GetTaskRequestV2Schema,
  hasTaskClientCapabilityV2,
} from "@modelcontextprotocol/ext-tasks/core/v2";
import { ProtocolErrorCode } from "@modelcontextprotocol/server";
import { ErrorCode, type JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Principal } from "../security/auth.js";
import { newTaskId, taskStub } from "../tasks/client.js";
import type { ResolvedTasksOptions } from "../tasks/options.js";
import type { TaskAnswers, TaskView } from "../tasks/record.js";
import { taskStart } from "../tasks/start.js";
import { jsonRpcError } from "../wire/errors.js";
import type { Envelope } from "./envelope.js";
import { TASKS_CAPABILITY } from "./protocol.js";

/**
 * `tasks/update`'s params. Looser than the extension's UpdateTaskRequestV2Schema on purpose: an
 * answer to a key the task does not wait on is ignored rather than refused (SEP-2663), so only
 * the answers to pending questions are checked, against the question each answers.
 */
const UpdateParamsSchema = z.object({ taskId: z.string(), inputResponses: z.record(z.string(), z.unknown()) });

/** How `tools/call` of `message` runs: as a task, synchronously, or refused (-32021). */
export function taskDispatch(message: JSONRPCRequest, tasks: ResolvedTasksOptions): "task" | "sync" | Response {
  const support = tasks.tools[String(message.params?.["name"])];
  if (support === undefined) return "sync";
  if (hasTaskClientCapabilityV2(message.params)) return "task";
  if (support === "optional") return "sync";
  return missingExtension(message, `the tool ${String(message.params?.["name"])} runs only as a task`);
}

/**
 * `tools/call` without the session era's `task` hint (SEP-1686). On this era it is tolerated and
 * never makes a task (SEP-2663: the server alone decides), while the SDK v1 server would refuse
 * it for a server without the session era's tasks capability.
 */
export function withoutTaskHint(message: JSONRPCRequest): JSONRPCRequest {
  if (message.method !== "tools/call" || message.params?.["task"] === undefined) return message;
  const { task: _task, ...params } = message.params;
  return { ...message, params };
}

/**
 * Stores the task, then answers the flat CreateTaskResult (no `result`, `requestState` or v1
 * names). `answers`: what the client answered before the call became a task (a tool that asks first).
 */
export async function createTask(
  env: object,
  tasks: ResolvedTasksOptions,
  request: Request,
  message: JSONRPCRequest,
  envelope: Envelope,
  principal: Principal,
  answers?: TaskAnswers,
): Promise<Record<string, unknown>> {
  const taskId = newTaskId();
  const start = taskStart({
    taskId,
    owner: { principal: principal.id },
    principal,
    params: message.params ?? {},
    client: { capabilities: envelope.clientCapabilities, info: envelope.clientInfo },
    request,
    ttlMs: tasks.ttlMs,
    pollIntervalMs: tasks.pollIntervalMs,
    runMs: tasks.runMs,
    answers,
  });
  const view = await taskStub(env, tasks, taskId)!.create(start);
  return { resultType: "task", ...taskOf(view) };
}

/** Answers `tasks/get`, `tasks/update` or `tasks/cancel`: a result, or a Response that refuses the request. */
export async function serveTaskRequest(
  env: object,
  tasks: ResolvedTasksOptions,
  message: JSONRPCRequest,
  principal: Principal,
): Promise<Record<string, unknown> | Response> {
  if (!hasTaskClientCapabilityV2(message.params))
    return missingExtension(message, `${message.method} belongs to the tasks extension`);
  const parsed = parseTaskRequest(message);
  if (typeof parsed === "string")
    return jsonRpcError(400, ErrorCode.InvalidParams, `Invalid params: ${parsed}`, { id: message.id });
  const owner = { principal: principal.id };
  const stub = taskStub(env, tasks, parsed.taskId);
  let found: TaskView | boolean | null = null;
  if (stub && message.method === "tasks/get") found = await stub.get(owner);
  else if (stub && message.method === "tasks/update") found = await stub.update(owner, parsed.inputResponses ?? {});
  else if (stub) found = await stub.cancel(owner);
  if (!found) {
    return jsonRpcError(200, ErrorCode.InvalidParams, `Invalid params: no task ${JSON.stringify(parsed.taskId)}`, {
      id: message.id,
    });
  }
  return found === true ? { resultType: "complete" } : { ...found, resultType: "complete" };
}

function parseTaskRequest(message: JSONRPCRequest): { taskId: string; inputResponses?: Record<string, unknown> } | string {
  if (message.method === "tasks/update") {
    const checked = UpdateParamsSchema.safeParse(message.params);
    return checked.success
      ? checked.data
      : "tasks/update needs params.taskId (a string) and params.inputResponses (answers by key)";
  }
  const schema = message.method === "tasks/get" ? GetTaskRequestV2Schema : CancelTaskRequestV2Schema;
  const checked = schema.safeParse(message);
  return checked.success ? checked.data.params : `${message.method} needs params.taskId, a string`;
}

/** A Task's own fields: what CreateTaskResult carries of the DetailedTask. */
function taskOf({
  taskId,
  status,
  statusMessage,
  createdAt,
  lastUpdatedAt,
  ttlMs,
  pollIntervalMs,
}: TaskView): Record<string, unknown> {
  return {
    taskId,
    status,
    ...(statusMessage !== undefined && { statusMessage }),
    createdAt,
    lastUpdatedAt,
    ttlMs,
    pollIntervalMs,
  };
}

function missingExtension(message: JSONRPCRequest, why: string): Response {
  const required = { extensions: TASKS_CAPABILITY };
  const text = `Bad Request: ${why}; declare the client capability ${JSON.stringify(required)} in _meta`;
  return jsonRpcError(400, ProtocolErrorCode.MissingRequiredClientCapability, text, {
    id: message.id,
    data: { requiredCapabilities: required },
  });
}
