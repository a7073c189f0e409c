/**
 * The tools of systems (b) and (c), as in the durable-mcp demo: `echo`, and `toggle_extra_tool`,
 * which registers or removes `extra_tool` so that McpServer sends notifications/tools/list_changed
 * (it has no relatedRequestId, so it goes to the session's standalone GET stream).
 */
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

// Built once per isolate, as the demo's are: (e) registers the tools again for every request.
const echoInput = z.object({ message: z.string() });

export function registerBenchTools(server: McpServer): void {
  server.registerTool("echo", { description: "Returns the message unchanged.", inputSchema: echoInput }, ({ message }) =>
    text(message),
  );
  let extraTool: RegisteredTool | undefined;
  server.registerTool("toggle_extra_tool", { description: "Registers extra_tool, or removes it if present." }, () => {
    if (extraTool) {
      extraTool.remove();
      extraTool = undefined;
      return text("extra_tool removed");
    }
    extraTool = server.registerTool("extra_tool", {}, () => text("extra_tool called"));
    return text("extra_tool registered");
  });
}

export const SERVER_CAPABILITIES = { tools: { listChanged: true } };
