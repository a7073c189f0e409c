// System (b)'s McpAgent for the idle session: the same agent, whose object logs each start, so
// the bench can see when it was evicted and started again.
import { BenchMcpAgent } from "../mcp-agent/index.ts";

export class IdleMcpAgent extends BenchMcpAgent {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    console.log(JSON.stringify({ event: "do_start", at: Date.now() }));
  }
}

const mcp = IdleMcpAgent.serve("/mcp", { binding: "MCP_OBJECT" });

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/health") return Response.json({ status: "ok" });
    return mcp.fetch(request, env, ctx);
  },
} satisfies ExportedHandler;
