// Durable state for tools: a session's, a principal's own and the state behind handles, through
// the factory's `state`, createStateStore and the demo's counter and notes tools.
import { createExecutionContext, env, runDurableObjectAlarm } from "cloudflare:test";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createMcpHandler,
  createStateStore,
  MAX_STATE_BYTES,
  StateError,
  type McpHandlerOptions,
  type Principal,
  type ServerFactory,
} from "../../src/lib.js";
import { demoServerFactory } from "../../demo/server.js";
import { MAX_NOTES } from "../../demo/notes.js";
import { callTool, mcpPost, mcpRequest, openSession, readJsonRpcResponse, request, type Endpoint } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { sessionObject, storedState, worker, workerWith } from "./helpers.js";
import { simulateJurisdictions } from "./jurisdictions.js";

const store = createStateStore(env);
const someone = (): Principal => ({ id: `bearer:${crypto.randomUUID()}` });

describe("a principal's state", () => {
  it("loses none of 20 concurrent increments", async () => {
    const state = store.principal<number>(someone())!;
    await Promise.all(Array.from({ length: 20 }, () => state.update((count) => (count ?? 0) + 1)));
    expect(await state.read()).toBe(20);
  });

  it("is one principal's: another reads nothing", async () => {
    const [owner, other] = [someone(), someone()];
    await store.principal<string[]>(owner)!.update(() => ["a note"]);
    expect(await store.principal<string[]>(owner)!.read()).toEqual(["a note"]);
    expect(await store.principal<string[]>(other)!.read()).toBeUndefined();
  });

  it(`refuses a value over ${MAX_STATE_BYTES} bytes and keeps the last one`, async () => {
    const state = store.principal<string>(someone())!;
    await state.update(() => "small");
    const write = state.update(() => "x".repeat(MAX_STATE_BYTES));
    await expect(write).rejects.toThrow(StateError);
    await expect(write).rejects.toThrow(`at most ${MAX_STATE_BYTES}`);
    expect(await state.read()).toBe("small");
  });

  it("is none for the shared anonymous principal, unless the deployment chooses one for everyone", async () => {
    const anonymous: Principal = { id: "anonymous", shared: true };
    expect(store.principal(anonymous)).toBeUndefined();
    const everyone = createStateStore(env, { sharedPrincipal: "deployment" }).principal<number>(anonymous)!;
    await everyone.update((count) => (count ?? 0) + 1);
    expect(await everyone.read()).toBeGreaterThanOrEqual(1);
  });
});

/**
 * A server whose `count` tool adds to a counter in the scope it names, and whose factory
 * registers `counted` once the session's counter is above zero, with the value in its title.
 */
const counterFactory: ServerFactory<Cloudflare.Env> = async ({ state }) => {
  const server = new McpServer({ name: "counter", version: "1" }, { capabilities: { tools: { listChanged: true } } });
  const session = await state.session<number>()?.read();
  server.registerTool(
    "count",
    { inputSchema: z.object({ scope: z.enum(["session", "principal"]).default("session"), size: z.number().default(0) }) },
    async ({ scope, size }) => {
      const target = scope === "session" ? state.session<number | string>() : state.principal<number | string>();
      if (!target) return { content: [{ type: "text", text: "no such scope" }], isError: true };
      try {
        const value = await target.update((count) => (size > 0 ? "x".repeat(size) : Number(count ?? 0) + 1));
        return { content: [{ type: "text", text: String(value).slice(0, 20) }] };
      } catch (error) {
        return { content: [{ type: "text", text: (error as Error).message }], isError: true };
      }
    },
  );
  if (session) server.registerTool("counted", { title: `counted ${session}` }, () => ({ content: [] }));
  return server;
};

const counter = (options: Partial<McpHandlerOptions<Cloudflare.Env>> = {}) => workerWith({ server: counterFactory, ...options });
const text = (answer: { result?: Record<string, unknown> }) => (answer.result?.["content"] as { text: string }[])[0]!.text;
const tools = async (endpoint: Endpoint, sessionId: string) =>
  (
    (await readJsonRpcResponse(await mcpPost(endpoint, request(crypto.randomUUID(), "tools/list"), { sessionId }))).result?.[
      "tools"
    ] as { name: string; title?: string }[]
  ).map(({ name, title }) => title ?? name);

