/**
 * Stands in for `@modelcontextprotocol/server` (MCP SDK v2), an optional peer of `agents` that
 * this repo does not install. `agents/mcp` imports it for the stateless `createMcpHandler`;
 * McpAgent runs on SDK v1 and only checks `instanceof` against these classes, so nothing here
 * is called. wrangler.toml aliases the package to this file.
 */
const missing = (name: string) => (): never => {
  throw new Error(`${name} needs @modelcontextprotocol/server, which the benchmark does not install`);
};

export class McpServer {}
export class Server {}
export class WebStandardStreamableHTTPServerTransport {}
export const createMcpHandler = missing("createMcpHandler");
export const hostHeaderValidationResponse = missing("hostHeaderValidationResponse");
export const isJSONRPCRequest = missing("isJSONRPCRequest");
export const isLegacyRequest = missing("isLegacyRequest");
export const localhostAllowedHostnames = missing("localhostAllowedHostnames");
export const localhostAllowedOrigins = missing("localhostAllowedOrigins");
export const originValidationResponse = missing("originValidationResponse");
