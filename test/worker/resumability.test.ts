// Resumable streams, SSE polling, the event log and idle expiry, in workerd.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, mcpPost, openSession, openStream, request, type Endpoint, type AnyMessage } from "../shared/mcp.js";
import { readAllSseEvents, sseCursor } from "../shared/sse.js";
import { sessionObject, storedState, worker, workerWith } from "./helpers.js";

function slowTask(endpoint: Endpoint, sessionId: string, steps: number, delayMs: number) {
  return mcpPost(
    endpoint,
    request(7, "tools/call", { name: "slow_task", arguments: { steps, delayMs }, _meta: { progressToken: "p" } }),
    { sessionId },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events with data, with their ids, until the stream ends. */
async function eventsUntilEnd(response: Response): Promise<{ id?: string; message: AnyMessage }[]> {
  const events = await readAllSseEvents(response);
  return events
    .filter((event) => event.data !== "")
    .map((event) => ({ id: event.id, message: JSON.parse(event.data) as AnyMessage }));
}

const progressOf = (events: { message: AnyMessage }[]) =>
  events.filter(({ message }) => message.method === "notifications/progress").map(({ message }) => message.params?.progress);

describe("event ids", () => {
  it("are on every event of a POST stream, after a priming event with a retry hint", async () => {
    const sessionId = await openSession(worker);
    const cursor = sseCursor(await slowTask(worker, sessionId, 2, 0));
    const priming = await cursor.event();
    expect(priming.data).toBe("");
    expect(priming.id).toMatch(/^[0-9a-f-]{36}_0$/);
    const stream = priming.id!.split("_")[0];
    expect([(await cursor.event()).id, (await cursor.event()).id, (await cursor.event()).id]).toEqual([
      `${stream}_1`,
      `${stream}_2`,
      `${stream}_3`,
    ]);
  });
});

describe("a POST stream whose connection dropped", () => {
  it("goes on through GET with Last-Event-ID: exactly the missed events, in order, then the result", async () => {
    const sessionId = await openSession(worker);
    const cursor = sseCursor(await slowTask(worker, sessionId, 6, 60));
    await cursor.event();
    const first = await cursor.event();
    const second = await cursor.event();
    await cursor.cancel();

    const resumed = await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": second.id! }));
    expect(JSON.parse(first.data).params.progress).toBe(1);
    expect(progressOf(resumed)).toEqual([3, 4, 5, 6]);
    expect(resumed.at(-1)?.message).toMatchObject({ id: 7, result: { content: [{ text: "completed 6 steps" }] } });
  });

  it("is handed over when the client resumes before the server noticed the drop", async () => {
    const sessionId = await openSession(worker);
    const original = sseCursor(await slowTask(worker, sessionId, 4, 100));
    await original.event();
    const first = await original.event();
    const resumed = await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": first.id! }));
    expect(progressOf(resumed)).toEqual([2, 3, 4]);
    expect(resumed.at(-1)?.message.result).toBeDefined();
  });

  it("is handed over when the client resumes it before its POST opened an inbox", async () => {
    const sessionId = await openSession(worker);
    const original = sseCursor(await slowTask(worker, sessionId, 3, 100));
    const priming = await original.event();
    const resumed = await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": priming.id! }));
    expect(progressOf(resumed)).toEqual([1, 2, 3]);
    expect(resumed.at(-1)?.message.result).toBeDefined();
  });

  it("can be resumed again after the result, from any id it still holds", async () => {
    const sessionId = await openSession(worker);
    const cursor = sseCursor(await slowTask(worker, sessionId, 3, 30));
    const priming = await cursor.event();
    await cursor.cancel();
    const all = await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": priming.id! }));
    expect(progressOf(all)).toEqual([1, 2, 3]);
    const again = await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": all[1]!.id! }));
    expect(again.map(({ id }) => id)).toEqual(all.slice(2).map(({ id }) => id));
  });
});

describe("a POST stream that ended at once", () => {
  it("is not kept: a resume of it is refused with 400, not answered with a stream that stays empty", async () => {
    const sessionId = await openSession(worker);
    const answered = await eventsUntilEnd(await slowTask(worker, sessionId, 1, 0));
    expect(answered.at(-1)?.message.result).toBeDefined();
    const response = await openStream(worker, sessionId, { "last-event-id": answered[0]!.id! });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining("Last-Event-ID") } });
  });
});

