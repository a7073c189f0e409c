// The session object's storage (src/sessions/object/storage.ts) on a real Durable Object's SQLite
// storage: the event log's bounds, acknowledgement, delivery marks and deletion.
import { env, runInDurableObject } from "cloudflare:test";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { MAX_LOGGED_MESSAGE_BYTES } from "../../src/sessions/object/kept-message.js";
import { MAX_LOGGED_STREAMS, SessionStorage, type LoggedEvent } from "../../src/sessions/object/storage.js";
import type { SessionRecord } from "../../src/sessions/record.js";
import { DEFAULT_SESSION_SETTINGS, type SessionSettings } from "../../src/sessions/settings.js";

const T0 = 1_700_000_000_000;
const settings: SessionSettings = { ...DEFAULT_SESSION_SETTINGS, topicsBinding: "MCP_TOPICS", jurisdiction: undefined };

const log = (data: string): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level: "info", data },
});
const numbered = (...positions: number[]) => positions.map((position) => ({ position, message: log(`#${position}`) }));
const positionsOf = (events: LoggedEvent[]) => events.map(({ position }) => position);

const record: SessionRecord = {
  protocolVersion: "2025-11-25",
  clientInfo: { name: "test", version: "0" },
  clientCapabilities: {},
  subscriptions: [],
  principal: "anonymous",
  standaloneStreamId: "standalone",
  createdAt: T0,
  lastSeenAt: T0,
};

/** The object's own tables, by name, without SQLite's and the runtime's. */
const tablesOf = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_cf%' ESCAPE '\\' ORDER BY name`,
    )
    .toArray()
    .map(({ name }) => name);

/** Runs `test` on a SessionStorage over the storage of a fresh session object. */
function withStorage<T>(test: (storage: SessionStorage, state: DurableObjectState) => Promise<T> | T): Promise<T> {
  const stub = env.MCP_SESSION.get(env.MCP_SESSION.idFromName(crypto.randomUUID()));
  return runInDurableObject(stub, (_instance, state) => test(new SessionStorage(state.storage), state));
}

