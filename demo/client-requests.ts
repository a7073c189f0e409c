/**
 * Demo tools that ask the client something while they run: elicitation, sampling, roots/list
 * and ping. The question leaves on the tool's POST stream; the answer comes back in another
 * POST, possibly to another isolate, through the session's Durable Object. And a request made
 * outside any client request: on roots/list_changed the server asks for the roots (on the
 * standalone stream) and logs them.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { EmptyResultSchema, RootsListChangedNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { text } from "./tools.js";

// Built once per isolate, like the schemas in tools.ts.
const confirmActionInput = z.object({ action: z.string().describe("What would be done, e.g. 'deploy'") });
const summarizeInput = z.object({ text: z.string().describe("The text to summarize") });

export function registerClientRequestTools(server: McpServer): void {
  server.registerTool(
    "confirm_action",
    {
      title: "Confirm action",
      description: "Asks the user (form elicitation) to confirm an action before pretending to run it.",
      inputSchema: confirmActionInput,
    },
    async ({ action }, extra): Promise<CallToolResult> => {
      const answer = await server.server.elicitInput(
        {
          mode: "form",
          message: `Confirm: ${action}?`,
          requestedSchema: {
            type: "object",
            properties: { confirm: { type: "boolean", title: "Confirm", description: `Run ${action}` } },
            required: ["confirm"],
          },
        },
        { signal: extra.signal, relatedRequestId: extra.requestId },
      );
      const confirmed = answer.action === "accept" && answer.content?.confirm === true;
      return text(confirmed ? "confirmed" : "declined");
    },
  );

  server.registerTool(
    "summarize",
    {
      title: "Summarize",
      description: "Asks the client's model (sampling) for a one-sentence summary of the text.",
      inputSchema: summarizeInput,
    },
    async ({ text: input }, extra): Promise<CallToolResult> => {
      const result = await server.server.createMessage(
        {
          messages: [{ role: "user", content: { type: "text", text: `Summarize in one sentence:\n\n${input}` } }],
          maxTokens: 200,
        },
        { signal: extra.signal, relatedRequestId: extra.requestId },
      );
      return text(result.content.type === "text" ? result.content.text : `(${result.content.type} content)`);
    },
  );

  server.registerTool(
    "list_roots",
    {
      title: "List roots",
      description: "Asks the client for its roots (roots/list) and lists their URIs.",
    },
    async (extra): Promise<CallToolResult> => {
      const { roots } = await server.server.listRoots(undefined, {
        signal: extra.signal,
        relatedRequestId: extra.requestId,
      });
      return text(roots.map((root) => root.uri).join("\n") || "(no roots)");
    },
  );

  server.registerTool(
    "ping_client",
    {
      title: "Ping client",
      description: "Sends ping to the client and reports that it answered.",
    },
    async (extra): Promise<CallToolResult> => {
      // Server.ping() takes no options; request() lets the ping ride on this tool's stream.
      await server.server.request({ method: "ping" }, EmptyResultSchema, {
        signal: extra.signal,
        relatedRequestId: extra.requestId,
      });
      return text("the client answered ping");
    },
  );

  server.server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
    const { roots } = await server.server.listRoots();
    await server.sendLoggingMessage(
      { level: "info", logger: "demo", data: `roots changed: ${roots.map((root) => root.uri).join(", ") || "(none)"}` },
      server.server.transport?.sessionId,
    );
  });
}
