/**
 * The contract between a deployment and the library: a factory that builds the user's MCP server.
 * Every lane gets its server from a ServerSource (./server-pool.ts), which builds it through
 * `buildServer`, so every server gets the Worker defaults below.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { Principal } from "../security/auth.js";
import type { RequestState } from "../state/request-state.js";

/** What the handler needs of a server: the SDK's `McpServer` and low-level `Server` both fit. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
}

export interface ServerContext<E> {
  env: E;
  request: Request;
  /** Who the request comes from: what a server registers may depend on it. */
  principal: Principal;
  /** The request's state, by scope (README, "State"): what a server registers may depend on it too. */
  state: RequestState;
}

/**
 * Called for every request, whose server it returns; with `serverReuse`, once for many requests
 * (./server-pool.ts). It may be async, to read what it registers from storage first; that read is
 * then on the path of every request that builds a server.
 */
export type ServerFactory<E> = (context: ServerContext<E>) => ConnectableServer | Promise<ConnectableServer>;

export async function buildServer<E>(factory: ServerFactory<E>, context: ServerContext<E>): Promise<ConnectableServer> {
  const server = await factory(context);
  useWorkerValidator(server);
  return server;
}

/**
 * Ajv, the SDK's default JSON Schema validator, compiles schemas with `new Function`, which
 * Workers forbid: an elicitation answer checked against its schema would fail. The SDK has no
 * setter for the validator, so a server still holding the default gets the SDK's own Workers
 * validator instead; one the user chose is kept. The Ajv instance is built by then (about 0.3 ms
 * per server under `wrangler dev`), which only passing a validator avoids (README, "Bring your own
 * server"). test/worker/server-defaults.test.ts fails if an SDK update moves the field.
 */
function useWorkerValidator(server: ConnectableServer): void {
  const slot = lowLevel(server) as unknown as { _jsonSchemaValidator?: unknown } | undefined;
  if (slot?._jsonSchemaValidator instanceof AjvJsonSchemaValidator) slot._jsonSchemaValidator = new CfWorkerJsonSchemaValidator();
}

/** The SDK's protocol object of a server, whichever of its two APIs it was built with. */
export function lowLevel(server: ConnectableServer): Server | undefined {
  return server instanceof McpServer ? server.server : server instanceof Server ? server : undefined;
}
