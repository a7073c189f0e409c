// Reaching the Worker under test and its session objects from inside workerd.
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { SessionRecord } from "../../src/sessions/record.js";
import type { SessionDO } from "../../src/sessions/object/session-do.js";
import { createDemoServer } from "../../demo/server.js";
import { createMcpHandler, type McpHandlerOptions } from "../../src/lib.js";
import type { Endpoint } from "../shared/mcp.js";
import { streamRequest, type StreamAsk, type StreamRefusal } from "../../src/sessions/rpc.js";
import { bridgeStream, readOpening } from "../../src/wire/bridge/worker-end.js";

export const worker: Endpoint = {
  url: "http://localhost/mcp",
  fetch: (request) => exports.default.fetch(request),
};

/**
 * A handler with other options than the deployed Worker's (the demo's server unless `server`
 * says otherwise), on the same SessionDO; `vars` stand for secrets the deployment would have.
 */
export function workerWith(options: Partial<McpHandlerOptions<Cloudflare.Env>>, vars: Record<string, string> = {}): Endpoint {
  const handler = createMcpHandler<Cloudflare.Env>({ server: () => createDemoServer(), ...options });
  const withVars = { ...env, ...vars };
  return { url: worker.url, fetch: async (request) => handler.fetch(request as never, withVars, createExecutionContext()) };
}

/** A tools/call result of one text block. */
export const textResult = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

/** Waits past a request's end: a reused server goes back to its pool once the answer is out (src/lane/server-pool.ts). */
export const released = () => new Promise((resolve) => setTimeout(resolve, 20));

export function sessionObject(sessionId: string): DurableObjectStub<SessionDO> {
  return env.MCP_SESSION.get(env.MCP_SESSION.idFromName(sessionId));
}

/** What the session object has in storage: its record, and the number of rows in each table. */
export function storedState(sessionId: string): Promise<{ record?: SessionRecord; tables: string[] }> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'`,
      )
      .toArray()
      .map(({ name }) => name);
    if (!tables.includes("session")) return { tables };
    const row = state.storage.sql.exec<{ record: string }>(`SELECT record FROM session`).toArray()[0];
    return { tables, record: row ? (JSON.parse(row.record) as SessionRecord) : undefined };
  });
}

/**
 * A GET's stream as `object` (a session object's instance) opens it, bridged here as the Worker
 * would: the SSE response, or why there is none.
 */
export async function streamOf(
  object: { fetch(request: Request): Promise<Response> },
  ask: StreamAsk,
): Promise<Response | StreamRefusal["status"]> {
  const opening = await readOpening<StreamRefusal>(await object.fetch(streamRequest(ask)));
  return opening.status === "open" ? bridgeStream(opening.upgrade, {}) : opening.status;
}
