/**
 * createMcpHandler's `tasks` option (README, "Long-running tools"): which tools run as durable
 * tasks, where their objects are, and how long a task's record is kept. Every limit here is one
 * the platform sets or a client could otherwise push without bound.
 */

/** "optional": a task when the client negotiates tasks, otherwise an ordinary call. "required": a task or -32021. */
export type TaskSupport = "optional" | "required";

/**
 * A task tool that asks its first questions before it becomes a task (SEP-2663 with SEP-2322):
 * they travel as a multi round-trip request, and the round that brings their answers starts the
 * task, whose run finds them answered.
 */
export interface TaskToolOptions {
  support: TaskSupport;
  askFirst?: boolean;
}

export interface TasksOptions {
  /** The tools that run as tasks, by name, with how they must be called. */
  tools: Record<string, TaskSupport | TaskToolOptions>;
  /** The task object's binding in wrangler.toml (class `TaskDO`). Default "MCP_TASKS". */
  binding?: string;
  /** How long a task's record is kept after it was created. Default 1 hour, at most MAX_TASK_TTL_MS. */
  ttlMs?: number;
  /** How often a client should poll `tasks/get`. Default 1 s. */
  pollIntervalMs?: number;
  /** How long one run of a tool may take before its task ends `failed`. Default and at most MAX_TASK_RUN_MS. */
  runMs?: number;
}

export interface ResolvedTasksOptions {
  tools: Readonly<Record<string, TaskSupport>>;
  /** The tools whose first questions are asked before the task starts. */
  askFirst: ReadonlySet<string>;
  binding: string;
  jurisdiction: DurableObjectJurisdiction | undefined;
  ttlMs: number;
  pollIntervalMs: number;
  runMs: number;
}

export const DEFAULT_TASKS_BINDING = "MCP_TASKS";

/** A task's record is a client's result waiting to be fetched: an hour covers a client that reconnects. */
export const DEFAULT_TASK_TTL_MS = 60 * 60 * 1000;

/** Nothing a client asks for is kept longer than a day: every task object deletes itself by then. */
export const MAX_TASK_TTL_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * The largest tool result a task keeps. A Durable Object storage value holds at most 2 MiB
 * (Cloudflare, "Durable Objects limits"); half of it leaves room for the rest of the record.
 */
export const MAX_TASK_RESULT_BYTES = 1024 * 1024;

/** Runs of one task, counting the first: a tool declared idempotent is started again after a cut-off run. */
export const MAX_TASK_ATTEMPTS = 3;

/**
 * How long one run may take. The run is awaited in the object's alarm handler, whose wall time
 * Cloudflare limits to 15 minutes (docs/measurements/task-limits.md); a run stopped here ends as
 * `failed` with this reason rather than being cut off by the platform without one.
 */
export const MAX_TASK_RUN_MS = 14 * 60 * 1000;

/** The longest one wait for a task's change takes (TaskDO `next`): its caller asks again, so no RPC outlives a dropped caller by long. */
export const MAX_TASK_WAIT_MS = 30_000;

export function resolveTasksOptions(
  options: TasksOptions | undefined,
  jurisdiction: DurableObjectJurisdiction | undefined,
): ResolvedTasksOptions {
  const ttlMs = options?.ttlMs ?? DEFAULT_TASK_TTL_MS;
  const pollIntervalMs = options?.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const runMs = options?.runMs ?? MAX_TASK_RUN_MS;
  // The wire carries both as integer milliseconds (SEP-2663); a task that expires at once helps nobody.
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`tasks.ttlMs must be a positive integer of milliseconds, not ${ttlMs}`);
  if (!Number.isInteger(runMs) || runMs <= 0)
    throw new RangeError(`tasks.runMs must be a positive integer of milliseconds, not ${runMs}`);
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 0) {
    throw new RangeError(`tasks.pollIntervalMs must be a non-negative integer of milliseconds, not ${pollIntervalMs}`);
  }
  const tools: Record<string, TaskSupport> = {};
  const askFirst = new Set<string>();
  for (const [name, tool] of Object.entries(options?.tools ?? {})) {
    const support = typeof tool === "string" ? tool : tool?.support;
    if (support !== "optional" && support !== "required") {
      throw new RangeError(
        `tasks.tools.${name} must be "optional", "required" or { support, askFirst }, not ${JSON.stringify(tool)}`,
      );
    }
    tools[name] = support;
    if (typeof tool === "object" && tool.askFirst === true) askFirst.add(name);
  }
  return {
    tools,
    askFirst,
    binding: options?.binding ?? DEFAULT_TASKS_BINDING,
    jurisdiction,
    ttlMs: Math.min(ttlMs, MAX_TASK_TTL_MS),
    pollIntervalMs,
    runMs: Math.min(runMs, MAX_TASK_RUN_MS),
  };
}
