/**
 * durable-mcp as a library: what a Worker that brings its own MCP server imports.
 */
export { createMcpHandler } from "./edge/handler.js";
export { createPusher, type ChangeTarget, type Pusher, type PusherOptions } from "./push/pusher.js";
export { TopicDO } from "./sessions/topics/topic-do.js";
export { ListenHubDO } from "./listen/hub-do.js";
export { StateDO, MAX_STATE_BYTES } from "./state/state-do.js";
export {
  createStateStore,
  StateError,
  type HandleStore,
  type ScopedState,
  type StateStore,
  type StateStoreOptions,
} from "./state/store.js";
export type { RegisteredList, RequestScopedState, RequestState, UpdateOptions } from "./state/request-state.js";
export type { JSONValue } from "./state/store.js";
export type { ChangeScope } from "./lane/changes.js";
export { anonymous, bearerTokens, type Authenticator, type Principal } from "./security/auth.js";
export { DEFAULT_ALLOWED_HOSTS, originGuard, type OriginPolicy } from "./security/origin.js";
export { SessionDO } from "./sessions/object/session-do.js";
export { SessionQuotaDO } from "./sessions/quota/quota-do.js";
export type { SessionLimits } from "./sessions/worker/admission.js";
export type { RateLimitSpec } from "./security/rate-limit.js";
export type { SessionStats } from "./sessions/rpc.js";
export type { SessionRecord } from "./sessions/record.js";
export type { ChosenSessionSettings as SessionSettings } from "./sessions/settings.js";
export type { ResponseMode } from "./wire/headers.js";
export type { McpHandlerOptions } from "./edge/options.js";
export type { McpHandlerWithTasks } from "./edge/handler.js";
export type { RequestLogMode } from "./edge/request-log.js";
export type { TaskSupport, TaskToolOptions, TasksOptions } from "./tasks/options.js";
export type { McpHandler } from "./wire/endpoint.js";
export type { ConnectableServer, ServerContext, ServerFactory } from "./lane/server-factory.js";
export { MAX_IDLE_OWN_SCHEMAS, MAX_IDLE_SERVERS, type ServerReuse } from "./lane/server-pool.js";
export { INPUT_KEY_META } from "./wire/answers.js";
