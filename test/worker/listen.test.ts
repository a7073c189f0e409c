// subscriptions/listen and the changes that reach every listener of their scope, on both eras,
// against the demo Worker and its listener hubs in workerd.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { bearerTokens, createPusher } from "../../src/lib.js";
import { demoServerFactory } from "../../demo/server.js";
import { ListenHubDO, MAX_LISTENERS_PER_PRINCIPAL } from "../../src/listen/hub-do.js";
import { MAX_OPENING_CHARS, openListener, type ListenOpening, type ListenRefusal } from "../../src/listen/opening.js";
import { DEFAULT_LISTEN_SHARDS } from "../../src/listen/shards.js";
import { bridgeStream } from "../../src/wire/bridge/worker-end.js";
import { MAX_UNREAD_BYTES } from "../../src/wire/sse.js";
import { expectJsonRpcError } from "../shared/expect.js";
import {
  callTool,
  mcpPost,
  mcpRequest,
  openSession,
  openStream,
  readJsonRpcResponse,
  request,
  withBearer,
} from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { readAllSseMessages, sseCursor, type SseCursor } from "../shared/sse.js";
import { until } from "../shared/until.js";
import { worker, workerWith } from "./helpers.js";

const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
const pusher = createPusher(env);
const hubs = () =>
  Array.from({ length: DEFAULT_LISTEN_SHARDS }, (_, shard) =>
    env.MCP_LISTENERS.get(env.MCP_LISTENERS.idFromName(`hub-${shard}`)),
  );
const listenerCount = async () =>
  (await Promise.all(hubs().map((hub) => hub.counts()))).reduce((sum, { listeners }) => sum + listeners, 0);
/** Until the hubs hold `count` listeners: a client's close reaches its hub a moment after the client left. */
const listenersHeld = (count: number) => until(async () => (await listenerCount()) === count, `${count} listeners held`);

/** A hub of a test's own, apart from the deployment's shards. */
const hubNamed = (name: string) => env.MCP_LISTENERS.get(env.MCP_LISTENERS.idFromName(name));
const spec = { principal: "p", filter: { toolsListChanged: true }, serverInfo: { name: "s", version: "1" } };

/** A listener opened on `hub` and bridged, as src/stateless/listen.ts does: its SSE response, or why there is none. */
async function listenOn(
  hub: { fetch(request: Request): Promise<Response> },
  opening: Partial<ListenOpening> = {},
): Promise<Response | ListenRefusal> {
  const outcome = await openListener(hub, { ...spec, subscriptionId: 1, limitPerPrincipal: false, ...opening });
  return outcome.status === "open" ? bridgeStream(outcome.upgrade, {}) : outcome;
}

async function opened(response: Promise<Response | ListenRefusal>): Promise<SseCursor> {
  const stream = await response;
  if (!(stream instanceof Response)) throw new Error(`refused: ${stream.reason}`);
  return sseCursor(stream);
}

type Filter = Record<string, unknown>;

/** Opens a listen stream and reads its acknowledgement. */
async function listen(
  endpoint = worker,
  notifications: Filter = { toolsListChanged: true },
  id: string | number = crypto.randomUUID(),
) {
  const response = await modernRequest(endpoint, id, "subscriptions/listen", { notifications });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const stream = sseCursor(response);
  const ack = await stream.message();
  return { id, stream, ack };
}

/** The next message, or "quiet" when none comes within `ms` (the stream stays open). */
async function nextWithin(stream: SseCursor, ms = 300): Promise<Record<string, unknown> | "quiet"> {
  return Promise.race([stream.message(), new Promise<"quiet">((resolve) => setTimeout(() => resolve("quiet"), ms))]);
}

const toggle2026 = (endpoint = worker) =>
  modernRequest(endpoint, crypto.randomUUID(), "tools/call", { name: "toggle_extra_tool", arguments: {} }).then((r) => r.json());