describe("SessionStorage", () => {
  it("prunes by count, keeping the newest eventLogMaxEvents, and records per stream what it dropped", () =>
    withStorage((storage) => {
      storage.appendStandalone("standalone", [log("a"), log("b"), log("c")], T0);
      storage.appendToStream("post", numbered(1, 2), false, 0, T0);
      storage.appendToStream("untouched", [], false, 0, T0);

      storage.prune({ ...settings, eventLogMaxEvents: 3 }, "standalone", T0);
      expect(positionsOf(storage.after("standalone", 0))).toEqual([3]);
      expect(positionsOf(storage.after("post", 0))).toEqual([1, 2]);
      expect(storage.streamState("standalone")).toEqual({ lostThrough: 2, done: false });
      expect(storage.streamState("post")).toEqual({ lostThrough: 0, done: false });

      storage.prune({ ...settings, eventLogMaxEvents: 1 }, "standalone", T0);
      expect(positionsOf(storage.after("standalone", 0))).toEqual([]);
      expect(positionsOf(storage.after("post", 0))).toEqual([2]);
      expect(storage.streamState("standalone")?.lostThrough).toBe(3);
      expect(storage.streamState("post")?.lostThrough).toBe(1);
      expect(storage.streamState("untouched")).toEqual({ lostThrough: 0, done: false });
      expect(storage.eventCount()).toBe(1);
    }));

  it("prunes by age, dropping events older than eventLogMaxAgeMs and recording the last position dropped", () =>
    withStorage((storage) => {
      storage.appendToStream("post", numbered(1, 2), false, 0, T0);
      storage.appendToStream("post", numbered(3), false, 0, T0 + 100);

      storage.prune({ ...settings, eventLogMaxAgeMs: 100 }, "standalone", T0 + 100);
      expect(positionsOf(storage.after("post", 0))).toEqual([1, 2, 3]);
      storage.prune({ ...settings, eventLogMaxAgeMs: 100 }, "standalone", T0 + 101);
      expect(positionsOf(storage.after("post", 0))).toEqual([3]);
      expect(storage.streamState("post")).toEqual({ lostThrough: 2, done: false });
    }));

  it("prunes by bytes, keeping the newest events within eventLogMaxBytes, and records what it dropped", () =>
    withStorage((storage) => {
      const [a, b, c] = [log("a".repeat(1000)), log("b".repeat(1000)), log("c".repeat(1000))];
      storage.appendStandalone("standalone", [a, b, c], T0);
      const size = JSON.stringify(a).length;
      expect(storage.loggedBytes()).toBe(3 * size);

      storage.prune({ ...settings, eventLogMaxBytes: 2 * size }, "standalone", T0);
      expect(storage.after("standalone", 0).map(({ message }) => message)).toEqual([b, c]);
      expect(storage.loggedBytes()).toBe(2 * size);
      expect(storage.streamState("standalone")?.lostThrough).toBe(1);
      storage.prune({ ...settings, eventLogMaxBytes: 2 * size - 1 }, "standalone", T0);
      expect(storage.after("standalone", 0).map(({ message }) => message)).toEqual([c]);
    }));

  it("keeps an error answer in place of a result too large for a row, and nothing of another message; the reader gets both", () =>
    withStorage((storage) => {
      const huge = "x".repeat(MAX_LOGGED_MESSAGE_BYTES);
      const result: JSONRPCMessage = { jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: huge }] } };
      const messages = [
        { position: 1, message: log("small") },
        { position: 2, message: log(huge) },
        { position: 3, message: result },
      ];
      const live = storage.appendToStream("post", messages, true, 0, T0);
      expect(live.map(({ position, message }) => ({ position, message }))).toEqual(messages);

      const kept = storage.after("post", 0);
      expect(positionsOf(kept)).toEqual([1, 3]);
      expect(kept[1]!.message).toEqual({
        jsonrpc: "2.0",
        id: 7,
        error: { code: ErrorCode.InternalError, message: expect.stringContaining("send the request again") },
      });
      // A resume from before the message that was not kept is refused as too old.
      expect(storage.streamState("post")).toEqual({ lostThrough: 2, done: true });
      expect(storage.loggedBytes()).toBeLessThan(1000);

      expect(storage.appendStandalone("standalone", [log(huge)], T0)).toEqual([]);
      expect(storage.eventCount()).toBe(2);
    }));

  it("forgets streams that ended with no event left, and the oldest beyond MAX_LOGGED_STREAMS, never the standalone one", () =>
    withStorage((storage) => {
      storage.appendToStream("ended", numbered(1), true, 0, T0);
      storage.acknowledge("standalone", 0);
      storage.appendToStream("running", [], false, 0, T0);
      storage.acknowledge("ended", 1);
      storage.prune(settings, "standalone", T0);
      expect(storage.streamState("ended")).toBeUndefined();
      expect(storage.streamState("running")).toEqual({ lostThrough: 0, done: false });

      for (let stream = 0; stream < MAX_LOGGED_STREAMS; stream++)
        storage.appendToStream(`post-${stream}`, numbered(1), false, 0, T0);
      storage.prune(settings, "standalone", T0);
      expect(storage.streamState("running")).toBeUndefined();
      expect(storage.streamState("post-0")).toBeDefined();
      expect(storage.streamState("standalone")).toBeDefined();
      expect(storage.eventCount()).toBe(MAX_LOGGED_STREAMS);

      // A stream forgotten while it ran comes back with what came before its next event counted as lost.
      storage.appendToStream("post-0", numbered(1), false, 0, T0);
      for (let stream = 0; stream < MAX_LOGGED_STREAMS; stream++) storage.appendToStream(`more-${stream}`, [], false, 0, T0);
      storage.prune(settings, "standalone", T0);
      expect(storage.streamState("post-0")).toBeUndefined();
      expect(positionsOf(storage.after("post-0", 0))).toEqual([]);
      storage.appendToStream("post-0", numbered(5), false, 0, T0);
      expect(storage.streamState("post-0")).toEqual({ lostThrough: 4, done: false });
    }));

  it("acknowledge deletes what the client confirmed, of that stream only", () =>
    withStorage((storage) => {
      storage.appendToStream("post", numbered(1, 2, 3, 4), false, 0, T0);
      storage.appendToStream("other", numbered(1, 2), false, 0, T0);
      storage.acknowledge("post", 2);
      expect(positionsOf(storage.after("post", 0))).toEqual([3, 4]);
      expect(positionsOf(storage.after("other", 0))).toEqual([1, 2]);
      expect(storage.eventCount()).toBe(4);
    }));

  it("appendToStream skips positions already logged and keeps done and lostThrough at their highest", () =>
    withStorage((storage) => {
      storage.appendToStream("post", numbered(2, 3), false, 1, T0);
      const resent = [...numbered(2, 3), { position: 4, message: log("four") }].map((event, index) =>
        index < 2 ? { ...event, message: log("resent") } : event,
      );
      const logged = storage.appendToStream("post", resent, true, 0, T0);
      expect(logged.map(({ position, message }) => ({ position, message }))).toEqual([{ position: 4, message: log("four") }]);
      expect(storage.after("post", 0).map(({ message }) => message)).toEqual([log("#2"), log("#3"), log("four")]);
      storage.appendToStream("post", [], false, 0, T0);
      expect(storage.streamState("post")).toEqual({ lostThrough: 1, done: true });
    }));

  it("appendToStream does not log again what was confirmed or dropped, and the stream's last position survives both", () =>
    withStorage((storage) => {
      storage.appendToStream("post", numbered(1, 2, 3), false, 0, T0);
      storage.acknowledge("post", 2);
      expect(storage.appendToStream("post", numbered(1, 2, 3, 4), false, 0, T0).map(({ position }) => position)).toEqual([4]);
      expect(positionsOf(storage.after("post", 0))).toEqual([3, 4]);
      storage.acknowledge("post", 4);
      expect(storage.eventCount()).toBe(0);
      expect(storage.lastPosition("post")).toBe(4);
      expect(storage.lastPosition("never")).toBe(0);
    }));

  it("lists as undelivered what markDelivered has not marked, and markDelivered(false) puts events back", () =>
    withStorage((storage) => {
      const [a, b] = storage.appendStandalone("standalone", [log("a"), log("b"), log("c")], T0);
      storage.appendStandalone("elsewhere", [log("x")], T0);
      expect(positionsOf(storage.undelivered("standalone"))).toEqual([1, 2, 3]);
      storage.markDelivered([a!.seq, b!.seq], true);
      expect(positionsOf(storage.undelivered("standalone"))).toEqual([3]);
      storage.markDelivered([a!.seq], false);
      expect(positionsOf(storage.undelivered("standalone"))).toEqual([1, 3]);
      expect(positionsOf(storage.undelivered("elsewhere"))).toEqual([4]);
    }));

  it("creates a group of tables when it is first written: a new session has one table, its log three more", () =>
    withStorage((storage, state) => {
      storage.write(record, settings);
      expect(tablesOf(state)).toEqual(["session"]);
      expect(storage.eventCount()).toBe(0);
      expect(storage.readState()).toBeNull();
      expect(storage.tasks(T0)).toEqual([]);
      expect(storage.lastPosition("post")).toBe(0);
      storage.appendToStream("post", numbered(1), false, 0, T0);
      expect(tablesOf(state)).toEqual(["calls", "events", "session", "streams"]);
      expect(new SessionStorage(state.storage).lastPosition("post")).toBe(1);
    }));

  it("deleteAll leaves no table, no row and no alarm", () =>
    withStorage(async (storage, state) => {
      storage.write(record, settings);
      storage.appendStandalone("standalone", [log("a")], T0);
      storage.appendToStream("post", numbered(1), true, 0, T0);
      await state.storage.setAlarm(Date.now() + 60_000);
      expect(await state.storage.getAlarm()).not.toBeNull();
      expect(storage.read()).toEqual({ record, settings });

      await storage.deleteAll();
      expect(tablesOf(state)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
      expect(storage.read()).toBeUndefined();
      expect(new SessionStorage(state.storage).read()).toBeUndefined();
      expect(storage.eventCount()).toBe(0);
    }));
});
