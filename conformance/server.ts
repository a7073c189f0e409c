/**
 * The conformance fixture: an MCP server with every tool, resource, prompt and completion that the
 * server scenarios of @modelcontextprotocol/conformance call (`conformance list --server`), built
 * like any user's server. A fresh instance serves each request, so it keeps no state of its own:
 * client capabilities, the log level and resource subscriptions are restored or kept by the host.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerInputRequired } from "./input-required.js";
import { registerConformancePrompts } from "./prompts.js";
import { registerConformanceResources } from "./resources.js";
import { registerStatelessProbeTools } from "./stateless-probes.js";
import { registerTaskTools } from "./tasks.js";
import { registerConformanceTools } from "./tools.js";

export function createConformanceServer(): McpServer {
  const server = new McpServer(
    { name: "durable-mcp-conformance", title: "durable-mcp conformance fixture", version: "0.1.0" },
    {
      // Declared up front, so that McpServer installs the tools/resources/prompts handlers in its
      // constructor and the low-level Server installs logging/setLevel.
      capabilities: {
        logging: {},
        completions: {},
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
      },
    },
  );
  registerConformanceTools(server);
  registerConformanceResources(server);
  registerConformancePrompts(server);
  registerInputRequired(server);
  registerStatelessProbeTools(server);
  registerTaskTools(server);
  return server;
}
