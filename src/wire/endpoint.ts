/**
 * The MCP endpoint as a Worker sees it: its default path, and the handler type createMcpHandler
 * and withOAuth return.
 */

/** The MCP endpoint's path unless a deployment names another; the OAuth wrapper guards the same one. */
export const DEFAULT_MCP_PATH = "/mcp";

/** An `ExportedHandler` whose `fetch` is always there, so callers need no `fetch!`. */
export interface McpHandler<E> {
  fetch: ExportedHandlerFetchHandler<E>;
}
