// Durable state for tools: a principal's own state and the state behind handles, in StateDO
// objects, through createStateStore and the demo's counter tools.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createStateStore, MAX_STATE_BYTES, StateError, type Principal } from "../../src/lib.js";
import { callTool, openSession } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { worker } from "./helpers.js";
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
  const text = (answer: { result?: Record<string, unknown> }) => (answer.result?.["content"] as { text: string }[])[0]!.text;

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
