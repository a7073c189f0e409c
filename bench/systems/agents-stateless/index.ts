/**
 * System (f): Cloudflare's stateless handler, `createMcpHandler` from `agents/mcp/server`
 * (agents 0.32), the baseline of the 2026-07-28 lane. It wraps MCP SDK v2's own stateless
 * handler: a fresh v2 McpServer per request, no session and no Durable Object, as durable-mcp's
 * modern lane. It serves the same `echo` as the other systems (`toggle_extra_tool` needs a
 * session's GET stream, which this revision has not). GET /health answers for the harness's
 * readiness check.
 */
import { McpServer } from "@modelcontextprotocol/server";
import { createMcpHandler } from "agents/mcp/server";
import { z } from "zod";

// Built once per isolate, as the other systems' are.
const echoInput = z.object({ message: z.string() });

const mcp = createMcpHandler(() => {
  const server = new McpServer({ name: "bench-agents-stateless", version: "0.1.0" });
  server.registerTool("echo", { description: "Returns the message unchanged.", inputSchema: echoInput }, ({ message }) => ({
    content: [{ type: "text", text: message }],
  }));
  return server;
});

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/health") return Response.json({ status: "ok" });
    return mcp(request, env, ctx);
  },
} satisfies ExportedHandler;
