/**
 * System (b): Cloudflare's McpAgent (`agents`), the baseline of the benchmark. One McpAgent
 * Durable Object per session holds a long-lived McpServer; `McpAgent.serve("/mcp")` is the
 * Worker. GET /health answers for the harness's readiness check.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpAgent } from "agents/mcp";
import { registerBenchTools, SERVER_CAPABILITIES } from "../tools.ts";

export class BenchMcpAgent extends McpAgent {
  server = new McpServer({ name: "bench-mcp-agent", version: "0.1.0" }, { capabilities: SERVER_CAPABILITIES });

  async init(): Promise<void> {
    registerBenchTools(this.server);
  }
}

const mcp = BenchMcpAgent.serve("/mcp", { binding: "MCP_OBJECT" });

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/health") return Response.json({ status: "ok" });
    return mcp.fetch(request, env, ctx);
  },
} satisfies ExportedHandler;
