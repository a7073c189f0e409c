// A session's life through the Worker, in workerd: create, continue on fresh servers, stream, delete.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  callTool,
  initializeBody,
  mcpPost,
  mcpRequest,
  openSession,
  openStream,
  readJsonRpcResponse,
  request,
} from "../shared/mcp.js";
import { readAllSseMessages, readSseMessages, sseCursor } from "../shared/sse.js";
import { until } from "../shared/until.js";
import { sessionObject, storedState, worker, workerWith } from "./helpers.js";

const elicitingClient = { elicitation: { form: {} }, roots: { listChanged: true } };

describe("initialize", () => {
  it("creates a session whose record holds the negotiated version, the client and its capabilities", async () => {
    const before = Date.now();
    const body = initializeBody(1, elicitingClient);
    body.params.protocolVersion = "2025-06-18";
    const response = await mcpPost(worker, body);
    expect(response.status).toBe(200);
    const sessionId = response.headers.get("mcp-session-id");
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const answer = await readJsonRpcResponse(response);
    expect(answer.result?.protocolVersion).toBe("2025-06-18");

    const { record } = await storedState(sessionId!);
    expect(record).toMatchObject({
      protocolVersion: "2025-06-18",
      clientInfo: { name: "raw-test", version: "0" },
      clientCapabilities: elicitingClient,
      subscriptions: [],
    });
    expect(record!.createdAt).toBeGreaterThanOrEqual(before);
    expect(record!.lastSeenAt).toBe(record!.createdAt);
  });

  it("negotiates the latest version for a client that asks for an unknown one", async () => {
    const body = initializeBody(1);
    body.params.protocolVersion = "2099-01-01";
    const answer = await readJsonRpcResponse(await mcpPost(worker, body));
    expect(answer.result?.protocolVersion).toBe("2025-11-25");
  });
});

describe("a later POST", () => {
  it("is served with the session restored and refreshes its last-seen time, a tenth of the idle time at most", async () => {
    // A precision of 500 ms: the first call comes well within it even on a loaded machine.
    const short = workerWith({ session: { idleTimeoutMs: 5_000 } });
    const sessionId = await openSession(short);
    const { record: first } = await storedState(sessionId);
    const answer = await callTool(short, sessionId, "add", { a: 2, b: 3 });
    expect(answer.result).toMatchObject({ structuredContent: { sum: 5 } });
    expect((await storedState(sessionId)).record!.lastSeenAt).toBe(first!.lastSeenAt);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await callTool(short, sessionId, "echo", { message: "again" });
    expect((await storedState(sessionId)).record!.lastSeenAt).toBeGreaterThan(first!.lastSeenAt);
  });

  describe("chooses JSON or SSE for its answer", () => {
    const echo = (id: number) => request(id, "tools/call", { name: "echo", arguments: { message: `m${id}` } });
    const contentType = (response: Response) => response.headers.get("content-type")?.split(";")[0];

    it("by the Accept header when the client accepts only one", async () => {
      const sessionId = await openSession(worker);
      const json = await mcpPost(worker, echo(2), { sessionId, accept: "application/json" });
      expect(contentType(json)).toBe("application/json");
      expect(await json.json()).toMatchObject({ id: 2, result: { content: [{ text: "m2" }] } });
      const sse = await mcpPost(worker, echo(3), { sessionId, accept: "text/event-stream" });
      expect(contentType(sse)).toBe("text/event-stream");
      expect(await readJsonRpcResponse(sse)).toMatchObject({ id: 3, result: { content: [{ text: "m3" }] } });
    });

    it("accepting both, JSON for a quick answer and a stream for one with progress or one that takes longer", async () => {
      const sessionId = await openSession(worker);
      const quick = await mcpPost(worker, echo(2), { sessionId });
      expect(contentType(quick)).toBe("application/json");
      expect(await quick.json()).toMatchObject({ id: 2, result: { content: [{ text: "m2" }] } });

      const withProgress = request(3, "tools/call", {
        name: "slow_task",
        arguments: { steps: 1, delayMs: 0 },
        _meta: { progressToken: "p" },
      });
      const progress = await mcpPost(worker, withProgress, { sessionId });
      expect(contentType(progress)).toBe("text/event-stream");
      const messages = await readAllSseMessages<{ id?: number; method?: string }>(progress);
      expect(messages.map((message) => message.method ?? message.id)).toEqual(["notifications/progress", 3]);

      const slow = request(4, "tools/call", { name: "slow_task", arguments: { steps: 1, delayMs: 200 } });
      const long = await mcpPost(worker, slow, { sessionId });
      expect(contentType(long)).toBe("text/event-stream");
      expect(await readJsonRpcResponse(long)).toMatchObject({ id: 4, result: { content: [{ text: "completed 1 steps" }] } });
    });

    it("accepting both, always a stream with responseMode sse", async () => {
      const streaming = workerWith({ responseMode: "sse" });
      const sessionId = await openSession(streaming);
      const response = await mcpPost(streaming, echo(2), { sessionId });
      expect(contentType(response)).toBe("text/event-stream");
      expect(await readJsonRpcResponse(response)).toMatchObject({ id: 2, result: { content: [{ text: "m2" }] } });
    });
  });

  it("keeps the log level set by logging/setLevel for the servers of later requests", async () => {
    const sessionId = await openSession(worker);
    const setLevel = await mcpPost(worker, request(2, "logging/setLevel", { level: "error" }), { sessionId });
    expect((await readJsonRpcResponse(setLevel)).result).toEqual({});
    expect((await storedState(sessionId)).record?.logLevel).toBe("error");

    const stream = await openStream(worker, sessionId);
    await callTool(worker, sessionId, "log", { level: "info", message: "filtered" });
    await callTool(worker, sessionId, "log", { level: "error", message: "kept" });
    const [message] = await readSseMessages<{ params: { data: string } }>(stream, 1);
    expect(message!.params.data).toBe("kept");
  });

  it("answers a batch with an array, in order", async () => {
    const sessionId = await openSession(worker);
    const response = await mcpPost(
      worker,
      [request(7, "ping"), request(8, "tools/call", { name: "echo", arguments: { message: "b" } })],
      { sessionId, accept: "application/json" },
    );
    // Answers go out as they complete (JSON-RPC 2.0 §6 allows any order); these two complete in
    // the order sent, and nothing may shuffle them on the way.
    expect(await response.json()).toEqual([
      { jsonrpc: "2.0", id: 7, result: {} },
      { jsonrpc: "2.0", id: 8, result: { content: [{ type: "text", text: "b" }] } },
    ]);
  });
});

