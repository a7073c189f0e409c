/**
 * A task as its Durable Object stores it (src/tasks/task-do.ts), and as a client sees it: the
 * 2026-07-28 DetailedTask of the `io.modelcontextprotocol/tasks` extension (SEP-2663), whose
 * names the 2025 wire maps onto.
 */
import type { DetailedTaskV2 } from "@modelcontextprotocol/ext-tasks/core/v2";
import type { Implementation } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../security/auth.js";
import type { InputRequest } from "../wire/answers.js";

export type TaskStatus = DetailedTaskV2["status"];

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "cancelled"]);

/** Who may see a task: its principal and, for a task a 2025 session started, that session alone. */
export interface TaskOwner {
  principal: string;
  sessionId?: string;
}

/** Everything the task's object needs to run the tool as the request that created it would have. */
export interface TaskStart {
  taskId: string;
  owner: TaskOwner;
  principal: Principal;
  call: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> };
  client: { capabilities: Record<string, unknown>; info: Implementation };
  /** The creating request's URL and headers: the handler's `extra.requestInfo`. */
  request: { url: string; headers: Record<string, string> };
  ttlMs: number;
  pollIntervalMs: number;
  /** How long one run may take (TasksOptions.runMs). */
  runMs: number;
  /** Answers the call already had before it became a task (a tool that asks first), by key. */
  answers?: TaskAnswers;
}

export type TaskAnswers = Record<string, { method: string; result: Record<string, unknown> }>;

export interface TaskError {
  code: number;
  message: string;
  data?: unknown;
}

export interface TaskRecord extends TaskStart {
  status: TaskStatus;
  statusMessage?: string;
  createdAt: number;
  lastUpdatedAt: number;
  /** The questions the handler waits on, by key. */
  inputRequests: Record<string, InputRequest>;
  /** Every answer the handler has had, by key: a run started again gets them without asking. */
  answers: TaskAnswers;
  result?: Record<string, unknown>;
  error?: TaskError;
  /** How many runs of the tool have started. */
  attempts: number;
  /** The tool declares `annotations.idempotentHint`: a run cut off may be started again. */
  idempotent: boolean;
}

/** The DetailedTask of `record`, without `resultType` (each wire adds its own envelope). */
export type TaskView = DetailedTaskV2;

export function viewOf(record: TaskRecord): TaskView {
  const base = {
    taskId: record.taskId,
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.lastUpdatedAt).toISOString(),
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollIntervalMs,
    ...(record.statusMessage !== undefined && { statusMessage: record.statusMessage }),
  };
  switch (record.status) {
    case "input_required":
      return { ...base, status: "input_required", inputRequests: record.inputRequests as never };
    case "completed":
      return { ...base, status: "completed", result: (record.result ?? { content: [] }) as never };
    case "failed":
      return { ...base, status: "failed", error: (record.error ?? { code: -32603, message: "The task failed" }) as never };
    default:
      return { ...base, status: record.status };
  }
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Whether `owner` may see `record`: to anyone else the task does not exist. */
export function ownedBy(record: TaskRecord, owner: TaskOwner): boolean {
  return record.owner.principal === owner.principal && record.owner.sessionId === owner.sessionId;
}
