/**
 * Tools and a prompt of the 2026-07-28 scenarios input-required-result-* (SEP-2322, multi
 * round-trip requests), written as any 2025-era handler asks its client: server.server.elicitInput,
 * createMessage and listRoots, tied to the request (relatedRequestId). On the 2025 lane each
 * question is a real request on the POST's SSE stream; on the 2026 lane the host turns the same
 * questions into an input_required result and answers them from the client's retry (issue 21).
 */
import type { McpServer, PromptCallback } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { RequestHandlerExtra, RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolResult,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitResult,
  ServerNotification,
  ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { CLIENT_ANSWER_TIMEOUT_MS } from "./client-requests.js";
import { INPUT_KEY_META } from "../src/lib.js";
import { text } from "./content.js";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The question belongs to this request, so that on the 2025 lane it rides the request's stream. */
export function askOptions(extra: Extra): RequestOptions {
  return { signal: extra.signal, relatedRequestId: extra.requestId, timeout: CLIENT_ANSWER_TIMEOUT_MS };
}

/** A form with one string field, e.g. `{ name }`; the scenarios answer with that field. */
export function askString(message: string, field: string): ElicitRequestFormParams {
  return {
    message,
    requestedSchema: { type: "object", properties: { [field]: { type: "string" } }, required: [field] },
  };
}

const CONFIRM: ElicitRequestFormParams = {
  message: "Please confirm",
  requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
};

export function registerInputRequired(server: McpServer): void {
  server.registerTool(
    "test_input_required_result_elicitation",
    { description: "MRTR: asks the user's name (elicitation)", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const answer = await server.server.elicitInput(
        { ...askString("What is your name?", "name"), _meta: { [INPUT_KEY_META]: "user_name" } },
        askOptions(extra),
      );
      return text(`Hello, ${field(answer, "name")}!`);
    },
  );

  server.registerTool(
    "test_input_required_result_sampling",
    { description: "MRTR: asks the client's model a question (sampling)", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const result = await server.server.createMessage(
        { messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }], maxTokens: 100 },
        askOptions(extra),
      );
      return text(`Sampling result: ${sampledText(result)}`);
    },
  );

  server.registerTool(
    "test_input_required_result_list_roots",
    { description: "MRTR: asks the client for its roots (roots/list)", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const { roots } = await server.server.listRoots(undefined, askOptions(extra));
      return text(`Found ${roots.length} root(s)`);
    },
  );

  // The scenarios differ in what they do with the requestState (echo it; tamper with it); the
  // handler is the same, since the state is the host's business.
  for (const [name, description, done] of [
    ["test_input_required_result_request_state", "MRTR: asks for a confirmation (requestState)", "state-ok"],
    ["test_input_required_result_tampered_state", "MRTR: asks for a confirmation (tampered requestState)", "integrity-ok"],
  ] as const) {
    server.registerTool(name, { description, inputSchema: {} }, async (_args, extra): Promise<CallToolResult> => {
      const answer = await server.server.elicitInput(CONFIRM, askOptions(extra));
      return text(`${done}: confirmed=${String(answer.content?.["ok"])}`);
    });
  }

  server.registerTool(
    "test_input_required_result_multiple_inputs",
    { description: "MRTR: asks three questions at once (elicitation, sampling, roots/list)", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const [answer, greeting, { roots }] = await Promise.all([
        server.server.elicitInput(askString("What is your name?", "name"), askOptions(extra)),
        server.server.createMessage(
          { messages: [{ role: "user", content: { type: "text", text: "Generate a greeting" } }], maxTokens: 50 },
          askOptions(extra),
        ),
        server.server.listRoots(undefined, askOptions(extra)),
      ]);
      return text(`Name: ${field(answer, "name")}; Greeting: ${sampledText(greeting)}; Roots: ${roots.length}`);
    },
  );

  server.registerTool(
    "test_input_required_result_multi_round",
    { description: "MRTR: asks two questions, the second after the first answer", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const name = field(
        await server.server.elicitInput(askString("Step 1: What is your name?", "name"), askOptions(extra)),
        "name",
      );
      const color = field(
        await server.server.elicitInput(askString(`Step 2: ${name}, what is your favorite color?`, "color"), askOptions(extra)),
        "color",
      );
      return text(`Multi-round complete for ${name} who likes ${color}`);
    },
  );

  // Asks only what the client declared: a handler must not rely on an undeclared capability.
  server.registerTool(
    "test_input_required_result_capabilities",
    { description: "MRTR: asks only through the capabilities the client declared", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const declared = server.server.getClientCapabilities() ?? {};
      const answers = await Promise.all([
        declared.elicitation
          ? server.server
              .elicitInput(askString("Elicitation input", "value"), askOptions(extra))
              .then((answer) => `elicitation=${answer.action}`)
          : undefined,
        declared.sampling
          ? server.server
              .createMessage(
                { messages: [{ role: "user", content: { type: "text", text: "Sample request" } }], maxTokens: 50 },
                askOptions(extra),
              )
              .then((result) => `sampling=${sampledText(result)}`)
          : undefined,
      ]);
      const received = answers.filter((answer) => answer !== undefined);
      return text(received.length > 0 ? `capabilities-ok: ${received.join(", ")}` : "No supported capabilities declared");
    },
  );

  // McpServer calls the callback of a prompt without arguments with `extra` alone, but the type of
  // registerPrompt's callback always takes arguments first; PromptCallback without Args says it.
  const prompt: PromptCallback = async (extra) => {
    const answer = await server.server.elicitInput(
      askString("What context should the prompt use?", "context"),
      askOptions(extra),
    );
    return { messages: [{ role: "user", content: { type: "text", text: `Prompt with context: ${field(answer, "context")}` } }] };
  };
  server.registerPrompt(
    "test_input_required_result_prompt",
    { description: "MRTR: prompt that asks the user for context (elicitation)" },
    prompt as unknown as PromptCallback<ZodRawShapeCompat>,
  );
}

/** The answered field, or what the user did instead (decline, cancel). */
function field(answer: ElicitResult, name: string): string {
  return answer.action === "accept" ? String(answer.content?.[name]) : `(${answer.action})`;
}

function sampledText(result: CreateMessageResult): string {
  return result.content.type === "text" ? result.content.text : `[${result.content.type}]`;
}
