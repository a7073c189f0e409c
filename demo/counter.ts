/**
 * A counter behind a server-minted handle (SEP-2567, the 2026-07-28 way to keep state between
 * calls, and just as usable by a 2025 session): `counter_start` returns a handle, `counter_add`
 * takes it back. The state lives in the library's StateDO; another principal's handle does not
 * exist for the caller.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { StateError, type HandleStore } from "../src/lib.js";

const startInput = z.object({ start: z.number().int().default(0).describe("The counter's first value") });
const addInput = z.object({
  handle: z.string().describe("The handle counter_start returned"),
  by: z.number().int().default(1).describe("How much to add"),
});

export function registerCounterTools(server: McpServer, handles: HandleStore): void {
  server.registerTool(
    "counter_start",
    {
      title: "Start a counter",
      description: "Creates a counter and returns its handle, valid for a day.",
      inputSchema: startInput,
    },
    async ({ start }): Promise<CallToolResult> => {
      const handle = await handles.create<number>(start);
      return { content: [{ type: "text", text: handle }], structuredContent: { handle, value: start } };
    },
  );

  server.registerTool(
    "counter_add",
    {
      title: "Add to a counter",
      description: "Adds to the counter behind a handle and returns its new value.",
      inputSchema: addInput,
    },
    async ({ handle, by }): Promise<CallToolResult> => {
      try {
        const value = await handles.open<number>(handle).update((current) => (current ?? 0) + by);
        return { content: [{ type: "text", text: String(value) }], structuredContent: { handle, value } };
      } catch (error) {
        if (!(error instanceof StateError)) throw error;
        return { content: [{ type: "text", text: error.message }], isError: true };
      }
    },
  );
}
