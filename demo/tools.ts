/**
 * Demo tools. Each exercises one path through the host: plain results, structured output,
 * progress on the POST's stream, and notifications that must reach the session's standalone stream.
 */
import { extraToolOn, type DemoState, type DemoValue } from "./demo-state.js";
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type CallToolResult, LoggingLevelSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { GREETING_URI } from "./resources.js";

export function text(value: string): CallToolResult {
  return { content: [{ type: "text", text: value }] };
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error("cancelled"));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("cancelled"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// Schemas are built once per isolate: the server is built again for every request, and
// building them was a tenth of a request's CPU time. Zod schemas are immutable, so sharing is safe.
const echoInput = z.object({ message: z.string().describe("Text to echo back") });
const addInput = z.object({ a: z.number().describe("First addend"), b: z.number().describe("Second addend") });
const addOutput = z.object({ sum: z.number().describe("a + b") });
const slowTaskInput = z.object({
  steps: z.number().int().min(1).max(50).default(5).describe("Number of steps"),
  delayMs: z.number().int().min(0).max(5000).default(200).describe("Delay per step in milliseconds"),
});
const logInput = z.object({
  level: LoggingLevelSchema.default("info").describe("Syslog severity of the message"),
  message: z.string().describe("Log text"),
});
const toggleInput = z.object({
  scope: z
    .enum(["session", "principal"])
    .default("session")
    .describe(
      "Whose extra_tool: this session's (a 2026-07-28 request, which has none, uses the principal's), or the principal's",
    ),
});
const touchResourceInput = z.object({ uri: z.string().default(GREETING_URI).describe("URI of the changed resource") });

export function registerDemoTools(server: McpServer, demo?: DemoState): void {
  server.registerTool(
    "whoami",
    {
      title: "Who am I",
      description: "Tells which principal the host authenticated for this request.",
    },
    (extra): CallToolResult => text(String(extra.authInfo?.extra?.["principal"] ?? extra.authInfo?.clientId ?? "anonymous")),
  );

  server.registerTool(
    "echo",
    {
      title: "Echo",
      description: "Returns the message unchanged.",
      inputSchema: echoInput,
    },
    ({ message }): CallToolResult => text(message),
  );

  server.registerTool(
    "add",
    {
      title: "Add",
      description: "Adds two numbers; the sum is also returned as structured content.",
      inputSchema: addInput,
      outputSchema: addOutput,
    },
    ({ a, b }): CallToolResult => {
      const sum = a + b;
      return { ...text(String(sum)), structuredContent: { sum } };
    },
  );

  server.registerTool(
    "slow_task",
    {
      title: "Slow task",
      description:
        "Waits delayMs per step, sending notifications/progress after each step when the request carries a progressToken. Cancellable.",
      inputSchema: slowTaskInput,
    },
    async ({ steps, delayMs }, extra): Promise<CallToolResult> => {
      const progressToken = extra._meta?.progressToken;
      for (let i = 1; i <= steps; i++) {
        try {
          await sleep(delayMs, extra.signal);
        } catch {
          throw new Error(`slow_task cancelled before step ${i} of ${steps}`);
        }
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: i, total: steps, message: `step ${i} of ${steps}` },
          });
        }
      }
      return text(`completed ${steps} steps`);
    },
  );

  // With state (demo/demo-state.ts), extra_tool is on or off per session or principal across
  // requests; without it, it lives only as long as this request's server.
  const registerExtraTool = () =>
    server.registerTool(
      "extra_tool",
      { title: "Extra tool", description: "Listed while toggle_extra_tool has it switched on." },
      (): CallToolResult => text("extra_tool called"),
    );
  let extraTool: RegisteredTool | undefined = demo && extraToolOn(demo) ? registerExtraTool() : undefined;
  server.registerTool(
    "toggle_extra_tool",
    {
      title: "Toggle extra tool",
      description:
        "Switches `extra_tool` on (or off if it is on) for this session, or with scope principal for every session and request of the principal, and sends notifications/tools/list_changed to those clients.",
      inputSchema: toggleInput,
    },
    async ({ scope }): Promise<CallToolResult> => {
      if (!demo) {
        // registerTool() and remove() send notifications/tools/list_changed themselves.
        if (extraTool) extraTool.remove();
        extraTool = extraTool ? undefined : registerExtraTool();
        return text(`extra_tool ${extraTool ? "registered" : "removed"}; notifications/tools/list_changed sent`);
      }
      const session = scope === "session" ? demo.state.session<DemoValue>() : undefined;
      const state = session ?? demo.state.principal<DemoValue>();
      if (!state) return { ...text("This request has no session, and its principal keeps no state"), isError: true };
      // Flipped inside the update, so that concurrent toggles never lose one another. Until a
      // session flips its own switch, it follows the principal's.
      const fallback = session ? (demo.principal?.extraTool ?? false) : false;
      const { extraTool: on } = await state.update((current) => ({ ...current, extraTool: !(current?.extraTool ?? fallback) }), {
        listChanged: ["tools"],
      });
      return text(`extra_tool ${on ? "registered" : "removed"}; notifications/tools/list_changed sent`);
    },
  );

  server.registerTool(
    "log",
    {
      title: "Log",
      description:
        "Sends one notifications/message tied to this request (on its response stream) and one unrelated (on the standalone stream, filtered by logging/setLevel).",
      inputSchema: logInput,
    },
    async ({ level, message }, extra): Promise<CallToolResult> => {
      await extra.sendNotification({
        method: "notifications/message",
        params: { level, logger: "demo", data: `${message} (related to request)` },
      });
      await server.sendLoggingMessage({ level, logger: "demo", data: message }, extra.sessionId);
      return text(`logged "${message}" at ${level}`);
    },
  );

  server.registerTool(
    "touch_resource",
    {
      title: "Touch resource",
      description:
        "Sends notifications/resources/updated for a URI, as if it changed; the host delivers it to subscribed sessions.",
      inputSchema: touchResourceInput,
    },
    async ({ uri }): Promise<CallToolResult> => {
      await server.server.sendResourceUpdated({ uri });
      return text(`notifications/resources/updated sent for ${uri}`);
    },
  );
}
