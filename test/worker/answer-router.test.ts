// The answer router of the session object (src/sessions/object/answer-router.ts) on its own:
// which inbox receives the client's answers and cancellations, and its bounds and timeouts.
import { ErrorCode, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AnswerRouter,
  EARLY_CANCEL_TTL_MS,
  MAX_AWAITED_PER_SESSION,
  MAX_EARLY_CANCELS,
} from "../../src/sessions/object/answer-router.js";
import { HANDOVER_METHOD, readInbox } from "../../src/wire/inbox.js";

/** Long enough that no wait of a test ends by its timeout. */
const NEVER_MS = 60_000;

const answer = (id: RequestId): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { roots: [] } });
const cancel = (requestId: RequestId): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/cancelled",
  params: { requestId },
});

/** The next message of an inbox, or undefined once it is closed. */
function reader(inbox: ReadableStream<Uint8Array>): () => Promise<JSONRPCMessage | undefined> {
  const messages = readInbox(inbox);
  return async () => (await messages.next()).value ?? undefined;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("AnswerRouter", () => {
  it("puts the client's answer into the inbox that waits for it, its id intact (1 and '1' apart)", async () => {
    const router = new AnswerRouter();
    const numbered = reader(router.openInbox("a", []));
    const named = reader(router.openInbox("b", []));
    expect(router.expectAnswer("a", 1, "roots/list", NEVER_MS)).toBe("registered");
    expect(router.expectAnswer("b", "1", "roots/list", NEVER_MS)).toBe("registered");
    expect(router.pendingCount).toBe(2);

    expect(router.route([answer("1"), answer(1)])).toEqual([]);
    expect(await numbered()).toEqual(answer(1));
    expect(await named()).toEqual(answer("1"));
    expect(router.pendingCount).toBe(0);
  });

  it("reports an answer nobody waits for as unrouted, and so a second answer to one request", () => {
    const router = new AnswerRouter();
    router.openInbox("a", []);
    router.expectAnswer("a", 5, "roots/list", NEVER_MS);
    expect(router.route([answer(9), answer(5), answer(5)])).toEqual([9, 5]);
  });

  it("answers inbox-gone for a stream whose POST holds no inbox", () => {
    expect(new AnswerRouter().expectAnswer("nobody", 1, "roots/list", NEVER_MS)).toBe("inbox-gone");
  });

  it("sends a cancellation to the inbox of the POST that runs the request", async () => {
    const router = new AnswerRouter();
    const next = reader(router.openInbox("a", [3]));
    router.route([cancel(3)]);
    expect(await next()).toEqual(cancel(3));
  });

  it("keeps a cancellation that arrives before its request's inbox, and delivers it when the inbox opens", async () => {
    const router = new AnswerRouter();
    expect(router.route([cancel(3)])).toEqual([]);
    const next = reader(router.openInbox("a", [2, 3]));
    expect(await next()).toEqual(cancel(3));
  });

  it("delivers an early cancellation at most EARLY_CANCEL_TTL_MS old, and only once", async () => {
    vi.useFakeTimers();
    const router = new AnswerRouter();
    router.route([cancel("old"), cancel("young")]);
    vi.advanceTimersByTime(EARLY_CANCEL_TTL_MS);
    // Exactly EARLY_CANCEL_TTL_MS old: still kept, and consumed by the inbox it reaches.
    expect(await reader(router.openInbox("probe", ["old"]))()).toEqual(cancel("old"));
    vi.advanceTimersByTime(1);
    // Older than the bound now, though no other cancellation arrived to push it out.
    const next = reader(router.openInbox("a", ["old", "young", "fresh"]));
    router.route([cancel("fresh")]);
    expect(await next()).toEqual(cancel("fresh"));
  });

  it("keeps at most MAX_EARLY_CANCELS early cancellations, dropping the oldest; a repeated one counts as new", async () => {
    const router = new AnswerRouter();
    for (let id = 0; id < MAX_EARLY_CANCELS - 1; id++) router.route([cancel(id)]);
    router.route([cancel(0)]);
    router.route([cancel("one more")]);
    // The bound is reached: this drops the oldest, which is 1 now that 0 came again.
    router.route([cancel("two more")]);
    const next = reader(router.openInbox("a", [1, 0, 2, "two more"]));
    expect(await next()).toEqual(cancel(0));
    expect(await next()).toEqual(cancel(2));
    expect(await next()).toEqual(cancel("two more"));
  });

  it("answers too-many once MAX_AWAITED_PER_SESSION requests wait, and has room again after an answer", () => {
    const router = new AnswerRouter();
    router.openInbox("a", []);
    router.openInbox("b", []);
    for (let id = 0; id < MAX_AWAITED_PER_SESSION; id++)
      expect(router.expectAnswer(id % 2 ? "a" : "b", id, "roots/list", NEVER_MS)).toBe("registered");
    expect(router.expectAnswer("a", "over", "roots/list", NEVER_MS)).toBe("too-many");
    expect(router.pendingCount).toBe(MAX_AWAITED_PER_SESSION);
    router.route([answer(0)]);
    expect(router.expectAnswer("a", "over", "roots/list", NEVER_MS)).toBe("registered");
    router.failAll("the test is over");
  });

  it("sends a RequestTimeout error into the inbox when the client does not answer in time, and forgets the wait", async () => {
    vi.useFakeTimers();
    const router = new AnswerRouter();
    const next = reader(router.openInbox("a", []));
    router.expectAnswer("a", 7, "elicitation/create", 1_000);
    vi.advanceTimersByTime(999);
    expect(router.pendingCount).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await next()).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: ErrorCode.RequestTimeout } });
    expect(router.pendingCount).toBe(0);
    expect(router.route([answer(7)])).toEqual([7]);
  });

  it("failAll fails every wait with ConnectionClosed and closes every inbox", async () => {
    const router = new AnswerRouter();
    const a = reader(router.openInbox("a", [1]));
    const b = reader(router.openInbox("b", []));
    const idle = reader(router.openInbox("c", []));
    router.expectAnswer("a", "x", "roots/list", NEVER_MS);
    router.expectAnswer("b", "y", "sampling/createMessage", NEVER_MS);

    router.failAll("The session was deleted");
    expect(await a()).toEqual({
      jsonrpc: "2.0",
      id: "x",
      error: { code: ErrorCode.ConnectionClosed, message: "The session was deleted" },
    });
    expect(await a()).toBeUndefined();
    expect(await b()).toMatchObject({ id: "y", error: { code: ErrorCode.ConnectionClosed } });
    expect(await b()).toBeUndefined();
    expect(await idle()).toBeUndefined();
    expect(router.pendingCount).toBe(0);
    expect(["a", "b", "c"].map((streamId) => router.hasInbox(streamId))).toEqual([false, false, false]);
    expect(router.route([answer("x")])).toEqual(["x"]);
  });

  it("forgets the waits and the requests of an inbox whose reader cancelled it", async () => {
    const router = new AnswerRouter();
    const inbox = router.openInbox("a", [3]);
    router.expectAnswer("a", 5, "roots/list", NEVER_MS);
    await inbox.cancel();
    expect(router.hasInbox("a")).toBe(false);
    expect(router.pendingCount).toBe(0);
    expect(router.route([answer(5)])).toEqual([5]);
    // Request 3 no longer runs on "a": its cancellation waits for the inbox of whoever serves it next.
    router.route([cancel(3)]);
    expect(await reader(router.openInbox("b", [3]))()).toEqual(cancel(3));
  });

  it("asks the isolate serving a POST to hand its stream over", async () => {
    const router = new AnswerRouter();
    const next = reader(router.openInbox("a", []));
    router.requestHandover("a");
    expect(await next()).toEqual({ jsonrpc: "2.0", method: HANDOVER_METHOD });
  });
});
