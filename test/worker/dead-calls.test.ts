// A call whose POST died (its isolate crashed, wrangler dev or the object restarted, the platform
// cut the request off) with its stream unfinished: a resume of that stream answers the call with an
// error and ends, instead of a 400 or a stream that is polled forever (issue 20, "Faults").
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SessionDO } from "../../src/sessions/object/session-do.js";
import { MAX_REMEMBERED_CALLS } from "../../src/sessions/object/storage.js";
import { mcpPost, openSession, openStream, request, type AnyMessage } from "../shared/mcp.js";
import { readAllSseEvents, sseCursor } from "../shared/sse.js";
import { sessionObject, streamOf, worker } from "./helpers.js";

/** The messages of a stream until it ends, with their event ids. */
async function untilEnd(response: Response): Promise<{ id?: string; message: AnyMessage }[]> {
  expect(response.status).toBe(200);
  const events = await readAllSseEvents(response, 5_000);
  return events.filter((event) => event.data !== "").map((event) => ({ id: event.id, message: JSON.parse(event.data) }));
}

const died = {
  code: -32603,
  message: expect.stringMatching(/server stopped while serving this request .* send the request again/),
};

/** A POST of `ids` that ran long (its inbox is open), as its isolate sets it up; the inbox is returned. */
async function runningPost(sessionId: string, streamId: string, ids: (string | number)[]) {
  const stub = sessionObject(sessionId);
  await stub.open("anonymous", [], streamId);
  const inbox = await stub.openInbox(streamId, ids);
  return { stub, inbox: inbox! };
}

/** What a crash and restart leaves: a fresh object over the session's storage, knowing no inbox. */
function afterRestart<T>(sessionId: string, use: (restarted: SessionDO) => Promise<T>): Promise<T> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => use(new SessionDO(state, env)));
}

/** A resume through the restarted object, read until it ends. */
function resumeAfterRestart(sessionId: string, lastEventId: string) {
  return afterRestart(sessionId, async (restarted) => {
    const stream = await streamOf(restarted, { principal: "anonymous", lastEventId });
    return stream instanceof Response ? untilEnd(stream) : stream;
  });
}

describe("a resume of a stream whose POST died", () => {
  it("after the session object restarted: an error for the call, then the stream ends", async () => {
    const sessionId = await openSession(worker);
    const post = sseCursor(
      await mcpPost(
        worker,
        request(7, "tools/call", { name: "slow_task", arguments: { steps: 50, delayMs: 100 }, _meta: { progressToken: "p" } }),
        { sessionId },
      ),
    );
    await post.event();
    const progress = await post.event();
    // The POST still runs in this isolate, but the new object knows nothing of it.
    const resumed = await resumeAfterRestart(sessionId, progress.id!);
    await post.cancel();
    const [stream, position] = progress.id!.split("_");
    expect(resumed).toEqual([{ id: `${stream}_${Number(position) + 1}`, message: { jsonrpc: "2.0", id: 7, error: died } }]);
  });

  it("answers each request of the POST, and keeps the answers for a second resume", async () => {
    const sessionId = await openSession(worker);
    const streamId = crypto.randomUUID();
    await runningPost(sessionId, streamId, [3, "four"]);
    const first = await resumeAfterRestart(sessionId, `${streamId}_0`);
    expect(first).toEqual([
      { id: `${streamId}_1`, message: { jsonrpc: "2.0", id: 3, error: died } },
      { id: `${streamId}_2`, message: { jsonrpc: "2.0", id: "four", error: died } },
    ]);
    const again = await untilEnd(await openStream(worker, sessionId, { "last-event-id": `${streamId}_1` }));
    expect(again).toEqual([first[1]]);
  });

  it("that was handed over (its client had left) ends with the error instead of being polled forever", async () => {
    const sessionId = await openSession(worker);
    const streamId = crypto.randomUUID();
    const { stub } = await runningPost(sessionId, streamId, [5]);
    const progress = { jsonrpc: "2.0" as const, method: "notifications/progress", params: { progressToken: "p", progress: 1 } };
    await stub.handOver(streamId, [{ position: 1, message: progress }], false);
    expect(await resumeAfterRestart(sessionId, `${streamId}_0`)).toEqual([
      { id: `${streamId}_1`, message: progress },
      { id: `${streamId}_2`, message: { jsonrpc: "2.0", id: 5, error: died } },
    ]);
  });

  it("whose isolate went away while the object lives: the resumed stream gets the error as soon as the inbox is gone", async () => {
    const sessionId = await openSession(worker);
    const streamId = crypto.randomUUID();
    const { inbox } = await runningPost(sessionId, streamId, [6]);
    await inbox.cancel();
    // The object learns of the cancelled inbox at its next write: the request to hand the stream over.
    const resumed = await untilEnd(await openStream(worker, sessionId, { "last-event-id": `${streamId}_0` }));
    expect(resumed).toEqual([{ id: `${streamId}_1`, message: { jsonrpc: "2.0", id: 6, error: died } }]);
  });

  it("that is still served is resumed as before, and one that ended normally is not answered twice", async () => {
    const sessionId = await openSession(worker);
    const post = sseCursor(
      await mcpPost(
        worker,
        request(8, "tools/call", { name: "slow_task", arguments: { steps: 3, delayMs: 60 }, _meta: { progressToken: "p" } }),
        { sessionId },
      ),
    );
    const priming = await post.event();
    await post.cancel();
    const resumed = await untilEnd(await openStream(worker, sessionId, { "last-event-id": priming.id! }));
    expect(resumed.at(-1)?.message).toMatchObject({ id: 8, result: { content: [{ text: "completed 3 steps" }] } });
    const again = await resumeAfterRestart(sessionId, resumed.at(-2)!.id!);
    expect(again).toEqual([resumed.at(-1)]);
  });

  it("forgets all but the newest MAX_REMEMBERED_CALLS unfinished calls", async () => {
    const sessionId = await openSession(worker);
    const streams = Array.from({ length: MAX_REMEMBERED_CALLS + 1 }, () => crypto.randomUUID());
    await runInDurableObject(sessionObject(sessionId), async (instance) => {
      for (const streamId of streams) {
        await instance.open("anonymous", [], streamId);
        await instance.openInbox(streamId, [1]);
      }
    });
    expect(await resumeAfterRestart(sessionId, `${streams[0]}_0`)).toBe("unknown-event");
    expect(await resumeAfterRestart(sessionId, `${streams[1]}_0`)).toEqual([
      { id: `${streams[1]}_1`, message: { jsonrpc: "2.0", id: 1, error: died } },
    ]);
  });
});

describe("a late answer to a question of a call that died", () => {
  it("is routed nowhere, so the Worker answers it with the clear 400", async () => {
    const sessionId = await openSession(worker, { elicitation: {} });
    const streamId = crypto.randomUUID();
    const { stub } = await runningPost(sessionId, streamId, [9]);
    expect(await stub.expectAnswer(streamId, "question", "elicitation/create", 60_000)).toBe("registered");
    const answer = { jsonrpc: "2.0" as const, id: "question", result: { action: "accept" } };
    const opened = await afterRestart(sessionId, (restarted) => restarted.open("anonymous", [answer]));
    expect(opened).toMatchObject({ unrouted: ["question"] });
  });
});
