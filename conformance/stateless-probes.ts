/**
 * Tools that the 2026-07-28 scenario server-stateless (SEP-2575) calls to probe the lane: a
 * question without the capability it needs, a question on the response stream, a log message
 * without a requested log level, and list changes for subscriptions/listen. Each is plain
 * 2025-era handler code; what the scenario checks is what the host makes of it.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { text } from "./content.js";
import { askOptions, askString } from "./input-required.js";

export function registerStatelessProbeTools(server: McpServer): void {
  // The scenario calls it declaring no capability: the host must answer -32021 naming sampling.
  server.registerTool(
    "test_missing_capability",
    { description: "Asks the client's model (sampling), whatever the client declared", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const result = await server.server.createMessage(
        { messages: [{ role: "user", content: { type: "text", text: "Say hello" } }], maxTokens: 20 },
        askOptions(extra),
      );
      return text(`Success: ${result.content.type}`);
    },
  );

  // The response stream may carry the question's input_required result, never the request itself.
  server.registerTool(
    "test_streaming_elicitation",
    { description: "Asks the user a question (elicitation) while the call is open", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const answer = await server.server.elicitInput(askString("What should the stream carry?", "value"), askOptions(extra));
      return text(`Streaming complete: ${answer.action}`);
    },
  );

  // Logs unconditionally: without a logLevel in the request's _meta the host must drop the message.
  server.registerTool(
    "test_logging_tool",
    { description: "Sends a log message on the request's stream", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      await extra.sendNotification({
        method: "notifications/message",
        params: { level: "info", logger: "conformance", data: "Diagnostic trace logging activated" },
      });
      return text("Logging evaluated");
    },
  );

  // Notifications that belong to no request: delivered to subscribers, never on this response.
  server.registerTool(
    "test_trigger_tool_change",
    { description: "Announces a change of the tool list (notifications/tools/list_changed)", inputSchema: {} },
    (): CallToolResult => {
      server.sendToolListChanged();
      return text("Mutation triggered");
    },
  );

  server.registerTool(
    "test_trigger_prompt_change",
    { description: "Announces a change of the prompt list (notifications/prompts/list_changed)", inputSchema: {} },
    (): CallToolResult => {
      server.sendPromptListChanged();
      return text("Mutation triggered");
    },
  );
}
