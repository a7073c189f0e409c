// Which POST streams of a session can still be resumed through their isolate
// (src/sessions/object/stream-liveness.ts), composed with the real answer router as SessionDO does.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AnswerRouter } from "../../src/sessions/object/answer-router.js";
import { INBOX_GRACE_MS, MAX_STARTING_STREAMS, StreamLiveness } from "../../src/sessions/object/stream-liveness.js";

function session() {
  const router = new AnswerRouter();
  const liveness = new StreamLiveness((streamId) => router.hasInbox(streamId));
  /** What SessionDO.openInbox does. */
  const openInbox = (streamId: string) => {
    const inbox = router.openInbox(streamId, []);
    liveness.inboxOpened(streamId);
    return inbox;
  };
  return { liveness, openInbox };
}

/** A promise's outcome so far: "pending" until it settles within the timers' microtasks. */
function watch<T>(promise: Promise<T>): () => T | "pending" {
  let outcome: T | "pending" = "pending";
  void promise.then((value) => (outcome = value));
  return () => outcome;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("StreamLiveness", () => {
  it("counts a registered stream as live once its inbox opens, and an unknown one never", async () => {
    const { liveness, openInbox } = session();
    liveness.registerStream("s");
    openInbox("s");
    expect(await liveness.isLive("s")).toBe(true);
    expect(await liveness.isLive("unknown")).toBe(false);
  });

  it("lets a resume that arrives before the inbox opens wait for it", async () => {
    const { liveness, openInbox } = session();
    liveness.registerStream("s");
    const live = watch(liveness.isLive("s"));
    await vi.advanceTimersByTimeAsync(INBOX_GRACE_MS - 1);
    expect(live()).toBe("pending");
    openInbox("s");
    await vi.advanceTimersByTimeAsync(0);
    expect(live()).toBe(true);
  });

  it("counts a stream with no inbox INBOX_GRACE_MS after its POST began as not live", async () => {
    const { liveness } = session();
    liveness.registerStream("waited");
    liveness.registerStream("late");
    const waited = watch(liveness.isLive("waited"));
    await vi.advanceTimersByTimeAsync(INBOX_GRACE_MS - 1);
    expect(waited()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(waited()).toBe(false);
    // A resume that arrives after the grace does not wait.
    const late = watch(liveness.isLive("late"));
    await vi.advanceTimersByTimeAsync(0);
    expect(late()).toBe(false);
  });

  it("remembers at most MAX_STARTING_STREAMS starting streams, forgetting the oldest", async () => {
    const { liveness, openInbox } = session();
    for (let n = 0; n <= MAX_STARTING_STREAMS; n++) liveness.registerStream(`s${n}`);
    const oldest = watch(liveness.isLive("s0"));
    const next = watch(liveness.isLive("s1"));
    await vi.advanceTimersByTimeAsync(0);
    expect(oldest()).toBe(false);
    expect(next()).toBe("pending");
    openInbox("s1");
    await vi.advanceTimersByTimeAsync(0);
    expect(next()).toBe(true);
  });
});
