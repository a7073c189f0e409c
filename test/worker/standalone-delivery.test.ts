// What a GET without Last-Event-ID delivers after earlier GETs, and streams whose reader does not
// keep up (issue 20, "Faults" and "Streams"), on the session object itself: its streams are read
// here exactly as far as a client read them.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { REPLACE_WAIT_MS, type SessionDO } from "../../src/sessions/object/session-do.js";
import { streamRequest } from "../../src/sessions/rpc.js";
import { BridgeClose } from "../../src/wire/bridge/protocol.js";
import { MAX_UNREAD_BYTES } from "../../src/wire/sse.js";
import { openSession, type AnyMessage } from "../shared/mcp.js";
import { until } from "../shared/until.js";
import { sessionObject, streamOf, worker } from "./helpers.js";

const log = (data: string): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level: "info", data },
});

const dataOf = (message: AnyMessage) => message.params?.data;

/** A GET of the session as the object answers it, read past its priming event; `lastEventId` resumes. */
async function get(object: SessionDO, lastEventId?: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const stream = await streamOf(object, { principal: "anonymous", lastEventId });
  if (!(stream instanceof Response)) throw new Error(stream);
  const reader = stream.body!.getReader();
  await reader.read(); // the priming event: the client reads nothing more until told to
  return reader;
}

/** The messages of the next chunk the client reads (one write of the object). */
async function next(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<AnyMessage[]> {
  const { value } = await reader.read();
  return messagesIn(new TextDecoder().decode(value));
}

/** Every message until the stream ends; throws if it does not end within `ms`. */
async function restOf(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 2_000): Promise<AnyMessage[]> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void reader.cancel();
  }, ms);
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  clearTimeout(timer);
  if (timedOut) throw new Error(`the stream did not end within ${ms} ms`);
  return messagesIn(text);
}

function messagesIn(text: string): AnyMessage[] {
  return [...text.matchAll(/^data: (.+)$/gm)].map(([, data]) => JSON.parse(data!) as AnyMessage);
}

function inSession<T>(use: (object: SessionDO, state: DurableObjectState) => Promise<T>): Promise<T> {
  return openSession(worker).then((sessionId) => runInDurableObject(sessionObject(sessionId), use));
}

/**
 * Until the object counts `count` events as delivered: the Worker holding the stream reports
 * what its client read over the socket, a moment after the client read it.
 */
function delivered(state: DurableObjectState, count: number): Promise<void> {
  const counted = () => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM events WHERE delivered = 1`).one().n;
  return until(() => counted() === count, `${count} delivered`);
}

/** Until the Worker's end of every stream has closed, as the object sees it. */
const streamsClosed = (object: SessionDO) => until(async () => (await object.stats())?.openStreams === 0, "closed");

describe("a GET without Last-Event-ID", () => {
  it("gets a message published after the client stopped reading its previous GET, and that GET does not", () =>
    inSession(async (object) => {
      const first = await get(object);
      await object.publish([log("while nobody reads")]);
      const second = await get(object);
      expect((await next(second)).map(dataOf)).toEqual(["while nobody reads"]);
      expect(await restOf(first)).toEqual([]);
      await second.cancel();
    }));

  it("after replacing a GET the client read, repeats nothing of it, then or at the next GET", () =>
    inSession(async (object) => {
      const first = await get(object);
      await object.publish([log("read on the first")]);
      expect((await next(first)).map(dataOf)).toEqual(["read on the first"]);
      // No wait for the read report: the new GET waits for the stream it replaces to say what it read.
      const second = await get(object);
      await object.publish([log("read on the second")]);
      expect((await next(second)).map(dataOf)).toEqual(["read on the second"]);
      const third = await get(object);
      await object.publish([log("new")]);
      expect((await next(third)).map(dataOf)).toEqual(["new"]);
      await third.cancel();
    }));

  it("gets again what the client took last before it went away, once", () =>
    inSession(async (object, state) => {
      const first = await get(object);
      await object.publish([log("in flight")]);
      expect((await next(first)).map(dataOf)).toEqual(["in flight"]);
      await delivered(state, 1);
      await first.cancel();
      await streamsClosed(object);
      const second = await get(object);
      expect((await next(second)).map(dataOf)).toEqual(["in flight"]);
      await delivered(state, 1);
      const third = await get(object);
      await object.publish([log("next")]);
      expect((await next(third)).map(dataOf)).toEqual(["next"]);
      await third.cancel();
    }));
});

describe("a stream's reports after a DELETE", () => {
  it("leave nothing in storage: a late read report or close finds no log to mark", () =>
    inSession(async (object, state) => {
      const stream = await get(object);
      await object.publish([log("read just before the DELETE")]);
      await object.terminate("anonymous");
      const { 1: socket } = new WebSocketPair();
      socket.serializeAttachment({ kind: "standalone", lastRead: [1] });
      await object.webSocketMessage(socket, JSON.stringify({ read: [1] }));
      await object.webSocketClose(socket, BridgeClose.CLIENT_GONE);
      const tables = state.storage.sql.exec(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'`,
      );
      expect(tables.toArray()).toEqual([]);
      await stream.cancel();
    }));
});

describe("a GET replacing a stream whose Worker does not answer", () => {
  it("opens after REPLACE_WAIT_MS rather than waiting for that Worker", () =>
    inSession(async (object) => {
      const first = await get(object);
      await object.publish([log("read by a client whose Worker went quiet")]);
      expect((await next(first)).map(dataOf)).toEqual(["read by a client whose Worker went quiet"]);
      // A Worker that never takes its socket: it answers neither the close nor anything else.
      const silent = await object.fetch(streamRequest({ principal: "anonymous" }));
      expect(silent.status).toBe(101);
      const startedAt = Date.now();
      const third = await get(object);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(REPLACE_WAIT_MS - 50);
      await object.publish([log("after")]);
      expect((await next(third)).map(dataOf)).toEqual(["after"]);
      await third.cancel();
      await first.cancel();
    }));
});

describe("a stream whose reader does not keep up", () => {
  const big = (n: number) => log(`${n}:${"x".repeat(MAX_UNREAD_BYTES / 3)}`);
  const numbers = (messages: AnyMessage[]) => messages.map((message) => String(dataOf(message)).split(":")[0]);

  it("is closed past MAX_UNREAD_BYTES queued: the reader gets what was queued, the next GET the rest", () =>
    inSession(async (object) => {
      const standalone = await get(object);
      for (const n of [1, 2, 3, 4]) await object.publish([big(n)]);
      await streamsClosed(object);
      expect(numbers(await restOf(standalone))).toEqual(["1", "2", "3"]);
      const after = await get(object);
      expect(numbers(await next(after))).toEqual(["4"]);
      await after.cancel();
    }));

  it("is closed past MAX_UNREAD_BYTES when it is a resumed POST stream, and resumed again after what it read", () =>
    inSession(async (object) => {
      const streamId = crypto.randomUUID();
      await object.open("anonymous", [], streamId);
      await object.openInbox(streamId, [1]);
      const resumed = await get(object, `${streamId}_0`);
      for (const n of [1, 2, 3, 4]) await object.handOver(streamId, [{ position: n, message: big(n) }], false);
      await streamsClosed(object);
      expect(numbers(await restOf(resumed))).toEqual(["1", "2", "3"]);
      const again = await streamOf(object, { principal: "anonymous", lastEventId: `${streamId}_3` });
      if (!(again instanceof Response)) throw new Error(again);
      const reader = again.body!.getReader();
      // The priming event and what the log holds come in one write.
      expect(numbers(await next(reader))).toEqual(["4"]);
      await reader.cancel();
    }));
});
