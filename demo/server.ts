/**
 * The demo MCP server the worker hosts. A fresh instance is built for every HTTP request, so it
 * keeps nothing between calls: session state (log level, subscriptions) lives in the host, and
 * the extra tool's switch in a Durable Object of the demo's own.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerClientRequestTools } from "./client-requests.js";
import { registerDemoPrompts } from "./prompts.js";
import { registerDemoResources } from "./resources.js";
import type { ExtraToolSwitch } from "./extra-tool.js";
import { registerDemoTools } from "./tools.js";
import { registerCounterTools } from "./counter.js";
import type { HandleStore } from "../src/lib.js";

export interface DemoServerOptions {
  /** Where toggle_extra_tool keeps its switch (demo/extra-tool.ts); none keeps it per request. */
  extraTool?: ExtraToolSwitch;
  /** The principal's handles, for the counter tools (demo/counter.ts); none leaves them out. */
  handles?: HandleStore;
}

export function createDemoServer({ extraTool, handles }: DemoServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: "durable-mcp-demo", title: "durable-mcp demo", version: "0.1.0" },
    {
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

  registerDemoTools(server, extraTool);
  if (handles) registerCounterTools(server, handles);
  registerClientRequestTools(server);
  registerDemoResources(server);
  registerDemoPrompts(server);

  return server;
}
