/**
 * A note store per principal, in the library's principal state (README, "State"): every session
 * and 2026-07-28 request of one principal sees the same notes. The demo has no authentication, so
 * its one principal is everyone, and demo/index.ts opts in to that with `sharedPrincipal:
 * "deployment"`; a deployment that authenticates gets notes per user.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { StateError } from "../src/lib.js";
import type { DemoState, DemoValue } from "./demo-state.js";

/** The newest notes kept: the principal's state is read by every request of the demo. */
export const MAX_NOTES = 20;
/** A note's length: twenty of them stay far below the state's MAX_STATE_BYTES. */
export const MAX_NOTE_LENGTH = 500;

const notesInput = z.object({
  add: z.string().min(1).max(MAX_NOTE_LENGTH).optional().describe("A note to add"),
  clear: z.boolean().default(false).describe("Remove every note first"),
});

export function registerNoteTools(server: McpServer, demo: DemoState): void {
  server.registerTool(
    "notes",
    {
      title: "Notes",
      description: `Adds a note (the newest ${MAX_NOTES} are kept) or clears them, and returns the principal's notes, shared by all its sessions and requests.`,
      inputSchema: notesInput,
    },
    async ({ add, clear }): Promise<CallToolResult> => {
      const state = demo.state.principal<DemoValue>();
      if (!state) return { content: [{ type: "text", text: "This principal keeps no state" }], isError: true };
      try {
        const notes =
          add === undefined && !clear
            ? (demo.principal?.notes ?? [])
            : (
                await state.update((current) => ({
                  ...current,
                  notes: [...(clear ? [] : (current?.notes ?? [])), ...(add === undefined ? [] : [add])].slice(-MAX_NOTES),
                }))
              ).notes!;
        return { content: [{ type: "text", text: notes.join("\n") }], structuredContent: { notes } };
      } catch (error) {
        if (!(error instanceof StateError)) throw error;
        return { content: [{ type: "text", text: error.message }], isError: true };
      }
    },
  );
}
