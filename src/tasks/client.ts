/**
 * How the Worker reaches a task: its object by id, in the deployment's jurisdiction.
 */
import { hasBinding, objectNamed } from "../wire/namespace.js";
import type { ResolvedTasksOptions } from "./options.js";
import type { TaskError, TaskOwner, TaskStart, TaskView } from "./record.js";

/** What TaskDO answers over RPC; declared here so that stubs stay shallow types. */
export interface TaskRpc extends Rpc.DurableObjectBranded {
  /** Stores the task and starts it; a second create of the same id answers the first. */
  create(start: TaskStart): Promise<TaskView>;
  /** The task as `owner` may see it; null when it does not exist for them. */
  get(owner: TaskOwner): Promise<TaskView | null>;
  /** The task once it changed since `lastUpdatedAt`, or after `waitMs` unchanged; null when it does not exist for `owner`. */
  next(owner: TaskOwner, lastUpdatedAt: string, waitMs: number): Promise<TaskView | null>;
  /** The client's answers, by key; false when the task does not exist for `owner`. */
  update(owner: TaskOwner, responses: Record<string, unknown>): Promise<boolean>;
  /** Fails the handler's question `key` with the client's error; false when the task does not exist for `owner`. */
  refuse(owner: TaskOwner, key: string, error: TaskError): Promise<boolean>;
  /** Stops the handler; false when the task does not exist for `owner`. */
  cancel(owner: TaskOwner): Promise<boolean>;
}

/** We mint UUIDs: an id longer than this was never ours, and is not worth an object lookup. */
export const MAX_TASK_ID_LENGTH = 64;

/**
 * The task's object; undefined when the binding is missing or the id is longer than any we mint. Typed as TaskRpc itself: the stub's mapped type of a view that holds JSON
 * values is too deep for the compiler, and every method already returns a promise of plain data.
 */
export function taskStub(env: object, options: ResolvedTasksOptions, taskId: string): TaskRpc | undefined {
  if (taskId.length > MAX_TASK_ID_LENGTH) return undefined;
  return objectNamed<TaskRpc>(env, options.binding, options.jurisdiction, taskId) as TaskRpc | undefined;
}

/** A task id is its only name: random, so that knowing one is not learning another. */
export function newTaskId(): string {
  return crypto.randomUUID();
}

/** Whether this deployment runs tasks: some tool is marked and the task object is bound. */
export function tasksOn(env: object, tasks: ResolvedTasksOptions): boolean {
  return Object.keys(tasks.tools).length > 0 && hasBinding(env, tasks.binding);
}