describe("the standalone stream", () => {
  it("replays after Last-Event-ID what the client missed, and prunes what it acknowledged", async () => {
    const sessionId = await openSession(worker);
    const cursor = sseCursor(await openStream(worker, sessionId));
    await cursor.event();
    await callTool(worker, sessionId, "log", { message: "one" });
    await callTool(worker, sessionId, "log", { message: "two" });
    const one = await cursor.event();
    await cursor.cancel();
    await callTool(worker, sessionId, "log", { message: "three" });

    const [stream, position] = one.id!.split("_");
    expect(await loggedPositions(sessionId, stream!)).toEqual([Number(position), Number(position) + 1, Number(position) + 2]);

    const replay = await eventsUntilEndWithin(await openStream(worker, sessionId, { "last-event-id": one.id! }), 2);
    expect(replay.map(({ message }) => message.params?.data)).toEqual(["two", "three"]);
    // The client confirmed "one" by resuming after it: it is gone, the rest stay until confirmed.
    expect(await loggedPositions(sessionId, stream!)).toEqual([Number(position) + 1, Number(position) + 2]);
  });

  it("refuses a Last-Event-ID of another session or of no stream, with a clear 400", async () => {
    const mine = await openSession(worker);
    const other = await openSession(worker);
    const cursor = sseCursor(await openStream(worker, other));
    const priming = await cursor.event();
    await cursor.cancel();
    for (const lastEventId of [priming.id!, "nonsense", `${crypto.randomUUID()}_3`]) {
      const response = await openStream(worker, mine, { "last-event-id": lastEventId });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining("Last-Event-ID") } });
    }
  });

  it("refuses a non-canonical position or one the stream never reached as an unknown id, and keeps its log", async () => {
    const sessionId = await openSession(worker);
    const cursor = sseCursor(await openStream(worker, sessionId));
    const priming = await cursor.event();
    await cursor.cancel();
    await callTool(worker, sessionId, "log", { message: "one" });
    await callTool(worker, sessionId, "log", { message: "two" });
    const [stream] = priming.id!.split("_");
    const kept = await loggedPositions(sessionId, stream!);
    expect(kept).toHaveLength(2);

    for (const position of ["0x1", "1e1", " 1", "01", `${kept[1]! + 1}`, `${Number.MAX_SAFE_INTEGER}`]) {
      const response = await openStream(worker, sessionId, { "last-event-id": `${stream}_${position}` });
      expect(response.status, position).toBe(400);
      expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining("names no stream") } });
    }
    expect(await loggedPositions(sessionId, stream!)).toEqual(kept);
    const replay = await eventsUntilEndWithin(await openStream(worker, sessionId, { "last-event-id": priming.id! }), 2);
    expect(replay.map(({ message }) => message.params?.data)).toEqual(["one", "two"]);
  });

  it("takes the same Last-Event-ID again after it confirmed the last event", async () => {
    const sessionId = await openSession(worker);
    const cursor = sseCursor(await openStream(worker, sessionId));
    await cursor.event();
    await callTool(worker, sessionId, "log", { message: "only" });
    const only = await cursor.event();
    await cursor.cancel();
    for (let reconnect = 0; reconnect < 2; reconnect++) {
      const response = await openStream(worker, sessionId, { "last-event-id": only.id! });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });

  it("refuses the resume of a POST stream at a position it never reached, before and after its handover", async () => {
    const sessionId = await openSession(worker);
    const original = sseCursor(await slowTask(worker, sessionId, 3, 100));
    const priming = await original.event();
    const stream = priming.id!.split("_")[0]!;
    // While the tool runs: the object learns the stream's positions from its handover, then ends the resume.
    expect(await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": `${stream}_50` }))).toEqual([]);
    await sleep(400);
    const beyond = await openStream(worker, sessionId, { "last-event-id": `${stream}_50` });
    expect(beyond.status).toBe(400);
    await beyond.body?.cancel();
    const all = await eventsUntilEnd(await openStream(worker, sessionId, { "last-event-id": priming.id! }));
    expect(progressOf(all)).toEqual([1, 2, 3]);
    expect(all.at(-1)?.message.result).toBeDefined();
  });

  it("refuses a Last-Event-ID older than the event log instead of skipping the gap", async () => {
    const small = workerWith({ session: { eventLogMaxEvents: 2 } });
    const sessionId = await openSession(small);
    const cursor = sseCursor(await openStream(small, sessionId));
    const priming = await cursor.event();
    await cursor.cancel();
    for (const message of ["a", "b", "c", "d"]) await callTool(small, sessionId, "log", { message });
    const response = await openStream(small, sessionId, { "last-event-id": priming.id! });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining("older than") } });
  });
});