describe("the standalone stream", () => {
  it("receives list_changed caused by a POST, through the session object", async () => {
    const sessionId = await openSession(worker);
    const stream = await openStream(worker, sessionId);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    await callTool(worker, sessionId, "toggle_extra_tool");
    const [message] = await readSseMessages<{ method: string }>(stream, 1);
    expect(message).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
  });

  it("delivers on the next GET what was published while no stream was open, once", async () => {
    const sessionId = await openSession(worker);
    await readJsonRpcResponse(
      await mcpPost(worker, request(2, "resources/subscribe", { uri: "demo://greeting" }), { sessionId }),
    );
    await callTool(worker, sessionId, "touch_resource", { uri: "demo://greeting" });
    await callTool(worker, sessionId, "toggle_extra_tool");
    // The client reads them and reconnects without closing the first stream: the second replaces it.
    const first = sseCursor(await openStream(worker, sessionId));
    const kept = [await first.message(), await first.message()] as { method: string }[];
    expect(kept.map(({ method }) => method)).toEqual(["notifications/resources/updated", "notifications/tools/list_changed"]);

    const second = await openStream(worker, sessionId);
    await callTool(worker, sessionId, "log", { message: "fresh" });
    const [next] = await readSseMessages<{ method: string; params: { data: string } }>(second, 1);
    expect(next).toMatchObject({ method: "notifications/message", params: { data: "fresh" } });
    await first.cancel();
  });
});

describe("expiry", () => {
  it("spares a session whose client holds its stream and sends nothing else; once the stream is gone, the session expires", async () => {
    const short = workerWith({ session: { idleTimeoutMs: 300 } });
    const sessionId = await openSession(short);
    const stream = sseCursor(await openStream(short, sessionId));
    await stream.event();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await runDurableObjectAlarm(sessionObject(sessionId));
    expect((await storedState(sessionId)).record).toBeDefined();
    await stream.cancel();
    await until(async () => (await sessionObject(sessionId).stats())?.openStreams === 0, "closed");
    await new Promise((resolve) => setTimeout(resolve, 600));
    await runDurableObjectAlarm(sessionObject(sessionId));
    expect(await storedState(sessionId)).toEqual({ tables: [] });
  });
});

describe("resource subscriptions", () => {
  it("are kept in the record and decide which resources/updated reach the stream", async () => {
    const sessionId = await openSession(worker);
    const subscribe = (method: string, uri: string) =>
      mcpPost(worker, request(crypto.randomUUID(), method, { uri }), { sessionId }).then(readJsonRpcResponse);
    await subscribe("resources/subscribe", "demo://notes/1");
    await subscribe("resources/subscribe", "demo://greeting");
    await subscribe("resources/unsubscribe", "demo://notes/1");
    expect((await storedState(sessionId)).record?.subscriptions).toEqual(["demo://greeting"]);

    const stream = await openStream(worker, sessionId);
    await callTool(worker, sessionId, "touch_resource", { uri: "demo://notes/1" });
    await callTool(worker, sessionId, "touch_resource", { uri: "demo://greeting" });
    const [message] = await readSseMessages<{ params: { uri: string } }>(stream, 1);
    expect(message!.params.uri).toBe("demo://greeting");
  });
});

describe("DELETE", () => {
  // What the client sees (200, the stream ends, 404 from then on) is a wire rule: test/shared/wire-rules.ts.
  it("removes all of the session's storage", async () => {
    const sessionId = await openSession(worker);
    await callTool(worker, sessionId, "toggle_extra_tool");
    expect((await storedState(sessionId)).tables).toEqual(expect.arrayContaining(["session", "events"]));
    expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
    expect(await storedState(sessionId)).toEqual({ tables: [] });
  });

  it("of an unknown session leaves no storage behind", async () => {
    const sessionId = crypto.randomUUID();
    expect((await mcpPost(worker, request(2, "ping"), { sessionId })).status).toBe(404);
    expect(await storedState(sessionId)).toEqual({ tables: [] });
  });
});
