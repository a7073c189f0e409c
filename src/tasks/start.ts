/**
 * What a task's object is given to run the tool as the request that created it would have: the
 * same for a task a 2025 session starts and one a 2026-07-28 request starts.
 */
import type { Implementation } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../security/auth.js";
import type { TaskAnswers, TaskOwner, TaskStart } from "./record.js";

/** Request headers a task's handler does not get: the principal already carries what they proved. */
const WITHHELD_HEADERS = new Set(["authorization", "cookie"]);

export interface TaskCall {
  taskId: string;
  owner: TaskOwner;
  principal: Principal;
  /** The `tools/call` params: name, arguments and _meta are kept, any task hint is not. */
  params: Record<string, unknown>;
  client: { capabilities: object; info: Implementation };
  request: Request;
  ttlMs: number;
  pollIntervalMs: number;
  runMs: number;
  answers?: TaskAnswers | undefined;
}

export function taskStart({
  taskId,
  owner,
  principal,
  params,
  client,
  request,
  ttlMs,
  pollIntervalMs,
  runMs,
  answers,
}: TaskCall): TaskStart {
  const {
    name,
    arguments: args,
    _meta,
  } = params as {
    name: string;
    arguments?: Record<string, unknown>;
    _meta?: Record<string, unknown>;
  };
  return {
    taskId,
    owner,
    principal,
    call: { name, ...(args !== undefined && { arguments: args }), ...(_meta !== undefined && { _meta }) },
    client: { capabilities: client.capabilities as Record<string, unknown>, info: client.info },
    request: { url: request.url, headers: forwardedHeaders(request.headers) },
    ttlMs,
    pollIntervalMs,
    runMs,
    ...(answers !== undefined && { answers }),
  };
}

function forwardedHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !WITHHELD_HEADERS.has(name)));
}
