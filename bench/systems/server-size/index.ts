/**
 * The server-size system (issue 18): durable-mcp hosting servers of 1, 12, 50 and 200 tools
 * (catalog.ts), built per request with their schemas made once per isolate or per request, or
 * reused (`serverReuse`), each with and without the library's request log line: one
 * createMcpHandler per variant on its own path (`/mcp/<size>/<build>/<quiet|logged>`) in one Worker, so that every variant runs in
 * the same workerd and the harness compares them round by round.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { createMcpHandler, type McpHandler } from "../../../src/lib.js";
import { SERVER_CAPABILITIES } from "../tools.ts";
import {
  LOG_VARIANTS,
  registerSizedTools,
  SERVER_BUILDS,
  SERVER_SIZES,
  serverSizePath,
  type ServerBuild,
  type ServerSize,
} from "./catalog.ts";

export { SessionDO, TopicDO } from "../../../src/lib.js";

function createSizedServer(size: ServerSize, build: ServerBuild): McpServer {
  // As (e): the SDK's default validator (Ajv) compiles with new Function, which Workers forbid.
  const server = new McpServer(
    { name: `bench-server-size-${size}`, version: "0.1.0" },
    { capabilities: SERVER_CAPABILITIES, jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  registerSizedTools(server, size, build);
  return server;
}

const handlers = new Map<string, McpHandler<object>>();
for (const size of SERVER_SIZES) {
  for (const build of SERVER_BUILDS) {
    for (const log of LOG_VARIANTS) {
      const path = serverSizePath(size, build, log);
      const server = () => createSizedServer(size, build);
      const serverReuse = build.startsWith("reused") ? "deployment" : "never";
      handlers.set(path, createMcpHandler<object>({ path, server, serverReuse, requestLog: log === "logged" }));
    }
  }
}
// Any handler answers /health (which the harness waits for) and the 404 of other paths.
const fallback = handlers.get(serverSizePath(1, "isolate", "quiet"))!;

export default {
  fetch: (request, env, ctx) => (handlers.get(new URL(request.url).pathname) ?? fallback).fetch(request, env, ctx),
} satisfies ExportedHandler<object>;
