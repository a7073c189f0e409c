/**
 * A 2026-07-28 result as the wire wants it, made from what the SDK v1 server answered: every
 * result says its `resultType` and the server's identity in `_meta`, cacheable ones say how long
 * they may be reused, and `server/discover` is built from the server's own initialize result.
 */
import { SERVER_INFO_META_KEY } from "@modelcontextprotocol/server";
import {
  ErrorCode,
  type Implementation,
  type InitializeResult,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { isErrorResponse } from "../wire/message-kind.js";
import { CACHEABLE_METHODS, SUPPORTED_VERSIONS, TASKS_CAPABILITY } from "./protocol.js";

/** How long a client may reuse a cacheable result, and whether across authorization contexts. */
export interface CacheHints {
  ttlMs: number;
  cacheScope: "public" | "private";
}

/** Reuse nothing and share nothing unless the deployment says otherwise (the SDK v2 default too). */
export const DEFAULT_CACHE_HINTS: CacheHints = { ttlMs: 0, cacheScope: "private" };

/**
 * What the 2026-07-28 ServerCapabilities has of a session-era server's. List changes and
 * resource updates reach a client only through listen streams: a deployment without listener
 * hubs (`listens` false) does not advertise them.
 */
function modernCapabilities(
  { experimental, logging, completions, prompts, resources, tools }: ServerCapabilities,
  listens: boolean,
): ServerCapabilities {
  const listChanged = (declared: { listChanged?: boolean }) => (listens && declared.listChanged ? { listChanged: true } : {});
  return {
    ...(experimental && { experimental }),
    ...(logging && { logging }),
    ...(completions && { completions }),
    ...(prompts && { prompts: listChanged(prompts) }),
    ...(resources && { resources: { ...listChanged(resources), ...(listens && resources.subscribe && { subscribe: true }) } }),
    ...(tools && { tools: listChanged(tools) }),
  };
}

/** What the deployment adds to the server's own capabilities: listen streams, the tasks extension. */
export interface DeploymentFeatures {
  listens: boolean;
  tasks: boolean;
}

export function discoverResult(
  initialized: InitializeResult,
  cache: CacheHints,
  { listens, tasks }: DeploymentFeatures,
): Record<string, unknown> {
  const capabilities = modernCapabilities(initialized.capabilities, listens);
  return {
    supportedVersions: SUPPORTED_VERSIONS,
    capabilities: tasks ? { ...capabilities, extensions: TASKS_CAPABILITY } : capabilities,
    ...(initialized.instructions !== undefined && { instructions: initialized.instructions }),
    ...cache,
  };
}

/** The server's answer to `request`, stamped for the 2026-07-28 wire. */
export function stampAnswer(
  request: JSONRPCRequest,
  answer: JSONRPCMessage,
  serverInfo: Implementation,
  cache: CacheHints,
): JSONRPCMessage {
  const { method } = request;
  if (isErrorResponse(answer)) return withResourceUri(request, answer);
  if (!("result" in answer)) return answer;
  const result: Record<string, unknown> = { ...answer.result };
  result["resultType"] ??= "complete";
  if (CACHEABLE_METHODS.has(method) && result["resultType"] === "complete") {
    if (!validTtl(result["ttlMs"])) result["ttlMs"] = cache.ttlMs;
    if (result["cacheScope"] !== "public" && result["cacheScope"] !== "private") result["cacheScope"] = cache.cacheScope;
  }
  // The 2026-07-28 Tool has no `execution`: the SDK v1 server adds one to every tool.
  if (method === "tools/list" && Array.isArray(result["tools"])) {
    result["tools"] = result["tools"].map(({ execution: _execution, ...tool }: Record<string, unknown>) => tool);
  }
  result["_meta"] = { ...(result["_meta"] as object | undefined), [SERVER_INFO_META_KEY]: serverInfo };
  return { ...answer, result };
}

/**
 * A resource the server does not have is -32602 with the URI in `data` (spec 2026-07-28,
 * server/resources): the SDK v1 McpServer says so in its message only.
 */
function withResourceUri(request: JSONRPCRequest, answer: JSONRPCErrorResponse): JSONRPCErrorResponse {
  const { error } = answer;
  const missing =
    request.method === "resources/read" && error.code === ErrorCode.InvalidParams && /not found/i.test(error.message);
  if (!missing || error.data !== undefined) return answer;
  return { ...answer, error: { ...error, data: { uri: request.params?.["uri"] } } };
}

function validTtl(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
