/**
 * The library's entry point: `createMcpHandler(options)` returns the Worker's fetch handler and
 * the deployment's TaskDO class (it runs this handler's server). Export `SessionDO` from the
 * Worker module next to it, bound as options.binding, and `TaskDO` when tools run as tasks.
 */
import { createTaskObject } from "../tasks/task-do.js";
import type { DurableObject } from "cloudflare:workers";
import type { McpHandler } from "../wire/endpoint.js";
import { createApp } from "./app.js";
import { resolveOptions, type McpHandlerOptions } from "./options.js";
import { taskRuntime } from "./task-runtime.js";

export interface McpHandlerWithTasks<E> extends McpHandler<E> {
  /**
   * The Durable Object class of this deployment's tasks: export it as `TaskDO` (README,
   * "Long-running tools"). Typed as the class a Worker exports, without its RPC: the Worker
   * reaches it only through the library, and its RPC types are the tasks extension's.
   */
  TaskDO: new (ctx: DurableObjectState, env: E) => DurableObject<E>;
}

export function createMcpHandler<E extends object>(options: McpHandlerOptions<E>): McpHandlerWithTasks<E> {
  const resolved = resolveOptions(options);
  const app = createApp(resolved);
  return {
    fetch: (request, env, ctx) => app.fetch(request, env, ctx),
    TaskDO: createTaskObject(taskRuntime(resolved)),
  };
}
