// Push from outside a request, fan-out of resources/updated by topic, the operator routes and
// the request log.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import demoWorker from "../../demo/index.js";
import { MAX_LOGGED_CHARS } from "../../src/edge/request-log.js";
import { createPusher } from "../../src/lib.js";
import { callTool, mcpPost, mcpRequest, openSession, openStream, readJsonRpcResponse, request } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { sseCursor } from "../shared/sse.js";
import { worker, workerWith } from "./helpers.js";

const pusher = createPusher(env);
const subscribe = async (sessionId: string, uri: string, method = "resources/subscribe") =>
  readJsonRpcResponse(await mcpPost(worker, request(crypto.randomUUID(), method, { uri }), { sessionId }));

describe("createPusher", () => {
  it("notifies one session on its stream, or keeps the notification until the next GET", async () => {
    const sessionId = await openSession(worker);
    expect(await pusher.notify(sessionId, { method: "notifications/message", params: { level: "info", data: "kept" } })).toBe(
      true,
    );
    const stream = sseCursor(await openStream(worker, sessionId));
    expect(await stream.message()).toMatchObject({ method: "notifications/message", params: { data: "kept" } });
    await pusher.notify(sessionId, { method: "notifications/tools/list_changed" });
    expect(await stream.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    await stream.cancel();
    expect(await pusher.notify(crypto.randomUUID(), { method: "notifications/tools/list_changed" })).toBe(false);
  });

  it("asks the client something outside any request and resolves with its answer", async () => {
    const sessionId = await openSession(worker, { roots: {} });
    const stream = sseCursor(await openStream(worker, sessionId));
    const asked = pusher.request(sessionId, { method: "roots/list" });
    const question = await stream.message<{ id: string; method: string }>();
    expect(question.method).toBe("roots/list");
    expect((await mcpPost(worker, { jsonrpc: "2.0", id: question.id, result: { roots: [] } }, { sessionId })).status).toBe(202);
    expect(await asked).toEqual({ jsonrpc: "2.0", id: question.id, result: { roots: [] } });
    await stream.cancel();
  });

  it("fans resources/updated out to every subscribed session, and to no other", async () => {
    const uri = `demo://notes/${crypto.randomUUID()}`;
    const [first, second, bystander, leaver] = await Promise.all([1, 2, 3, 4].map(() => openSession(worker)));
    for (const sessionId of [first!, second!, leaver!]) await subscribe(sessionId, uri);
    await subscribe(leaver!, uri, "resources/unsubscribe");
    const streams = [first!, second!, bystander!, leaver!].map(async (sessionId) =>
      sseCursor(await openStream(worker, sessionId)),
    );

    expect(await pusher.resourceUpdated(uri)).toBe(2);
    const [a, b, c, d] = await Promise.all(streams);
    for (const stream of [a!, b!])
      expect(await stream.message()).toMatchObject({ method: "notifications/resources/updated", params: { uri } });
    await callTool(worker, bystander!, "toggle_extra_tool");
    await callTool(worker, leaver!, "toggle_extra_tool");
    for (const stream of [c!, d!]) expect(await stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    await Promise.all([a, b, c, d].map((stream) => stream!.cancel()));
  });

  it("forgets a deleted session in every topic it subscribed to", async () => {
    const uri = `demo://notes/${crypto.randomUUID()}`;
    const sessionId = await openSession(worker);
    await subscribe(sessionId, uri);
    expect(await pusher.resourceUpdated(uri)).toBe(1);
    expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
    expect(await pusher.resourceUpdated(uri)).toBe(0);
    const topic = env.MCP_TOPICS.get(env.MCP_TOPICS.idFromName(uri));
    expect(await topic.subscribers()).toEqual([]);
  });

  it("forgets an expired session in every topic it subscribed to", async () => {
    const uri = `demo://notes/${crypto.randomUUID()}`;
    const short = workerWith({ session: { idleTimeoutMs: 300 } });
    const sessionId = await openSession(short);
    await readJsonRpcResponse(await mcpPost(short, request(2, "resources/subscribe", { uri }), { sessionId }));
    const topic = env.MCP_TOPICS.get(env.MCP_TOPICS.idFromName(uri));
    expect(await topic.subscribers()).toEqual([sessionId]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await runDurableObjectAlarm(env.MCP_SESSION.get(env.MCP_SESSION.idFromName(sessionId)));
    expect(await topic.subscribers()).toEqual([]);
  });

  it("reports a session's counters", async () => {
    const sessionId = await openSession(worker);
    await callTool(worker, sessionId, "toggle_extra_tool");
    expect(await pusher.stats(sessionId)).toMatchObject({ openStreams: 0, pendingRequests: 0, loggedEvents: 1 });
    const stream = sseCursor(await openStream(worker, sessionId));
    await stream.message();
    expect(await pusher.stats(sessionId)).toMatchObject({ openStreams: 1 });
    await stream.cancel();
    expect(await pusher.stats(crypto.randomUUID())).toBeNull();
  });
});

describe("the demo's cron trigger", () => {
  it("tells the subscribers of demo://clock that it changed", async () => {
    const sessionId = await openSession(worker);
    await subscribe(sessionId, "demo://clock");
    const listen = await modernRequest(worker, "clock-listener", "subscriptions/listen", {
      notifications: { resourceSubscriptions: ["demo://clock"] },
    });
    const listener = sseCursor(listen);
    expect(await listener.message()).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
    const ctx = createExecutionContext();
    demoWorker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const stream = sseCursor(await openStream(worker, sessionId));
    const updated = { method: "notifications/resources/updated", params: { uri: "demo://clock" } };
    expect(await stream.message()).toMatchObject(updated);
    expect(await listener.message()).toMatchObject(updated);
    await Promise.all([stream.cancel(), listener.cancel()]);
  });
});

describe("the request log", () => {
  /** The JSON lines `console.log` got while `run` ran. */
  async function loggedLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
    const log = vi.spyOn(console, "log");
    try {
      await run();
      return log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    } finally {
      log.mockRestore();
    }
  }

  it("is one line per request with requestLog true, and none with requestLog false", async () => {
    const sessionId = await openSession(worker);
    const ping = (endpoint: typeof worker) => mcpPost(endpoint, request(2, "ping"), { sessionId });
    expect(await loggedLines(() => ping(workerWith({ requestLog: true })))).toEqual([
      expect.objectContaining({ method: "POST", path: "/mcp", rpc: ["ping"], status: 200, session: sessionId.slice(0, 8) }),
    ]);
    const silent = workerWith({ requestLog: false });
    expect(await loggedLines(async () => (await ping(silent), await openSession(silent)))).toEqual([]);
  });

  it("logs by default only the requests that start or end a session, or fail", async () => {
    const notable = workerWith({});
    let sessionId = "";
    const lines = await loggedLines(async () => {
      sessionId = await openSession(notable);
      await mcpPost(notable, request(2, "ping"), { sessionId });
      await callTool(notable, sessionId, "echo", { message: "quiet" });
      await mcpPost(notable, request(3, "ping"), { sessionId: "not-a-session" });
      await mcpRequest(notable, "DELETE", { sessionId });
    });
    expect(lines.map(({ method, rpc, status }) => ({ method, rpc, status }))).toEqual([
      { method: "POST", rpc: ["initialize"], status: 200 },
      { method: "POST", rpc: ["ping"], status: 404 },
      { method: "DELETE", rpc: undefined, status: 200 },
    ]);
  });

  it(`keeps at most ${MAX_LOGGED_CHARS} characters of a method or a path from the client`, async () => {
    const sessionId = await openSession(worker);
    const method = "m".repeat(1024 * 1024);
    const lines = await loggedLines(async () => {
      await mcpPost(workerWith({ requestLog: true }), request(2, method), { sessionId });
      await workerWith({ requestLog: true }).fetch(new Request(`http://localhost/${"p".repeat(10_000)}`));
    });
    expect(lines).toEqual([
      expect.objectContaining({ rpc: [`${"m".repeat(MAX_LOGGED_CHARS)}… (1048576 chars)`], status: 200 }),
      expect.objectContaining({ path: `/${"p".repeat(MAX_LOGGED_CHARS - 1)}… (10001 chars)`, status: 404 }),
    ]);
    expect(JSON.stringify(lines).length).toBeLessThan(1000);
  });
});
