// What the library does for every server a user brings, so that nobody has to remember it.
// That a server without a validator of its own checks elicitation answers is proven end to end
// (test/e2e/client.test.ts, the demo sets none): the workerd test pool allows the code
// generation that Ajv needs, so it cannot show the difference here.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  ErrorCode,
  McpError,
  SubscribeRequestSchema,
  type ElicitRequestFormParams,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import { describe, expect, it } from "vitest";
import { mcpPost, openSession, readJsonRpcResponse, request, type Endpoint } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { storedState, workerWith } from "./helpers.js";

const NAME_SCHEMA: ElicitRequestFormParams["requestedSchema"] = {
  type: "object",
  properties: { name: { type: "string", minLength: 2 } },
  required: ["name"],
};

/** A server with one tool that asks the client for a name and echoes what the SDK validated. */
function askingServer(validator?: jsonSchemaValidator): McpServer {
  const server = new McpServer(
    { name: "asking", version: "1.0.0" },
    { capabilities: { tools: {} }, ...(validator && { jsonSchemaValidator: validator }) },
  );
  server.registerTool("ask_name", {}, async (extra) => {
    try {
      const answer = await server.server.elicitInput(
        { message: "Your name?", requestedSchema: NAME_SCHEMA },
        { relatedRequestId: extra.requestId },
      );
      return { content: [{ type: "text", text: `${answer.action}: ${JSON.stringify(answer.content)}` }] };
    } catch (error) {
      return { content: [{ type: "text", text: `failed: ${(error as Error).message}` }], isError: true };
    }
  });
  return server;
}

function endpointFor(server: () => McpServer): Endpoint {
  return workerWith({ server });
}

/** Calls ask_name, answers its elicitation with `content`, and returns the tool's text. */
async function askName(endpoint: Endpoint, content: Record<string, unknown>): Promise<string> {
  const sessionId = await openSession(endpoint, { elicitation: { form: {} } });
  const call = await mcpPost(endpoint, request(1, "tools/call", { name: "ask_name", arguments: {} }), { sessionId });
  const cursor = sseCursor(call);
  const question = await cursor.message<{ id: string; method: string }>();
  expect(question.method).toBe("elicitation/create");
  await mcpPost(endpoint, { jsonrpc: "2.0", id: question.id, result: { action: "accept", content } }, { sessionId });
  const result = await cursor.message<{ result: { content: { text: string }[] } }>();
  return result.result.content[0]!.text;
}

describe("the JSON Schema validator", () => {
  it("keeps the validator a server chose", async () => {
    const checked: unknown[] = [];
    const validator: jsonSchemaValidator = {
      getValidator: (schema) => (input) => {
        checked.push(schema);
        return { valid: true, data: input, errorMessage: undefined } as never;
      },
    };
    expect(
      await askName(
        endpointFor(() => askingServer(validator)),
        { name: "A" },
      ),
    ).toBe('accept: {"name":"A"}');
    expect(checked).toEqual([NAME_SCHEMA]);
  });
});

/** A server with one resource and no subscribe handler of its own unless `ownHandler`. */
function resourceServer(capabilities: ServerCapabilities, ownHandler?: () => never): McpServer {
  const server = new McpServer({ name: "resources", version: "1.0.0" }, { capabilities });
  server.registerResource("note", "demo://note", {}, async () => ({ contents: [{ uri: "demo://note", text: "hi" }] }));
  if (ownHandler) server.server.setRequestHandler(SubscribeRequestSchema, ownHandler);
  return server;
}

async function subscribe(endpoint: Endpoint, sessionId: string, method = "resources/subscribe") {
  return readJsonRpcResponse(await mcpPost(endpoint, request(2, method, { uri: "demo://note" }), { sessionId }));
}

describe("resource subscriptions", () => {
  it("are kept by the host for a server that declares resources.subscribe without handling it", async () => {
    const endpoint = endpointFor(() => resourceServer({ resources: { subscribe: true } }));
    const sessionId = await openSession(endpoint);
    expect(await subscribe(endpoint, sessionId)).toMatchObject({ id: 2, result: {} });
    expect((await storedState(sessionId)).record?.subscriptions).toEqual(["demo://note"]);
    expect(await subscribe(endpoint, sessionId, "resources/unsubscribe")).toMatchObject({ id: 2, result: {} });
    expect((await storedState(sessionId)).record?.subscriptions).toEqual([]);
  });

  it("are refused as the SDK refuses them for a server that does not declare resources.subscribe", async () => {
    const endpoint = endpointFor(() => resourceServer({ resources: {} }));
    const sessionId = await openSession(endpoint);
    expect(await subscribe(endpoint, sessionId)).toMatchObject({ error: { code: ErrorCode.MethodNotFound } });
    expect((await storedState(sessionId)).record?.subscriptions).toEqual([]);
  });

  it("go through the server's own handler when it has one, its refusal included", async () => {
    const refuse = () => {
      throw new McpError(ErrorCode.InvalidParams, "not subscribable");
    };
    const endpoint = endpointFor(() => resourceServer({ resources: { subscribe: true } }, refuse));
    const sessionId = await openSession(endpoint);
    expect(await subscribe(endpoint, sessionId)).toMatchObject({ error: { code: ErrorCode.InvalidParams } });
    expect((await storedState(sessionId)).record?.subscriptions).toEqual([]);
  });
});
