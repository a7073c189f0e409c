/** The MCP endpoint's path unless a deployment names another; the OAuth wrapper guards the same one. */
export const DEFAULT_MCP_PATH = "/mcp";
