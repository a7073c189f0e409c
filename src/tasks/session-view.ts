/**
 * A task as a 2025-11-25 session sees it (SEP-1686, the SDK v1 `Task`): the same record under
 * that era's names, `ttl` and `pollInterval`, with a tool result marked `isError` reported as
 * `failed` (spec 2025-11-25, tasks, "Task Status").
 */
import { RELATED_TASK_META_KEY, type Result, type Task } from "@modelcontextprotocol/sdk/types.js";
import type { TaskView } from "./record.js";

/** The server capability of a deployment that runs tasks for sessions. */
export const SESSION_TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

export function sessionTaskOf(view: TaskView): Task {
  const failedTool = view.status === "completed" && (view.result as { isError?: unknown }).isError === true;
  const errorMessage = view.status === "failed" ? view.error.message : undefined;
  const statusMessage = view.statusMessage ?? errorMessage;
  return {
    taskId: view.taskId,
    status: failedTool ? "failed" : view.status,
    ...(statusMessage !== undefined && { statusMessage }),
    createdAt: view.createdAt,
    lastUpdatedAt: view.lastUpdatedAt,
    ttl: view.ttlMs,
    pollInterval: view.pollIntervalMs,
  };
}

/** `_meta` that ties a message to its task. */
export function relatedTask(taskId: string, meta?: Result["_meta"]): Record<string, unknown> {
  return { ...meta, [RELATED_TASK_META_KEY]: { taskId } };
}
