/**
 * The contract between a deployment and the library: a factory that builds the user's MCP server.
 * Every lane calls it once per request, so a server never outlives the request it serves.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";

/** What the handler needs of a server: the SDK's `McpServer` and low-level `Server` both fit. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
}

export interface ServerContext<E> {
  env: E;
  request: Request;
}

/** Called for every request: the server it returns lives as long as that request. */
export type ServerFactory<E> = (context: ServerContext<E>) => ConnectableServer;