describe("SSE polling", () => {
  it("ends the standalone stream after its lifetime, with a retry hint, and loses nothing in between", async () => {
    const polling = workerWith({ session: { streamLifetimeMs: 150, retryMs: 50 } });
    const sessionId = await openSession(polling);
    const first = sseCursor(await openStream(polling, sessionId));
    const priming = await first.event();
    expect(priming.data).toBe("");
    await expect(first.event()).rejects.toThrow("the stream ended");

    await callTool(polling, sessionId, "log", { message: "while away" });
    const next = sseCursor(await openStream(polling, sessionId, { "last-event-id": priming.id! }));
    expect(await next.message<AnyMessage>()).toMatchObject({ params: { data: "while away" } });
    await next.cancel();
  });

  it("does not send the last message again at each poll to a client that reconnects without Last-Event-ID", async () => {
    const polling = workerWith({ session: { streamLifetimeMs: 150, retryMs: 50 } });
    const sessionId = await openSession(polling);
    const first = sseCursor(await openStream(polling, sessionId));
    await first.event();
    await callTool(polling, sessionId, "log", { message: "A" });
    await callTool(polling, sessionId, "log", { message: "B" });
    expect(await first.message<AnyMessage>()).toMatchObject({ params: { data: "A" } });
    expect(await first.message<AnyMessage>()).toMatchObject({ params: { data: "B" } });
    await expect(first.event()).rejects.toThrow("the stream ended");
    for (let poll = 0; poll < 2; poll++) {
      const next = await eventsUntilEnd(await openStream(polling, sessionId));
      expect(next).toEqual([]);
    }
  });

  it("hands a POST stream over after postStreamLifetimeMs; the rest comes through GET", async () => {
    const polling = workerWith({ postStreamLifetimeMs: 120 });
    const sessionId = await openSession(polling);
    const early = await eventsUntilEnd(await slowTask(polling, sessionId, 5, 60));
    const lastId = early.at(-1)?.id;
    expect(early.some(({ message }) => message.result)).toBe(false);
    expect(lastId).toBeDefined();
    const rest = await eventsUntilEnd(await openStream(polling, sessionId, { "last-event-id": lastId! }));
    expect([...progressOf(early), ...progressOf(rest)]).toEqual([1, 2, 3, 4, 5]);
    expect(rest.at(-1)?.message).toMatchObject({ id: 7, result: { content: [{ text: "completed 5 steps" }] } });
  });
});

describe("idle expiry", () => {
  it("deletes the session and all its storage by itself once it has been idle long enough", async () => {
    const short = workerWith({ session: { idleTimeoutMs: 300 } });
    const sessionId = await openSession(short);
    // One standalone message for this session alone (a list change would go to every anonymous session).
    await callTool(short, sessionId, "log", { message: "kept in the event log" });
    expect((await storedState(sessionId)).tables).toContain("events");
    await sleep(600);
    await runDurableObjectAlarm(sessionObject(sessionId));
    expect(await storedState(sessionId)).toEqual({ tables: [] });
    expect((await mcpPost(short, request(2, "ping"), { sessionId })).status).toBe(404);
  });

  it("is postponed by activity", async () => {
    const idleTimeoutMs = 800;
    const short = workerWith({ session: { idleTimeoutMs } });
    const [active, idle] = await Promise.all([openSession(short), openSession(short)]);
    await sleep(450);
    expect((await mcpPost(short, request(2, "ping"), { sessionId: active })).status).toBe(200);
    await sleep(idleTimeoutMs - 450 + 50);
    // Both are now older than the idle timeout; only `idle` has been idle that long.
    expect(await runDurableObjectAlarm(sessionObject(active))).toBe(true);
    await runDurableObjectAlarm(sessionObject(idle));
    expect((await storedState(active)).record).toBeDefined();
    expect((await mcpPost(short, request(3, "ping"), { sessionId: active })).status).toBe(200);
    expect(await storedState(idle)).toEqual({ tables: [] });
    expect((await mcpPost(short, request(3, "ping"), { sessionId: idle })).status).toBe(404);
  });
});

/** The positions of a stream's events in the session object's log. */
function loggedPositions(sessionId: string, stream: string): Promise<number[]> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) =>
    state.storage.sql
      .exec<{ position: number }>(`SELECT position FROM events WHERE stream = ? ORDER BY position`, stream)
      .toArray()
      .map(({ position }) => position),
  );
}

/** The first `count` data events of a stream that stays open. */
async function eventsUntilEndWithin(response: Response, count: number): Promise<{ id?: string; message: AnyMessage }[]> {
  const cursor = sseCursor(response);
  const events: { id?: string; message: AnyMessage }[] = [];
  while (events.length < count) {
    const event = await cursor.event();
    if (event.data !== "") events.push({ id: event.id, message: JSON.parse(event.data) as AnyMessage });
  }
  await cursor.cancel();
  return events;
}
