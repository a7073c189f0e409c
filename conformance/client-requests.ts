/**
 * Tools that ask the client something while they run (tools-call-sampling, tools-call-elicitation,
 * elicitation-sep1034-defaults, elicitation-sep1330-enums). Each request is tied to the tool call
 * (extra.sendRequest), so it travels on the POST's SSE stream; the client answers with a new POST.
 *
 * A tool fails (isError: true) when no answer comes back. The suite itself only checks that the
 * client was asked and that some content came back, so this failure text is what tells a lost answer
 * from a real one (test/e2e/conformance.test.ts checks that the answer reached the tool).
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  type CallToolResult,
  type ElicitRequestFormParams,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { text } from "./content.js";

/**
 * How long a tool waits for the client's answer. The suite's client answers at once; without this
 * the SDK's default (60 s, below the host's serverRequestTimeoutMs) applies, which equals the
 * client's own timeout for the whole tool call: a lost answer would fail the call slowly and
 * without saying why.
 */
export const CLIENT_ANSWER_TIMEOUT_MS = 5_000;

type ToolExtra = Pick<RequestHandlerExtra<ServerRequest, ServerNotification>, "sendRequest">;

export function registerClientRequestTools(server: McpServer): void {
  server.registerTool(
    "test_sampling",
    {
      description: "Tests server-initiated sampling (LLM completion request)",
      inputSchema: { prompt: z.string().describe("The prompt to send to the LLM") },
    },
    async ({ prompt }, extra): Promise<CallToolResult> => text(`LLM response: ${await sample(extra, prompt)}`),
  );

  server.registerTool(
    "test_elicitation",
    {
      description: "Tests server-initiated elicitation (user input request)",
      inputSchema: { message: z.string().describe("The message to show the user") },
    },
    async ({ message }, extra): Promise<CallToolResult> =>
      text(`User response: ${await elicit(extra, { message, requestedSchema: CONTACT_SCHEMA })}`),
  );

  server.registerTool(
    "test_elicitation_sep1034_defaults",
    { description: "Tests elicitation with default values per SEP-1034", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => text(`Elicitation completed: ${await elicit(extra, SEP1034_DEFAULTS)}`),
  );

  server.registerTool(
    "test_elicitation_sep1330_enums",
    { description: "Tests elicitation with enum schema improvements per SEP-1330", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => text(`Elicitation completed: ${await elicit(extra, SEP1330_ENUMS)}`),
  );
}

/** Asks the client for a completion with sampling/createMessage; returns its text. */
async function sample(extra: ToolExtra, prompt: string): Promise<string> {
  const result = await ask("sampling/createMessage", () =>
    extra.sendRequest(
      {
        method: "sampling/createMessage",
        params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 },
      },
      CreateMessageResultSchema,
      { timeout: CLIENT_ANSWER_TIMEOUT_MS },
    ),
  );
  const blocks = Array.isArray(result.content) ? result.content : [result.content];
  return blocks.map((block) => (block.type === "text" ? block.text : `[${block.type}]`)).join("");
}

/** Asks the client with elicitation/create; returns its answer as "action=…, content={…}". */
async function elicit(extra: ToolExtra, params: ElicitRequestFormParams): Promise<string> {
  const result = await ask("elicitation/create", () =>
    extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema, { timeout: CLIENT_ANSWER_TIMEOUT_MS }),
  );
  return `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
}

async function ask<T>(method: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${method} got no answer from the client: ${reason}`, { cause: error });
  }
}

const CONTACT_SCHEMA: ElicitRequestFormParams["requestedSchema"] = {
  type: "object",
  properties: {
    username: { type: "string", description: "User's response" },
    email: { type: "string", description: "User's email address" },
  },
  required: ["username", "email"],
};

/** SEP-1034: a default for every primitive type. */
const SEP1034_DEFAULTS: ElicitRequestFormParams = {
  message: "Please review and update the form fields with defaults",
  requestedSchema: {
    type: "object",
    properties: {
      name: { type: "string", description: "User name", default: "John Doe" },
      age: { type: "integer", description: "User age", default: 30 },
      score: { type: "number", description: "User score", default: 95.5 },
      status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
      verified: { type: "boolean", description: "Verification status", default: true },
    },
    required: [],
  },
};

/** SEP-1330: the five enum shapes. */
const SEP1330_ENUMS: ElicitRequestFormParams = {
  message: "Please select options from the enum fields",
  requestedSchema: {
    type: "object",
    properties: {
      untitledSingle: { type: "string", description: "Select one option", enum: ["option1", "option2", "option3"] },
      titledSingle: {
        type: "string",
        description: "Select one option with titles",
        oneOf: [
          { const: "value1", title: "First Option" },
          { const: "value2", title: "Second Option" },
          { const: "value3", title: "Third Option" },
        ],
      },
      legacyEnum: {
        type: "string",
        description: "Select one option (legacy)",
        enum: ["opt1", "opt2", "opt3"],
        enumNames: ["Option One", "Option Two", "Option Three"],
      },
      untitledMulti: {
        type: "array",
        description: "Select multiple options",
        minItems: 1,
        maxItems: 3,
        items: { type: "string", enum: ["option1", "option2", "option3"] },
      },
      titledMulti: {
        type: "array",
        description: "Select multiple options with titles",
        minItems: 1,
        maxItems: 3,
        items: {
          anyOf: [
            { const: "value1", title: "First Choice" },
            { const: "value2", title: "Second Choice" },
            { const: "value3", title: "Third Choice" },
          ],
        },
      },
    },
    required: [],
  },
};
