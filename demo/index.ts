/**
 * The deployable Worker: the demo MCP server on durable-mcp, built only through the library,
 * with the operator routes (demo/ops.ts) and a cron trigger that tells the subscribers of
 * demo://clock it changed.
 */
import { CLOCK_URI } from "./resources.js";
import { createOpsApp } from "./ops.js";
import { DEMO_TASK_TOOLS } from "./report.js";
import { demoServerFactory } from "./server.js";
import { createMcpHandler, createPusher } from "../src/lib.js";

export { ListenHubDO, SessionDO, SessionQuotaDO, StateDO, TopicDO } from "../src/lib.js";
const mcp = createMcpHandler<object>({
  server: demoServerFactory,
  // The demo authenticates nobody, so its one principal is everyone: its notes and principal-wide
  // switch are the deployment's, by this choice (README, "State").
  state: { sharedPrincipal: "deployment" },
  tasks: { tools: DEMO_TASK_TOOLS },
});
// Each task runs in its own object of this class, which builds the demo's server (README, "Long-running tools").
export const TaskDO = mcp.TaskDO;
const ops = createOpsApp();

export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname.startsWith("/ops/") ? ops.fetch(request, env, ctx) : mcp.fetch(request, env, ctx);
  },
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(createPusher(env).resourceUpdated(CLOCK_URI));
  },
} satisfies ExportedHandler<object>;
