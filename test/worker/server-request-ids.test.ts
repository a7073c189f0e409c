// Server→client requests through the distributed transport, in workerd: their session-unique
// ids, the answers mapped back, and what happens when the SDK gives up on one.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitResultSchema, RootsListChangedNotificationSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { ServerRequestIds } from "../../src/sessions/transport/server-request-ids.js";
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

  it("no longer holds a POST of notifications only once the SDK gave up on the request it caused", async () => {
    const server = new McpServer({ name: "t", version: "1" }, { capabilities: { logging: {} } });
    // A notification handler that asks the client something: nothing of the POST waits for it but the question.
    server.server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
      await server.server.listRoots(undefined, { timeout: SDK_TIMEOUT_MS }).catch(() => undefined);
    });
    const transport = new DistributedTransport({ sessionId: "s", record, disableLocalSse: true });
    transport.onresponsesse = async () => {};
    await server.connect(transport);
    const notification = { jsonrpc: "2.0" as const, method: "notifications/roots/list_changed" };
    expect((await transport.handlePost([notification], context("sse"))).status).toBe(202);
    expect(await within(transport.settled, SETTLE_WITHIN_MS)).toBeUndefined();
  });
});

describe("ServerRequestIds", () => {
  const question = { jsonrpc: "2.0" as const, id: 0, method: "roots/list" };

  it("maps the client's answer back to the id the server gave the request, once", () => {
    const ids = new ServerRequestIds();
    const outgoing = ids.track(question);
    expect(outgoing).toEqual({ ...question, id: expect.not.stringMatching(/^0$/) });
    const answer = { jsonrpc: "2.0" as const, id: outgoing.id, result: { roots: [] } };
    expect(ids.answer(answer)).toEqual({ ...answer, id: 0 });
    expect(ids.answer(answer)).toBeUndefined();
    expect(ids.waiting).toBe(false);
  });

  it("drops an answer no request waits for", () => {
    const ids = new ServerRequestIds();
    ids.track(question);
    expect(ids.answer({ jsonrpc: "2.0", id: 0, result: {} })).toBeUndefined();
    expect(ids.answer({ jsonrpc: "2.0", id: "someone-else's", result: {} })).toBeUndefined();
    expect(ids.waiting).toBe(true);
  });
});

describe("two transports of one session", () => {
  it("send the client different ids for their servers' first requests, and map each answer back", async () => {
    const registered: string[] = [];
    const posts = await Promise.all(
      [1, 2].map(async (id) => {
        const transport = new DistributedTransport({
          sessionId: "s",
          record,
          disableLocalSse: true,
          onserverrequest: async (requestId) => void registered.push(requestId),
        });
        await askingServer().connect(transport);
        const response = await transport.handlePost([request(id, "tools/call", { name: "ask" })], context("sse"));
        return { transport, response };
      }),
    );
    await vi.waitFor(() => expect(registered).toHaveLength(2));
    expect(new Set(registered).size).toBe(2);
    // Each transport knows only its own request: the other's answer is dropped, its own maps back to id 0.
    for (const [index, { transport }] of posts.entries()) {
      for (const requestId of registered) {
        transport.receive({ jsonrpc: "2.0", id: requestId, result: { action: index === 0 ? "accept" : "decline" } });
      }
    }
    const answers = await Promise.all(posts.map(({ response }) => answerOf(response)));
    expect(answers.map((messages) => messages.at(-1))).toEqual([
      { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "accept" }] } },
      { jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "decline" }] } },
    ]);
  });
});
