/**
 * durable-mcp as a library: what a Worker that brings its own MCP server imports.
 */
export { createMcpHandler } from "./handler.js";
export { createPusher, type Pusher, type PusherOptions } from "./push/pusher.js";
export { TopicDO } from "./push/topic-do.js";
export { anonymous, bearerTokens, type Authenticator, type Principal } from "./security/auth.js";
export { SessionDO, type SessionStats } from "./session/session-do.js";
export type { SessionRecord } from "./session/record.js";
export type { ChosenSessionSettings as SessionSettings } from "./session/settings.js";
export type { ResponseMode } from "./transport/response-channel.js";
export type { ConnectableServer, McpHandlerOptions, ServerContext, ServerFactory } from "./worker/options.js";
