/**
 * The 2026-07-28 wire as this lane serves it (spec 2026-07-28: basic/versioning, basic/transports
 * "Request Metadata", server/discover, server/utilities/caching): the versions, the methods that
 * exist on it, which header names what, and the one error code the SDK v2 enum lacks.
 */
import { TASKS_EXTENSION_ID_V2 } from "@modelcontextprotocol/ext-tasks/core/v2";
import { SUPPORTED_PROTOCOL_VERSIONS as SESSION_VERSIONS } from "@modelcontextprotocol/sdk/types.js";

export const MODERN_PROTOCOL_VERSION = "2026-07-28";

/** What `server/discover` and a -32022 list: the stateless era first, then the session era's. */
export const SUPPORTED_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...SESSION_VERSIONS];

/**
 * Requests that exist on 2026-07-28. Anything else, including the methods the revision removed
 * (initialize, ping, logging/setLevel, resources/subscribe, …), is answered 404 with -32601
 * before a server is built: the SDK v1 server would otherwise still answer ping or setLevel.
 */
export const MODERN_METHODS: ReadonlySet<string> = new Set([
  "server/discover",
  "tools/list",
  "tools/call",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "completion/complete",
  "subscriptions/listen",
]);

/**
 * The task methods of the tasks extension (SEP-2663), which exist when the deployment runs tasks;
 * `tasks/result` and `tasks/list` are gone from this era (-32601).
 */
export const TASK_METHODS: ReadonlySet<string> = new Set(["tasks/get", "tasks/update", "tasks/cancel"]);

/** What `server/discover` adds under `capabilities.extensions` when tasks are on. */
export const TASKS_CAPABILITY = { [TASKS_EXTENSION_ID_V2]: {} };

/** The `params` member `Mcp-Name` must equal, for the requests that name something (SEP-2663 adds the task methods). */
export const NAMED_BY: Readonly<Record<string, "name" | "uri" | "taskId">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

/** Results that carry `ttlMs` and `cacheScope` (spec 2026-07-28, server/utilities/caching). */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set([
  "server/discover",
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
  "resources/read",
]);

/** A header disagrees with the body, is missing, or cannot be decoded (not in the SDK's ProtocolErrorCode). */
export const HEADER_MISMATCH_CODE = -32020;
