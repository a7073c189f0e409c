/**
 * The deployable Worker: the demo MCP server on durable-mcp, built only through the library,
 * with the operator routes (demo/ops.ts) and a cron trigger that tells the subscribers of
 * demo://clock it changed.
 */
import { CLOCK_URI } from "./resources.js";
import { extraToolSwitch } from "./extra-tool.js";
import { createOpsApp } from "./ops.js";
import { createDemoServer } from "./server.js";
import { createMcpHandler, createPusher, createStateStore } from "../src/lib.js";

export { ListenHubDO, SessionDO, SessionQuotaDO, StateDO, TopicDO } from "../src/lib.js";
export { ExtraToolDO } from "./extra-tool.js";

const mcp = createMcpHandler<object>({
  server: async ({ env, principal }) =>
    createDemoServer({ extraTool: await extraToolSwitch(env, principal), handles: createStateStore(env).handles(principal) }),
});
const ops = createOpsApp();

export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname.startsWith("/ops/") ? ops.fetch(request, env, ctx) : mcp.fetch(request, env, ctx);
  },
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(createPusher(env).resourceUpdated(CLOCK_URI));
  },
} satisfies ExportedHandler<object>;
