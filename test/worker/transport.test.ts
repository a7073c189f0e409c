// The distributed transport with a real McpServer, in workerd: restore, session hooks, responseSse.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import type { SessionChange, SessionRecord } from "../../src/sessions/record.js";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { initializeBody, request } from "../shared/mcp.js";
import { answerOf, context, record, resumableStream } from "./transport-fixtures.js";

function whoamiServer(): McpServer {
  const server = new McpServer({ name: "t", version: "1" }, { capabilities: { logging: {}, tools: { listChanged: true } } });
  server.registerTool("whoami", {}, async () => ({
    content: [{ type: "text", text: "" }],
    structuredContent: {
      client: server.server.getClientVersion(),
      capabilities: server.server.getClientCapabilities(),
    },
  }));
  server.registerTool("announce", {}, async (extra) => {
    await extra.sendNotification({ method: "notifications/message", params: { level: "error", data: "related" } });
    server.sendToolListChanged();
    return { content: [{ type: "text", text: "done" }] };
  });
  return server;
}

describe("DistributedTransport", () => {
  it("restores a stored session into a fresh server without initialize, and keeps the replay to itself", async () => {
    const server = whoamiServer();
    const transport = new DistributedTransport({ sessionId: "s", record, disableLocalSse: true });
    await server.connect(transport);
    const response = await transport.handlePost([request(5, "tools/call", { name: "whoami" })], context("sse"));
    expect(await answerOf(response)).toEqual([
      {
        jsonrpc: "2.0",
        id: 5,
        result: {
          content: [{ type: "text", text: "" }],
          structuredContent: { client: record.clientInfo, capabilities: record.clientCapabilities },
        },
      },
    ]);
  });

  it("stores a new session before the client sees the initialize result", async () => {
    const stored: Omit<SessionRecord, "principal">[] = [];
    const transport = new DistributedTransport({
      sessionId: "s",
      disableLocalSse: true,
      onsessioninitialized: async (created) => void stored.push(created),
    });
    await whoamiServer().connect(transport);
    const body = initializeBody(1, { roots: {} });
    const [answer] = await answerOf(await transport.handlePost([body], context("json")));
    expect(answer).toMatchObject({ id: 1, result: { protocolVersion: "2025-11-25" } });
    expect(stored).toEqual([
      expect.objectContaining({
        protocolVersion: "2025-11-25",
        clientInfo: body.params.clientInfo,
        clientCapabilities: { roots: {} },
        subscriptions: [],
      }),
    ]);
  });

  it("answers initialize with an error when the session cannot be stored", async () => {
    const transport = new DistributedTransport({
      sessionId: "s",
      disableLocalSse: true,
      onsessioninitialized: async () => {
        throw new Error("storage unavailable");
      },
    });
    await whoamiServer().connect(transport);
    const [answer] = await answerOf(await transport.handlePost([initializeBody(1)], context("json")));
    expect(answer).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32603, message: "The session could not be stored: storage unavailable" },
    });
  });

  it("reports a log level change before answering it", async () => {
    const changes: SessionChange[] = [];
    const transport = new DistributedTransport({
      sessionId: "s",
      record,
      disableLocalSse: true,
      onsessionchange: async (change) => void changes.push(change),
    });
    await whoamiServer().connect(transport);
    await answerOf(await transport.handlePost([request(2, "logging/setLevel", { level: "debug" })], context("json")));
    expect(changes).toEqual([{ kind: "setLogLevel", level: "debug" }]);
  });

  it("sends related messages on the POST stream and unrelated ones as responseSse, published before the result", async () => {
    const events: string[] = [];
    const transport = new DistributedTransport({ sessionId: "s", record, disableLocalSse: true });
    transport.onresponsesse = async (messages) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(...messages.map((message) => `published ${"method" in message ? message.method : "?"}`));
    };
    await whoamiServer().connect(transport);
    const response = await transport.handlePost([request(3, "tools/call", { name: "announce" })], context("sse"));
    const messages = await answerOf(response);
    events.push("stream ended");
    expect(messages.map((message) => ("method" in message ? message.method : "result"))).toEqual([
      "notifications/message",
      "result",
    ]);
    expect(events).toEqual(["published notifications/tools/list_changed", "stream ended"]);
  });

  it("publishes the request's own notifications as responseSse when the answer is plain JSON", async () => {
    const published: JSONRPCMessage[] = [];
    const transport = new DistributedTransport({ sessionId: "s", record, disableLocalSse: true });
    transport.onresponsesse = async (messages) => void published.push(...messages);
    await whoamiServer().connect(transport);
    const [answer] = await answerOf(
      await transport.handlePost([request(3, "tools/call", { name: "announce" })], context("json")),
    );
    expect(answer).toMatchObject({ id: 3, result: { content: [{ text: "done" }] } });
    expect(published.map((message) => ("method" in message ? message.method : ""))).toEqual([
      "notifications/message",
      "notifications/tools/list_changed",
    ]);
  });
});

describe("a resumable POST stream that ends with its client seemingly there", () => {
  /** Serves `announce` on a resumable stream; returns what the stream wrote and what it handed to the session object. */
  async function announce(keepsEnded: boolean) {
    const handedOver: { positions: number[]; done: boolean }[] = [];
    const transport = new DistributedTransport({ sessionId: "s", record, disableLocalSse: true });
    await whoamiServer().connect(transport);
    const stream = resumableStream(keepsEnded, async (messages, done) => {
      handedOver.push({ positions: messages.map(({ position }) => position), done });
    });
    const response = await transport.handlePost([request(3, "tools/call", { name: "announce" })], { ...context("sse"), stream });
    const written = await answerOf(response);
    await transport.settled;
    return { written, handedOver };
  }

  it("hands everything it wrote to the session object when it ran long: a client that left unnoticed can resume", async () => {
    const { written, handedOver } = await announce(true);
    expect(written).toHaveLength(2);
    expect(handedOver).toEqual([{ positions: [1, 2], done: true }]);
  });

  it("hands nothing over when it was quick", async () => {
    const { written, handedOver } = await announce(false);
    expect(written).toHaveLength(2);
    expect(handedOver).toEqual([]);
  });
});