describe("subscriptions/listen", () => {
  it("acknowledges first with the filter the server honours, stamped with the listen request's id", async () => {
    const { stream, ack } = await listen(worker, { toolsListChanged: true, promptsListChanged: false }, 41);
    expect(ack).toEqual({
      jsonrpc: "2.0",
      method: "notifications/subscriptions/acknowledged",
      params: { notifications: { toolsListChanged: true }, _meta: { [SUBSCRIPTION_ID]: 41 } },
    });
    await stream.cancel();
  });

  it("narrows the acknowledged filter to what the server's capabilities declare", async () => {
    const toolsOnly = workerWith({
      server: () => new McpServer({ name: "tools-only", version: "1" }, { capabilities: { tools: { listChanged: true } } }),
    });
    const asked = {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
      resourceSubscriptions: ["a://b"],
    };
    const { stream, ack } = await listen(toolsOnly, asked);
    expect(ack["params"]).toMatchObject({ notifications: { toolsListChanged: true } });
    expect(Object.keys((ack["params"] as { notifications: object }).notifications)).toEqual(["toolsListChanged"]);
    await stream.cancel();
  });

  it("delivers a change a 2026-07-28 tools/call made, tagged with the subscription id, and nothing it did not ask for", async () => {
    const tools = await listen(worker, { toolsListChanged: true }, "tools-listener");
    const prompts = await listen(worker, { promptsListChanged: true }, "prompts-listener");
    await toggle2026();
    expect(await tools.stream.message()).toEqual({
      jsonrpc: "2.0",
      method: "notifications/tools/list_changed",
      params: { _meta: { [SUBSCRIPTION_ID]: "tools-listener" } },
    });
    expect(await nextWithin(prompts.stream)).toBe("quiet");
    await Promise.all([tools.stream.cancel(), prompts.stream.cancel()]);
  });

  it("reaches 2026 listen streams and 2025 GET streams alike, exactly once each, from a 2025 tools/call", async () => {
    const listener = await listen();
    const caller = await openSession(worker);
    const bystander = await openSession(worker);
    const streams = await Promise.all([caller, bystander].map(async (id) => sseCursor(await openStream(worker, id))));
    await callTool(worker, caller, "toggle_extra_tool", { scope: "principal" });
    expect(await listener.stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    for (const [index, stream] of streams.entries()) {
      expect(await stream.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
      // A marker sent after the change comes next: the change did not arrive twice.
      const marker = { method: "notifications/message", params: { level: "info", data: `marker-${index}` } };
      await pusher.notify([caller, bystander][index]!, marker);
      expect(await stream.message()).toMatchObject(marker);
    }
    expect(await nextWithin(listener.stream)).toBe("quiet");
    await Promise.all([listener.stream.cancel(), ...streams.map((stream) => stream.cancel())]);
  });

  it("delivers resources/updated only to listeners that named the URI, from a pusher and from a handler", async () => {
    const uri = `demo://notes/${crypto.randomUUID()}`;
    const named = await listen(worker, { resourceSubscriptions: [uri] });
    const other = await listen(worker, { resourceSubscriptions: ["demo://notes/other"] });
    expect(await pusher.resourceUpdated(uri)).toBeGreaterThanOrEqual(1);
    expect(await named.stream.message()).toMatchObject({ method: "notifications/resources/updated", params: { uri } });
    expect(await nextWithin(other.stream)).toBe("quiet");
    await Promise.all([named.stream.cancel(), other.stream.cancel()]);
  });

  it("delivers the pusher's list changes to both eras", async () => {
    const listener = await listen(worker, { promptsListChanged: true, resourcesListChanged: true });
    const sessionId = await openSession(worker);
    const stream = sseCursor(await openStream(worker, sessionId));
    await pusher.promptsListChanged();
    await pusher.resourcesListChanged();
    expect(await listener.stream.message()).toMatchObject({ method: "notifications/prompts/list_changed" });
    expect(await listener.stream.message()).toMatchObject({ method: "notifications/resources/list_changed" });
    expect(await stream.message()).toMatchObject({ method: "notifications/prompts/list_changed" });
    expect(await stream.message()).toMatchObject({ method: "notifications/resources/list_changed" });
    await Promise.all([listener.stream.cancel(), stream.cancel()]);
  });

  it("ends the subscription when the client closes the stream: its hub forgets it without writing to it", async () => {
    await listenersHeld(0);
    const { stream } = await listen();
    expect(await listenerCount()).toBe(1);
    // The Worker closes the listener's socket as the client's response is cancelled; no change, no keepalive needed.
    await stream.cancel();
    await listenersHeld(0);
  });

  it("still delivers to a listener after its hub starts again (a wake from hibernation), which keeps no listener in memory", async () => {
    const hub = hubNamed("a hub that restarts");
    const stream = await opened(listenOn(hub, { subscriptionId: "kept" }));
    await stream.message(); // the acknowledgement
    // A fresh instance over the same state, as after hibernation: it knows the listener only from its socket.
    const reached = await runInDurableObject(hub, (_instance, state) =>
      new ListenHubDO(state, env).deliver({ jsonrpc: "2.0", method: "notifications/tools/list_changed" }),
    );
    expect(reached).toBe(1);
    expect(await stream.message()).toEqual({
      jsonrpc: "2.0",
      method: "notifications/tools/list_changed",
      params: { _meta: { [SUBSCRIPTION_ID]: "kept" } },
    });
    await stream.cancel();
  });

  it("ends gracefully with the listen request's result when the server honours nothing that was asked", async () => {
    const response = await modernRequest(worker, 7, "subscriptions/listen", { notifications: { toolsListChanged: false } });
    const messages = await readAllSseMessages<Record<string, unknown>>(response);
    expect(messages).toEqual([
      expect.objectContaining({
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: {}, _meta: { [SUBSCRIPTION_ID]: 7 } },
      }),
      {
        jsonrpc: "2.0",
        id: 7,
        result: {
          resultType: "complete",
          _meta: {
            [SUBSCRIPTION_ID]: 7,
            "io.modelcontextprotocol/serverInfo": expect.objectContaining({ name: "durable-mcp-demo" }),
          },
        },
      },
    ]);
  });

  it("refuses a missing or malformed filter with -32602", async () => {
    await expectJsonRpcError(await modernRequest(worker, 8, "subscriptions/listen", {}), 400, {
      code: -32602,
      id: 8,
      mentioning: "params.notifications is required",
    });
    await expectJsonRpcError(
      await modernRequest(worker, 9, "subscriptions/listen", { notifications: { resourceSubscriptions: [1] } }),
      400,
      { code: -32602, id: 9, mentioning: "params.notifications.resourceSubscriptions.0" },
    );
  });

  it("answers -32601 on a deployment without listener hubs", async () => {
    const unhubbed = workerWith({ listenBinding: "NO_SUCH_BINDING" });
    await expectJsonRpcError(
      await modernRequest(unhubbed, 10, "subscriptions/listen", { notifications: { toolsListChanged: true } }),
      404,
      {
        code: -32601,
        id: 10,
        mentioning: "NO_SUCH_BINDING",
      },
    );
  });
});

describe("the scope of a change", () => {
  const tokens = { LISTEN_TOKENS: "alpha-token-0123456789,beta-token-0123456789" };
  const authed = workerWith({ authenticate: bearerTokens({ secret: "LISTEN_TOKENS" }) }, tokens);
  const alpha = withBearer(authed, "alpha-token-0123456789");
  const beta = withBearer(authed, "beta-token-0123456789");

  it("reaches the principal's own listeners on both eras, never another principal's", async () => {
    const alphaListener = await listen(alpha);
    const betaListener = await listen(beta);
    const betaSession = await openSession(beta);
    const betaStream = sseCursor(await openStream(beta, betaSession));
    const alphaSession = await openSession(alpha);
    const alphaStream = sseCursor(await openStream(alpha, alphaSession));
    await toggle2026(alpha);
    expect(await alphaListener.stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(await alphaStream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(await nextWithin(betaListener.stream)).toBe("quiet");
    expect(await nextWithin(betaStream)).toBe("quiet");
    await Promise.all([alphaListener, betaListener].map(({ stream }) => stream.cancel()));
    await Promise.all([alphaStream.cancel(), betaStream.cancel()]);
  });

  it("keeps a handler's resources/updated to the sessions of its principal that subscribed", async () => {
    const uri = "demo://notes/shared-name";
    const [alphaSession, betaSession] = await Promise.all([openSession(alpha), openSession(beta)]);
    for (const [endpoint, sessionId] of [
      [alpha, alphaSession],
      [beta, betaSession],
    ] as const) {
      await readJsonRpcResponse(await mcpPost(endpoint, request(1, "resources/subscribe", { uri }), { sessionId }));
    }
    const streams = await Promise.all([
      openStream(alpha, alphaSession).then(sseCursor),
      openStream(beta, betaSession).then(sseCursor),
    ]);
    await callTool(alpha, alphaSession, "touch_resource", { uri });
    expect(await streams[0]!.message()).toMatchObject({ method: "notifications/resources/updated", params: { uri } });
    expect(await nextWithin(streams[1]!)).not.toMatchObject({ method: "notifications/resources/updated" });
    await Promise.all(streams.map((stream) => stream.cancel()));
  });

  it("reaches every principal's listeners when the deployment chooses changeScope: deployment", async () => {
    const wide = workerWith({ authenticate: bearerTokens({ secret: "LISTEN_TOKENS" }), changeScope: "deployment" }, tokens);
    const betaListener = await listen(withBearer(wide, "beta-token-0123456789"));
    await toggle2026(withBearer(wide, "alpha-token-0123456789"));
    expect(await betaListener.stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    await betaListener.stream.cancel();
  });

  it("reaches one principal's listeners from a pusher that names it", async () => {
    const alphaListener = await listen(alpha);
    const betaListener = await listen(beta);
    const reached = await pusher.toolsListChanged({ principal: await principalIdOf("alpha-token-0123456789") });
    // Alpha's 2025 sessions of earlier tests count as well.
    expect(reached).toBeGreaterThanOrEqual(1);
    expect(await alphaListener.stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(await nextWithin(betaListener.stream)).toBe("quiet");
    await Promise.all([alphaListener.stream.cancel(), betaListener.stream.cancel()]);
  });
});

describe("limits and bookkeeping", () => {
  it(`refuses the listen stream after ${MAX_LISTENERS_PER_PRINCIPAL} open ones of one principal`, async () => {
    const tokens = { LIMIT_TOKENS: "gamma-token-0123456789" };
    const gamma = withBearer(
      workerWith({ authenticate: bearerTokens({ secret: "LIMIT_TOKENS" }) }, tokens),
      "gamma-token-0123456789",
    );
    const open = [];
    for (let index = 0; index < MAX_LISTENERS_PER_PRINCIPAL; index++) open.push(await listen(gamma));
    const refused = await modernRequest(gamma, "one-too-many", "subscriptions/listen", {
      notifications: { toolsListChanged: true },
    });
    await expectJsonRpcError(refused, 200, {
      code: -32603,
      id: "one-too-many",
      mentioning: `at most ${MAX_LISTENERS_PER_PRINCIPAL}`,
    });
    // A client that closes one gets a new one once its hub has seen the close, with no write to the old stream.
    await open.pop()!.stream.cancel();
    await listenersHeld(MAX_LISTENERS_PER_PRINCIPAL - 1);
    open.push(await listen(gamma));
    await Promise.all(open.map(({ stream }) => stream.cancel()));
    await listenersHeld(0);
  });

  it("keeps a quiet stream open with comment lines, which the Worker writes", async () => {
    const response = await listenOn(hubNamed("a quiet hub"), { keepaliveMs: 20 });
    if (!(response instanceof Response)) throw new Error(`refused: ${response.reason}`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": heartbeat\n\n")) text += (await reader.read()).value ?? "";
    expect(text).toMatch(/^event: message\ndata: .*acknowledged.*\n\n: heartbeat\n\n/s);
    await reader.cancel();
  });

  it("refuses a listen stream once its hub holds as many as it may", async () => {
    const hub = hubNamed("a hub of its own");
    const first = await opened(listenOn(hub, { maxPerHub: 1 }));
    expect(await listenOn(hub, { subscriptionId: 2, maxPerHub: 1 })).toEqual({
      status: "full",
      reason: expect.stringContaining("1 listen streams per hub"),
    });
    await first.cancel();
  });

  it("counts and reaches the listeners of a principal whose id is longer than a socket's tag may be", async () => {
    const hub = hubNamed("a hub of long principals");
    const principal = `oauth:${"q".repeat(300)}`;
    const first = await opened(listenOn(hub, { principal, limitPerPrincipal: true, maxPerPrincipal: 1 }));
    await first.message(); // the acknowledgement
    expect(await listenOn(hub, { principal, limitPerPrincipal: true, maxPerPrincipal: 1 })).toMatchObject({ status: "full" });
    const change = { jsonrpc: "2.0" as const, method: "notifications/tools/list_changed" };
    expect(await hub.deliver(change, `oauth:${"q".repeat(299)}`)).toBe(0);
    expect(await hub.deliver(change, principal)).toBe(1);
    expect(await first.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    await first.cancel();
  });

  it("cuts a listener that reads too slowly in its Worker, and its hub forgets it", async () => {
    const hub = hubNamed("a hub with a slow reader");
    const unread = await listenOn(hub);
    expect(unread).toBeInstanceOf(Response);
    const big = {
      jsonrpc: "2.0" as const,
      method: "notifications/tools/list_changed",
      params: { pad: "x".repeat(MAX_UNREAD_BYTES / 3) },
    };
    for (let n = 0; n < 4; n++) await hub.deliver(big);
    await until(async () => (await hub.counts()).listeners === 0, "the slow listener forgotten");
  });

  it(`opens a listener whose opening takes ${MAX_OPENING_CHARS} characters, and refuses one longer, before it reaches the hub`, async () => {
    const hub = hubNamed("a hub of long openings");
    // One character beyond Latin-1 makes the whole URI 2 bytes a character in the socket's attachment: the worst case.
    const opening = (length: number): Partial<ListenOpening> => ({
      filter: { resourceSubscriptions: [`中${"u".repeat(length)}`] },
    });
    const base =
      JSON.stringify({ ...spec, subscriptionId: 1, limitPerPrincipal: false, ...opening(0) }).length + "\\u4e2d".length - 1;
    const longest = await opened(listenOn(hub, opening(MAX_OPENING_CHARS - base)));
    expect(await longest.message()).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
    await longest.cancel();
    expect(await listenOn(hub, opening(MAX_OPENING_CHARS - base + 1))).toEqual({
      status: "invalid",
      reason: expect.stringContaining(`${MAX_OPENING_CHARS + 1} characters`),
    });
    expect(await hub.counts()).toMatchObject({ listeners: 0 });
  });

  it("answers -32602 to a listen request whose filter is too long for a hub to keep", async () => {
    const resourceSubscriptions = Array.from({ length: 100 }, (_, n) => `demo://notes/${n}-${"n".repeat(80)}`);
    await expectJsonRpcError(
      await modernRequest(worker, 11, "subscriptions/listen", { notifications: { resourceSubscriptions } }),
      400,
      {
        code: -32602,
        id: 11,
        mentioning: `a listener hub keeps at most ${MAX_OPENING_CHARS}`,
      },
    );
  });

  it("forgets a deleted session, and sweeps an expired one", async () => {
    const deleted = await openSession(worker);
    expect(await joined(deleted)).toBe(true);
    expect((await mcpRequest(worker, "DELETE", { sessionId: deleted })).status).toBe(200);
    expect(await joined(deleted)).toBe(false);

    const short = workerWith({ session: { idleTimeoutMs: 100 } });
    const [expired, alive] = [await openSession(short), await openSession(worker)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runDurableObjectAlarm(env.MCP_SESSION.get(env.MCP_SESSION.idFromName(expired)));
    expect(await joined(expired)).toBe(true);
    await Promise.all(hubs().map((hub) => ageSessions(hub)));
    await Promise.all(hubs().map((hub) => runDurableObjectAlarm(hub)));
    expect(await joined(expired)).toBe(false);
    expect(await joined(alive)).toBe(true);
  });
});

/** Whether any hub tells the session of list changes. */
async function joined(sessionId: string): Promise<boolean> {
  const found = await Promise.all(
    hubs().map((hub) =>
      runInDurableObject(
        hub,
        (_instance, state) => state.storage.sql.exec(`SELECT 1 FROM sessions WHERE id = ?`, sessionId).toArray().length > 0,
      ),
    ),
  );
  return found.includes(true);
}

/** Makes every session of a hub look joined long ago, so that its sweep looks at them. */
function ageSessions(hub: DurableObjectStub<ListenHubDO>): Promise<void> {
  return runInDurableObject(hub, (_instance, state) => {
    state.storage.sql.exec(`UPDATE sessions SET joined_at = 0`);
  });
}

/** The principal id bearerTokens gives a token (a hash, never the token). */
async function principalIdOf(token: string): Promise<string> {
  const principal = await bearerTokens({ secret: "T" })(
    new Request("http://x", { headers: { authorization: `Bearer ${token}` } }),
    { T: token },
    { props: {} },
  );
  if (principal instanceof Response) throw new Error("no principal");
  return principal.id;
}

describe("the demo's toggle_extra_tool", () => {
  const tokens = { TOGGLE_TOKENS: "delta-token-0123456789,epsilon-token-0123456789" };
  const demo = workerWith({ server: demoServerFactory, authenticate: bearerTokens({ secret: "TOGGLE_TOKENS" }) }, tokens);
  const delta = withBearer(demo, "delta-token-0123456789");
  const epsilon = withBearer(demo, "epsilon-token-0123456789");
  const toolNames = async (endpoint: typeof delta, sessionId?: string) => {
    const answer = sessionId
      ? await readJsonRpcResponse(await mcpPost(endpoint, request(crypto.randomUUID(), "tools/list"), { sessionId }))
      : ((await (await modernRequest(endpoint, crypto.randomUUID(), "tools/list")).json()) as {
          result?: Record<string, unknown>;
        });
    return ((answer.result?.["tools"] ?? []) as { name: string }[]).map(({ name }) => name);
  };

  it("adds extra_tool for the session that called it only, and tells only that session", async () => {
    const listener = await listen(delta);
    const [caller, sibling] = await Promise.all([openSession(delta), openSession(delta)]);
    const streams = await Promise.all([caller, sibling].map(async (id) => sseCursor(await openStream(delta, id))));
    await callTool(delta, caller, "toggle_extra_tool");
    expect(await streams[0]!.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    expect(await toolNames(delta, caller)).toContain("extra_tool");
    expect(await toolNames(delta, sibling)).not.toContain("extra_tool");
    expect(await toolNames(delta)).not.toContain("extra_tool");
    expect(await nextWithin(streams[1]!)).toBe("quiet");
    expect(await nextWithin(listener.stream)).toBe("quiet");
    await callTool(delta, caller, "toggle_extra_tool");
    expect(await toolNames(delta, caller)).not.toContain("extra_tool");
    await Promise.all([listener.stream.cancel(), ...streams.map((stream) => stream.cancel())]);
  });

  it("adds extra_tool for the principal's next tools/list on both eras with scope principal, and removes it again", async () => {
    const listener = await listen(delta);
    const sessionId = await openSession(delta);
    expect(await toolNames(delta, sessionId)).not.toContain("extra_tool");
    await callTool(delta, sessionId, "toggle_extra_tool", { scope: "principal" });
    expect(await listener.stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(await toolNames(delta, sessionId)).toContain("extra_tool");
    expect(await toolNames(delta)).toContain("extra_tool");
    expect(await toolNames(epsilon)).not.toContain("extra_tool");
    // A 2026-07-28 request has no session: its toggle is the principal's.
    await toggle2026(delta);
    expect(await listener.stream.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(await toolNames(delta, sessionId)).not.toContain("extra_tool");
    await listener.stream.cancel();
  });

  it("loses no toggle of 20 concurrent ones in one session", async () => {
    const sessionId = await openSession(epsilon);
    await Promise.all(Array.from({ length: 20 }, () => callTool(epsilon, sessionId, "toggle_extra_tool")));
    expect(await toolNames(epsilon, sessionId)).not.toContain("extra_tool");
    await callTool(epsilon, sessionId, "toggle_extra_tool");
    expect(await toolNames(epsilon, sessionId)).toContain("extra_tool");
  });
});
