/**
 * durable-mcp as a library: what a Worker that brings its own MCP server imports.
 */
export { createMcpHandler } from "./handler.js";
export { SessionDO } from "./session/session-do.js";
export type { SessionRecord } from "./session/record.js";
export type { ResponseMode } from "./transport/response-channel.js";
export type { ConnectableServer, McpHandlerOptions, ServerContext, ServerFactory } from "./worker/options.js";
