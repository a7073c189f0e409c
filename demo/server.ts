/**
 * The demo MCP server the worker hosts. A fresh instance is built for every HTTP request, so it
 * keeps nothing between calls: session state (log level, subscriptions) lives in the host.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerClientRequestTools } from "./client-requests.js";
import { registerDemoPrompts } from "./prompts.js";
import { registerDemoResources } from "./resources.js";
import { registerDemoTools } from "./tools.js";

export function createDemoServer(): McpServer {
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

  registerDemoTools(server);
  registerClientRequestTools(server);
  registerDemoResources(server);
  registerDemoPrompts(server);

  return server;
}
