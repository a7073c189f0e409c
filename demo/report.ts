/**
 * The demo's long-running tool (README, "Long-running tools"): builds a report section by section,
 * minutes of work with progress after each section. A client that negotiates tasks gets a task
 * at once and the report later, from any connection; durable-mcp runs the handler below, unchanged,
 * in the task's own Durable Object. It declares itself idempotent, so a run the platform cuts off
 * is started again rather than failed.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { TaskSupport } from "../src/lib.js";
import { text } from "./tools.js";

const buildReportInput = z.object({
  topic: z.string().default("uptime").describe("What the report is about"),
  sections: z.number().int().min(1).max(30).default(6).describe("Number of sections"),
  secondsPerSection: z.number().min(0).max(60).default(30).describe("Seconds of work per section"),
});

/** The demo's tools that run as tasks for clients that negotiate the tasks extension, and as ordinary calls otherwise. */
export const DEMO_TASK_TOOLS: Record<string, TaskSupport> = {
  build_report: "optional",
  slow_task: "optional",
  confirm_action: "optional",
};

export function registerReportTool(server: McpServer): void {
  server.registerTool(
    "build_report",
    {
      title: "Build report",
      description: "Builds a report section by section (3 minutes by default), with progress after each section. Cancellable.",
      inputSchema: buildReportInput,
      annotations: { idempotentHint: true, readOnlyHint: true },
    },
    async ({ topic, sections, secondsPerSection }, extra): Promise<CallToolResult> => {
      const progressToken = extra._meta?.progressToken;
      const written: string[] = [];
      for (let section = 1; section <= sections; section++) {
        await new Promise((resolve) => setTimeout(resolve, secondsPerSection * 1000));
        if (extra.signal.aborted) throw new Error(`build_report cancelled after ${section - 1} of ${sections} sections`);
        written.push(`Section ${section}: ${topic}`);
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: section, total: sections, message: `section ${section} of ${sections} written` },
          });
        }
      }
      return { ...text(`Report on ${topic}\n${written.join("\n")}`), structuredContent: { topic, sections: written.length } };
    },
  );
}
