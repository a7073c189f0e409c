// Server→client requests through the distributed transport, in workerd: their session-unique
// ids, the answers mapped back, and what happens when the SDK gives up on one.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitResultSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { request } from "../shared/mcp.js";
import { answerOf, context, record } from "./transport-fixtures.js";

/** The SDK's timeout for the question: short, so that it gives up long before the broker's 5 minutes. */
const SDK_TIMEOUT_MS = 100;
/** Well past SDK_TIMEOUT_MS, and far below the broker's timeout. */
const SETTLE_WITHIN_MS = 2_000;

/** A server whose `ask` tool asks the client a question and reports what became of it. */
function askingServer(timeout?: number): McpServer {
  const server = new McpServer({ name: "t", version: "1" }, { capabilities: { logging: {}, tools: {} } });
  server.registerTool("ask", {}, async (extra) => {
    const outcome = await extra
      .sendRequest(
        { method: "elicitation/create", params: { message: "Go on?", requestedSchema: { type: "object", properties: {} } } },
        ElicitResultSchema,
        { timeout },
      )
      .then(
        (result) => result.action,
        (error: Error) => error.message,
      );
    return { content: [{ type: "text", text: outcome }] };
  });
  return server;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | "not yet"> {
  return Promise.race([promise, new Promise<"not yet">((resolve) => setTimeout(() => resolve("not yet"), ms))]);
}

describe("a server→client request the SDK gives up on", () => {
  it("no longer holds the POST once the SDK's own timeout cancelled it, and a late answer is ignored", async () => {
    const server = askingServer(SDK_TIMEOUT_MS);
    const errors: Error[] = [];
    server.server.onerror = (error) => void errors.push(error);
    const registered: string[] = [];
    const transport = new DistributedTransport({
      sessionId: "s",
      record,
      disableLocalSse: true,
      onserverrequest: async (requestId) => void registered.push(requestId),
    });
    await server.connect(transport);

    const response = await transport.handlePost([request(1, "tools/call", { name: "ask" })], context("sse"));
    const messages: JSONRPCMessage[] = await answerOf(response);
    expect(messages).toEqual([
      expect.objectContaining({ id: registered[0], method: "elicitation/create" }),
      expect.objectContaining({
        method: "notifications/cancelled",
        params: expect.objectContaining({ requestId: registered[0] }),
      }),
      expect.objectContaining({
        id: 1,
        result: { content: [{ type: "text", text: expect.stringContaining("Request timed out") }] },
      }),
    ]);
    expect(await within(transport.settled, SETTLE_WITHIN_MS)).toBeUndefined();

    transport.receive({ jsonrpc: "2.0", id: registered[0]!, result: { action: "accept", content: {} } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual([]);
  });
});
