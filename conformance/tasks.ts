/**
 * Tools of the tasks-* scenarios (the `io.modelcontextprotocol/tasks` extension, SEP-2663),
 * written as ordinary handlers: the deployment marks them as tasks (conformance/index.ts), and
 * durable-mcp runs them in their own TaskDO. `greet` is the scenarios' sync-only tool.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ElicitRequestFormParams } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { TaskSupport, TaskToolOptions } from "../src/lib.js";
import { sleep, text } from "./content.js";

/** A question in a task waits for the client's next `tasks/update`: longer than a round trip. */
const TASK_ANSWER_TIMEOUT_MS = 60_000;

/** How the scenarios expect each tool to be called; `greet` is not among them (sync only). */
export const CONFORMANCE_TASK_TOOLS: Record<string, TaskSupport | TaskToolOptions> = {
  test_tool_with_task: { support: "required", askFirst: true },
  slow_compute: "optional",
  failing_job: "required",
  protocol_error_job: "optional",
  confirm_delete: "optional",
  multi_input: "optional",
};

const CONFIRM: ElicitRequestFormParams = {
  message: "Confirm?",
  requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] },
};

const USER_NAME: ElicitRequestFormParams = {
  message: "Your name (user_name)",
  requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
};

const NAMED: ElicitRequestFormParams = {
  message: "Your name, and whether to go on",
  requestedSchema: { type: "object", properties: { name: { type: "string" }, confirm: { type: "boolean" } } },
};

export function registerTaskTools(server: McpServer): void {
  server.registerTool(
    "greet",
    { description: "Greets by name, synchronously", inputSchema: { name: z.string() } },
    ({ name }): CallToolResult => text(`Hello, ${name}!`),
  );

  server.registerTool(
    "test_tool_with_task",
    { description: "Asks the user's name before it becomes a task, then greets them from the task", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const answer = await server.server.elicitInput(USER_NAME, { signal: extra.signal, timeout: TASK_ANSWER_TIMEOUT_MS });
      await sleep(500);
      return text(`Hello, ${String(answer.content?.["name"] ?? "stranger")}, from the task`);
    },
  );

  server.registerTool(
    "slow_compute",
    {
      description: "Sleeps `seconds`, then answers; stops when cancelled",
      inputSchema: { seconds: z.number().min(0), label: z.string().optional() },
    },
    async ({ seconds, label }, extra): Promise<CallToolResult> => {
      await Promise.race([sleep(seconds * 1000), new Promise((resolve) => extra.signal.addEventListener("abort", resolve))]);
      return text(`Computed ${label ?? "result"} after ${seconds}s`);
    },
  );

  server.registerTool(
    "failing_job",
    { description: "Reports a tool error after about a second", inputSchema: {} },
    async (): Promise<CallToolResult> => {
      await sleep(1000);
      return { content: [{ type: "text", text: "The job failed" }], isError: true };
    },
  );

  server.registerTool(
    "protocol_error_job",
    { description: "Answers a result that is not a CallToolResult: a protocol error", inputSchema: {} },
    // The SDK refuses the malformed result with a JSON-RPC error: the task fails rather than completes.
    async () => ({ content: "not an array" }) as unknown as CallToolResult,
  );

  server.registerTool(
    "confirm_delete",
    { description: "Asks the user to confirm before deleting a file", inputSchema: { filename: z.string() } },
    async ({ filename }, extra): Promise<CallToolResult> => {
      const answer = await server.server.elicitInput(
        { ...CONFIRM, message: `Delete ${filename}?` },
        { signal: extra.signal, timeout: TASK_ANSWER_TIMEOUT_MS },
      );
      const confirmed = answer.action === "accept" && answer.content?.["confirm"] === true;
      return text(confirmed ? `Deleted ${filename}` : `Kept ${filename}`);
    },
  );

  server.registerTool(
    "multi_input",
    { description: "Asks two questions at once", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const options = { signal: extra.signal, timeout: TASK_ANSWER_TIMEOUT_MS };
      const answers = await Promise.all([server.server.elicitInput(NAMED, options), server.server.elicitInput(NAMED, options)]);
      return text(answers.map((answer) => String(answer.content?.["name"] ?? answer.action)).join(", "));
    },
  );
}
