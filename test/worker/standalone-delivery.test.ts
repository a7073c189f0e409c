// What a GET without Last-Event-ID delivers after earlier GETs, and streams whose reader does not
// keep up (issue 20, "Faults" and "Streams"), on the session object itself: its streams are read
// here exactly as far as a client read them.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SessionDO } from "../../src/sessions/object/session-do.js";
import { MAX_UNREAD_BYTES } from "../../src/wire/sse.js";
import { openSession, type AnyMessage } from "../shared/mcp.js";
import { sessionObject, worker } from "./helpers.js";

const log = (data: string): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level: "info", data },
});

const dataOf = (message: AnyMessage) => message.params?.data;

/** A GET of the session as the object answers it, read past its priming event; `lastEventId` resumes. */
async function get(object: SessionDO, lastEventId?: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const opening = await object.openStream("anonymous", lastEventId);
  if (opening.status !== "open") throw new Error(opening.status);
  const reader = opening.body.getReader();
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

function inSession<T>(use: (object: SessionDO) => Promise<T>): Promise<T> {
  return openSession(worker).then((sessionId) => runInDurableObject(sessionObject(sessionId), use));
}

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
      const second = await get(object);
      await object.publish([log("read on the second")]);
      expect((await next(second)).map(dataOf)).toEqual(["read on the second"]);
      const third = await get(object);
      await object.publish([log("new")]);
      expect((await next(third)).map(dataOf)).toEqual(["new"]);
      await third.cancel();
    }));

  it("gets again what the client took last before it went away, once", () =>
    inSession(async (object) => {
      const first = await get(object);
      await object.publish([log("in flight")]);
      expect((await next(first)).map(dataOf)).toEqual(["in flight"]);
      await first.cancel();
      const second = await get(object);
      expect((await next(second)).map(dataOf)).toEqual(["in flight"]);
      const third = await get(object);
      await object.publish([log("next")]);
      expect((await next(third)).map(dataOf)).toEqual(["next"]);
      await third.cancel();
    }));
});

describe("a stream whose reader does not keep up", () => {
  const big = (n: number) => log(`${n}:${"x".repeat(MAX_UNREAD_BYTES / 3)}`);
  const numbers = (messages: AnyMessage[]) => messages.map((message) => String(dataOf(message)).split(":")[0]);

  it("is closed past MAX_UNREAD_BYTES queued: the reader gets what was queued, the next GET the rest", () =>
    inSession(async (object) => {
      const standalone = await get(object);
      for (const n of [1, 2, 3, 4]) await object.publish([big(n)]);
      expect((await object.stats())?.openStreams).toBe(0);
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
      expect(numbers(await restOf(resumed))).toEqual(["1", "2", "3"]);
      const again = await object.openStream("anonymous", `${streamId}_3`);
      if (again.status !== "open") throw new Error(again.status);
      const reader = again.body.getReader();
      // The priming event and what the log holds come in one write.
      expect(numbers(await next(reader))).toEqual(["4"]);
      await reader.cancel();
    }));
});