describe("a session's state", () => {
  it("loses none of 20 concurrent increments, and the factory sees the result", async () => {
    const endpoint = counter();
    const sessionId = await openSession(endpoint);
    expect(await tools(endpoint, sessionId)).toEqual(["count"]);
    await Promise.all(Array.from({ length: 20 }, () => callTool(endpoint, sessionId, "count")));
    expect(await tools(endpoint, sessionId)).toEqual(["count", "counted 20"]);
  });

  it("is one session's: another session of the same principal starts with none", async () => {
    const endpoint = counter();
    const [one, two] = await Promise.all([openSession(endpoint), openSession(endpoint)]);
    await callTool(endpoint, one, "count");
    expect(await tools(endpoint, two)).toEqual(["count"]);
    expect(text(await callTool(endpoint, two, "count"))).toBe("1");
  });

  it("comes with the session check: a request whose factory reads it makes one RPC to the session object", async () => {
    const calls: string[] = [];
    // The namespace and its stubs are native objects: wrapped, not proxied, and called on themselves.
    const counting = {
      idFromName: (name: string) => env.MCP_SESSION.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = env.MCP_SESSION.get(id) as unknown as Record<string, (...args: unknown[]) => unknown>;
        return new Proxy(
          {},
          {
            get: (_, method: string) =>
              method === "then"
                ? undefined
                : (...args: unknown[]) => {
                    calls.push(method);
                    return stub[method]!(...args);
                  },
          },
        );
      },
    };
    const handler = createMcpHandler<Cloudflare.Env>({ server: counterFactory, responseMode: "json" });
    const endpoint: Endpoint = {
      url: worker.url,
      fetch: async (request) =>
        handler.fetch(request as never, { ...env, MCP_SESSION: counting } as unknown as Cloudflare.Env, createExecutionContext()),
    };
    const sessionId = await openSession(endpoint);
    await callTool(endpoint, sessionId, "count");
    calls.length = 0;
    expect(await tools(endpoint, sessionId)).toEqual(["count", "counted 1"]);
    expect(calls).toEqual(["open"]);
    calls.length = 0;
    expect(text(await callTool(endpoint, sessionId, "count"))).toBe("2");
    expect(calls).toEqual(["open", "writeState"]);
  });

  it(`refuses a value over ${MAX_STATE_BYTES} bytes with a clear error and keeps the last one`, async () => {
    const endpoint = counter();
    const sessionId = await openSession(endpoint);
    await callTool(endpoint, sessionId, "count");
    const refused = await callTool(endpoint, sessionId, "count", { size: MAX_STATE_BYTES });
    expect(refused.result).toMatchObject({
      isError: true,
      content: [{ text: expect.stringContaining(`at most ${MAX_STATE_BYTES}`) }],
    });
    expect(await tools(endpoint, sessionId)).toEqual(["count", "counted 1"]);
  });

  it("is deleted with the session", async () => {
    const endpoint = counter();
    const sessionId = await openSession(endpoint);
    await callTool(endpoint, sessionId, "count");
    expect((await storedState(sessionId)).tables).toContain("state");
    expect((await mcpRequest(endpoint, "DELETE", { sessionId })).status).toBe(200);
    expect(await storedState(sessionId)).toEqual({ tables: [] });
  });

  it("expires with the session", async () => {
    const endpoint = counter({ session: { idleTimeoutMs: 300 } });
    const sessionId = await openSession(endpoint);
    await callTool(endpoint, sessionId, "count");
    await new Promise((resolve) => setTimeout(resolve, 600));
    await runDurableObjectAlarm(sessionObject(sessionId));
    expect(await storedState(sessionId)).toEqual({ tables: [] });
  });

  it("does not exist for another principal, nor once the session is gone", async () => {
    const sessionId = await openSession(counter());
    const object = sessionObject(sessionId);
    expect(await object.writeState("bearer:someone-else", 0, "1")).toEqual({ status: "not-found" });
    expect(await object.open("bearer:someone-else")).toBeNull();
    expect(await sessionObject(crypto.randomUUID()).writeState("anonymous", 0, "1")).toEqual({ status: "not-found" });
  });

  it("is none on 2026-07-28, which has no sessions, while the principal's is there when the deployment chooses it", async () => {
    const call = async (endpoint: Endpoint, scope: string) =>
      text(
        (await (await modernRequest(endpoint, 1, "tools/call", { name: "count", arguments: { scope } })).json()) as {
          result?: Record<string, unknown>;
        },
      );
    expect(await call(counter(), "session")).toBe("no such scope");
    // The demo's Worker is anonymous: one principal for everyone, so none unless chosen.
    expect(await call(counter(), "principal")).toBe("no such scope");
    expect(Number(await call(counter({ state: { sharedPrincipal: "deployment" } }), "principal"))).toBeGreaterThanOrEqual(1);
  });
});

