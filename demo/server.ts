/**
 * The demo MCP server the worker hosts. A fresh instance is built for every HTTP request, so it
 * keeps nothing between calls: session state (log level, subscriptions) lives in the host, and
 * what its tools remember in the library's state for tools (demo/demo-state.ts).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { registerClientRequestTools } from "./client-requests.js";
import { registerDemoPrompts } from "./prompts.js";
import { registerDemoResources } from "./resources.js";
import { registerReportTool } from "./report.js";
import { registerDemoTools } from "./tools.js";
import { registerCounterTools } from "./counter.js";
import { registerNoteTools } from "./notes.js";
import { readDemoState, type DemoState } from "./demo-state.js";
import type { ServerFactory } from "../src/lib.js";

/** The demo's factory: it reads the request's state, then builds the server from it. */
export const demoServerFactory: ServerFactory<object> = async ({ state }) => createDemoServer(await readDemoState(state));

/** `state`: the request's, read by readDemoState; without it the tools that need state are left out. */
export function createDemoServer(state?: DemoState): McpServer {
  const server = new McpServer(
    { name: "durable-mcp-demo", title: "durable-mcp demo", version: "0.1.0" },
    {
      // Without it the SDK builds an Ajv instance for every server (README, "Bring your own server").
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      // Declared up front: McpServer installs the tools/resources/prompts handlers for declared
      // capabilities in its constructor, and the low-level Server installs logging/setLevel.
      capabilities: {
        logging: {},
        resources: { subscribe: true, listChanged: true },
        tools: { listChanged: true },
        prompts: { listChanged: true },
        completions: {},
      },
    },
  );

  registerDemoTools(server, state);
  const handles = state?.state.handles();
  if (handles) registerCounterTools(server, handles);
  if (state) registerNoteTools(server, state);
  registerClientRequestTools(server);
  registerReportTool(server);
  registerDemoResources(server);
  registerDemoPrompts(server);

  return server;
}
