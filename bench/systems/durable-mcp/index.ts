/**
 * System (e): durable-mcp hosting the same McpServer as (b) and (c), the bench's two tools,
 * with no request log line: neither of them logs per request. The demo, (a), registers a dozen
 * tools, resources and prompts for every POST and logs each one; this is the host alone.
 * The soak (bench/lib/soak.ts) runs it twice, once with the var REQUEST_LOG=on, to measure what
 * the library's default request log line costs.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { createMcpHandler } from "../../../src/lib.js";
import { registerBenchTools, SERVER_CAPABILITIES } from "../tools.ts";

export { SessionDO, TopicDO } from "../../../src/lib.js";

function createBenchServer(): McpServer {
  // The demo's validator: the SDK's default (Ajv) compiles with new Function, which Workers forbid.
  const server = new McpServer(
    { name: "bench-durable-mcp", version: "0.1.0" },
    { capabilities: SERVER_CAPABILITIES, jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  registerBenchTools(server);
  return server;
}

const quiet = createMcpHandler<object>({ server: createBenchServer, requestLog: false });
const logged = createMcpHandler<object>({ server: createBenchServer, requestLog: true });

export default {
  fetch: (request, env, ctx) => (env.REQUEST_LOG === "on" ? logged : quiet).fetch(request, env, ctx),
} satisfies ExportedHandler<{ REQUEST_LOG?: string }>;