describe("handles", () => {
  it("keeps state behind an unguessable handle that only its principal can use", async () => {
    const [owner, other] = [someone(), someone()];
    const handle = await store.handles(owner).create({ items: [] as string[] });
    expect(handle).toMatch(/^hdl_[0-9a-f]{32}$/);
    await store
      .handles(owner)
      .open<{ items: string[] }>(handle)
      .update(({ items } = { items: [] }) => ({ items: [...items, "tea"] }));
    expect(await store.handles(owner).open(handle).read()).toEqual({ items: ["tea"] });
    expect(await store.handles(other).open(handle).read()).toBeUndefined();
    await expect(
      store
        .handles(other)
        .open<number>(handle)
        .update(() => 1),
    ).rejects.toThrow("No such handle");
    expect(await store.handles(owner).open(handle).read()).toEqual({ items: ["tea"] });
  });

  it("does not exist once expired, and leaves no storage", async () => {
    const owner = someone();
    const handle = await store.handles(owner).create(1, { ttlMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.handles(owner).open(handle).read()).toBeUndefined();
    const object = env.MCP_STATE.get(env.MCP_STATE.idFromName(`handle:${handle}`));
    await runDurableObjectAlarm(object);
    expect(await object.read(owner.id)).toBeNull();
  });

  it("refuses malformed handles and out-of-range lifetimes without creating anything", async () => {
    const owner = someone();
    expect(await store.handles(owner).open("hdl_nope").read()).toBeUndefined();
    await expect(
      store
        .handles(owner)
        .open<number>("../../etc")
        .update(() => 1),
    ).rejects.toThrow("No such handle");
    await expect(store.handles(owner).create(1, { ttlMs: 0 })).rejects.toThrow("at most");
    await expect(store.handles(owner).create(1, { ttlMs: 31 * 24 * 60 * 60 * 1000 })).rejects.toThrow("at most");
  });
});

describe("data location", () => {
  it("keeps state in the objects of the store's jurisdiction, where only a store with the same one finds it", async () => {
    const restore = simulateJurisdictions();
    try {
      const owner = someone();
      await createStateStore(env, { jurisdiction: "eu" })
        .principal<number>(owner)!
        .update(() => 42);
      expect(await createStateStore(env, { jurisdiction: "eu" }).principal<number>(owner)!.read()).toBe(42);
      expect(await store.principal<number>(owner)!.read()).toBeUndefined();
    } finally {
      restore();
    }
  });
});

describe("the demo's counter", () => {
  it("counts behind a handle across 2025 calls and 2026-07-28 requests alike", async () => {
    const sessionId = await openSession(worker);
    const handle = text(await callTool(worker, sessionId, "counter_start", { start: 5 }));
    expect(text(await callTool(worker, sessionId, "counter_add", { handle, by: 2 }))).toBe("7");
    const modern = await modernRequest(worker, 1, "tools/call", { name: "counter_add", arguments: { handle, by: 3 } });
    expect(((await modern.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({
      handle,
      value: 10,
    });
  });

  it("answers a tool error for a handle that does not exist", async () => {
    const sessionId = await openSession(worker);
    const answer = await callTool(worker, sessionId, "counter_add", { handle: `hdl_${"0".repeat(32)}` });
    expect(answer.result).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("No such handle") }] });
  });
});

describe("the demo's notes", () => {
  const notes = (answer: { result?: Record<string, unknown> }) =>
    (answer.result?.["structuredContent"] as { notes: string[] } | undefined)?.notes;

  it("are the principal's, shared by its sessions and 2026-07-28 requests, and keep the newest ones", async () => {
    const sessionId = await openSession(worker);
    const mark = crypto.randomUUID();
    await callTool(worker, sessionId, "notes", { clear: true, add: `first ${mark}` });
    for (let n = 0; n < MAX_NOTES; n++) await callTool(worker, sessionId, "notes", { add: `note ${n}` });
    const other = await openSession(worker);
    const listed = notes(await callTool(worker, other, "notes"));
    expect(listed).toHaveLength(MAX_NOTES);
    expect(listed).not.toContain(`first ${mark}`);
    const modern = await modernRequest(worker, 1, "tools/call", { name: "notes", arguments: {} });
    expect(notes((await modern.json()) as { result?: Record<string, unknown> })).toEqual(listed);
  });

  it("are none for the anonymous principal of a deployment that did not choose deployment-wide state", async () => {
    const endpoint = workerWith({ server: demoServerFactory });
    const sessionId = await openSession(endpoint);
    const answer = await callTool(endpoint, sessionId, "notes", { add: "hello" });
    expect(answer.result).toMatchObject({ isError: true, content: [{ text: "This principal keeps no state" }] });
  });
});
