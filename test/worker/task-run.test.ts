// One run of a task's tool (src/tasks/run.ts) against a real SDK McpServer in workerd: the
// replayed initialize, the idempotentHint it learns from tools/list, progress and questions as
// the task sees them, and cancellation reaching the handler's AbortSignal.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage, JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { TaskStart } from "../../src/tasks/record.js";
import { ToolCallRun, type RunHooks } from "../../src/tasks/run.js";

function startOf(name: string, args: Record<string, unknown> = {}): TaskStart {
  return {
    taskId: "t-1",
    owner: { principal: "p" },
    principal: { id: "p", shared: false },
    call: { name, arguments: args },
    client: { capabilities: { elicitation: { form: {} } }, info: { name: "test", version: "0" } },
    request: { url: "https://example.com/mcp", headers: {} },
    ttlMs: 60_000,
    pollIntervalMs: 1000,
    runMs: 60_000,
  };
}

function server(): { server: McpServer; aborted: Promise<string> } {
  const mcp = new McpServer({ name: "run-test", version: "0" });
  let fired!: (reason: string) => void;
  const aborted = new Promise<string>((resolve) => (fired = resolve));
  mcp.registerTool("wait", { annotations: { idempotentHint: true } }, async (extra) => {
    await new Promise<void>((resolve) =>
      extra.signal.addEventListener("abort", () => {
        fired(String(extra.signal.reason));
        resolve();
      }),
    );
    return { content: [] };
  });
  mcp.registerTool("work", { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
    await extra.sendNotification({
      method: "notifications/progress",
      params: { progressToken: extra._meta!.progressToken!, progress: 1, total: 2, message: "half way" },
    });
    const answer = await mcp.server.elicitInput({ message: "Go on?", requestedSchema: { type: "object", properties: {} } });
    return { content: [{ type: "text", text: `${n} ${answer.action}` }] };
  });
  return { server: mcp, aborted };
}

const quiet: RunHooks = { progress: () => {}, ask: () => new Promise(() => {}), withdraw: () => {}, change: () => {} };

describe("ToolCallRun", () => {
  it("learns from the server whether the tool declares idempotentHint", async () => {
    const { server: mcp } = server();
    const waiting = new ToolCallRun(startOf("wait"), quiet);
    await mcp.connect(waiting);
    expect(await waiting.describeTool()).toEqual({ idempotent: true });
    const { server: other } = server();
    const working = new ToolCallRun(startOf("work"), quiet);
    await other.connect(working);
    expect(await working.describeTool()).toEqual({ idempotent: false });
  });

  it("fires the handler's AbortSignal when the task is cancelled, and ends the run without the answer the SDK never sends", async () => {
    const { server: mcp, aborted } = server();
    const run = new ToolCallRun(startOf("wait"), quiet);
    await mcp.connect(run);
    await run.describeTool();
    const outcome = run.call();
    await new Promise((resolve) => setTimeout(resolve, 10));
    run.cancel("The client cancelled the task");
    expect(await aborted).toMatch(/cancelled the task/);
    // The SDK answers no cancelled request: the run ends all the same, so its object is not held waiting.
    expect(await outcome).toMatchObject({ kind: "error", error: { message: "The client cancelled the task" } });
  });

  it("turns progress into a status line and a question into an answer the handler receives", async () => {
    const { server: mcp } = server();
    const progress: string[] = [];
    const asked: JSONRPCRequest[] = [];
    const hooks: RunHooks = {
      ...quiet,
      progress: (message) => progress.push(message),
      ask: async (question): Promise<JSONRPCMessage> => {
        asked.push(question);
        return { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: {} } };
      },
    };
    const run = new ToolCallRun(startOf("work", { n: 7 }), hooks);
    await mcp.connect(run);
    await run.describeTool();
    expect(await run.call()).toEqual({ kind: "result", result: { content: [{ type: "text", text: "7 accept" }] } });
    expect(progress).toEqual(["half way"]);
    expect(asked.map((question) => question.method)).toEqual(["elicitation/create"]);
  });
});
