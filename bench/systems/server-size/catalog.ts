/**
 * The tools of the server-size scenario (issue 18, "Measure first"): a server of N tools whose
 * input schemas look like a real API server's (zod objects of several described fields of mixed
 * types, enums, optional fields, nested objects and arrays), four shapes in turn, each tool with
 * its own schema objects. Those are built either once per isolate, as module-level schemas are
 * (the demo's), or by the factory, as code that writes them inline in `registerTool` does (the
 * SDK's examples): for every request, or for each server `serverReuse` keeps. The Worker
 * (index.ts) and the harness (bench/lib/server-size.ts) share these names.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** Issue 18's sizes: one tool, about the demo's dozen, and what large API servers list. */
export const SERVER_SIZES = [1, 12, 50, 200] as const;
export type ServerSize = (typeof SERVER_SIZES)[number];

/**
 * How a request gets its server, and where the server's zod schemas are made: built for the
 * request, or reused with `serverReuse: "deployment"`; its schemas made once per isolate or by
 * the factory for each server.
 */
export type ServerBuild = "isolate" | "request" | "reused-isolate" | "reused-request";
export const SERVER_BUILDS: ServerBuild[] = ["isolate", "request", "reused-isolate", "reused-request"];

/** Each server is served with and without the library's request log line. */
export type LogVariant = "quiet" | "logged";
export const LOG_VARIANTS: LogVariant[] = ["quiet", "logged"];

export const serverSizePath = (size: ServerSize, build: ServerBuild, log: LogVariant): string => `/mcp/${size}/${build}/${log}`;

/** The tool every server has, which the scenario calls: its answer is the query it was given. */
export const CALLED_TOOL = "search_records_0";

/** Arguments of CALLED_TOOL that reach every level of its schema (nested object, array, enums). */
export const calledToolArguments = (query: string) => ({
  query,
  limit: 20,
  sort: "newest",
  filters: { status: "open", tags: ["billing", "urgent"], createdAfter: "2026-01-01", owner: { id: "u-42", kind: "team" } },
});

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: z.ZodObject;
  annotations: { readOnlyHint: boolean };
}

function searchRecords(i: number): ToolDefinition {
  const inputSchema = z.object({
    query: z.string().min(1).describe(`Full-text query over the records of collection ${i}.`),
    limit: z.number().int().min(1).max(100).optional().describe("Most records to return; default 20."),
    sort: z.enum(["relevance", "newest", "oldest"]).optional().describe("Order of the results."),
    filters: z
      .object({
        status: z.enum(["open", "closed", "any"]).optional().describe("Only records in this state."),
        tags: z.array(z.string()).max(10).optional().describe("Records carrying all of these tags."),
        createdAfter: z.string().optional().describe("ISO 8601 date: only records created after it."),
        owner: z
          .object({
            id: z.string().describe("The owner's id."),
            kind: z.enum(["user", "team"]).describe("Whether the owner is a user or a team."),
          })
          .optional()
          .describe("Only records of this owner."),
      })
      .optional()
      .describe("Narrows the search."),
    includeArchived: z.boolean().optional().describe("Also search archived records."),
  });
  const description = `Searches the records of collection ${i} and returns the best matches.`;
  return {
    name: `search_records_${i}`,
    title: `Search collection ${i}`,
    description,
    inputSchema,
    annotations: { readOnlyHint: true },
  };
}

function createTicket(i: number): ToolDefinition {
  const inputSchema = z.object({
    title: z.string().max(200).describe("A one-line summary of the ticket."),
    body: z.string().optional().describe("The full description, in Markdown."),
    priority: z.enum(["low", "normal", "high", "urgent"]).describe("How soon it needs attention."),
    assignee: z
      .object({
        email: z.string().email().describe("The assignee's email address."),
        notify: z.boolean().optional().describe("Send the assignee an email now."),
      })
      .optional()
      .describe("Who works on it; unassigned if absent."),
    labels: z.array(z.string()).optional().describe("Labels to add."),
    dueDate: z.string().optional().describe("ISO 8601 date by which it is due."),
    estimateHours: z.number().positive().optional().describe("Estimated effort in hours."),
    custom: z
      .record(z.string(), z.string())
      .optional()
      .describe("Custom fields of project " + i + "."),
  });
  const description = `Opens a ticket in project ${i} and returns its id and URL.`;
  return {
    name: `create_ticket_${i}`,
    title: `New ticket in project ${i}`,
    description,
    inputSchema,
    annotations: { readOnlyHint: false },
  };
}

function updateItem(i: number): ToolDefinition {
  const inputSchema = z.object({
    id: z.string().describe(`The id of the item in inventory ${i}.`),
    patch: z
      .object({
        name: z.string().optional().describe("The new display name."),
        status: z.enum(["active", "discontinued", "backorder"]).optional().describe("The new stock status."),
        quantity: z.number().int().nonnegative().optional().describe("Units in stock."),
        price: z
          .object({
            amount: z.number().nonnegative().describe("The price in the currency's major unit."),
            currency: z.enum(["USD", "EUR", "GBP", "JPY"]).describe("ISO 4217 currency code."),
          })
          .optional()
          .describe("The new unit price."),
      })
      .describe("The fields to change; others are kept."),
    expectedVersion: z.number().int().optional().describe("Fail unless the item is at this version."),
    dryRun: z.boolean().optional().describe("Validate the change without saving it."),
  });
  const description = `Changes fields of an item in inventory ${i}.`;
  return {
    name: `update_item_${i}`,
    title: `Update inventory ${i}`,
    description,
    inputSchema,
    annotations: { readOnlyHint: false },
  };
}

function getReport(i: number): ToolDefinition {
  const inputSchema = z.object({
    metric: z.enum(["revenue", "orders", "active_users", "churn", "latency_p95"]).describe("What to report."),
    range: z
      .object({
        from: z.string().describe("ISO 8601 start, inclusive."),
        to: z.string().describe("ISO 8601 end, exclusive."),
      })
      .describe("The time range."),
    groupBy: z
      .array(z.enum(["day", "week", "month", "region", "product"]))
      .optional()
      .describe("Dimensions to group by."),
    filters: z
      .array(
        z.object({
          field: z.string().describe("The field to compare."),
          op: z.enum(["eq", "ne", "gt", "lt", "in"]).describe("The comparison."),
          value: z.union([z.string(), z.number()]).describe("The value compared with."),
        }),
      )
      .optional()
      .describe("Rows must match all of these."),
    format: z.enum(["table", "csv", "json"]).optional().describe("How the report is returned."),
  });
  const description = `Computes a report over dashboard ${i}'s data.`;
  return {
    name: `get_report_${i}`,
    title: `Report of dashboard ${i}`,
    description,
    inputSchema,
    annotations: { readOnlyHint: true },
  };
}

const SHAPES = [searchRecords, createTicket, updateItem, getReport];
const LARGEST = Math.max(...SERVER_SIZES);
const defineTools = (size: number) => Array.from({ length: size }, (_, i) => SHAPES[i % SHAPES.length]!(i));
const ISOLATE_TOOLS = defineTools(LARGEST);

/** Registers the first `size` tools; the first is CALLED_TOOL, which echoes its query. */
export function registerSizedTools(server: McpServer, size: ServerSize, build: ServerBuild): void {
  const tools = build.endsWith("isolate") ? ISOLATE_TOOLS.slice(0, size) : defineTools(size);
  for (const { name, ...config } of tools) {
    server.registerTool(name, config, (args) => text(name === CALLED_TOOL ? String(args.query) : JSON.stringify(args)));
  }
}
