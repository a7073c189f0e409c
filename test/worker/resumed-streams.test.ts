// The bound on POST streams one session may have resumed through GET at once (MAX_RESUMED_STREAMS
// in src/sessions/object/session-do.ts), driven through the Worker as a client would.
import { describe, expect, it } from "vitest";
import { MAX_RESUMED_STREAMS } from "../../src/sessions/object/session-do.js";
import { mcpPost, mcpRequest, openSession, openStream, request } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { worker } from "./helpers.js";

/** A tool call that waits on the client's answer: its POST stream stays live until the session ends. */
async function waitingPostStream(sessionId: string): Promise<string> {
  const call = request(crypto.randomUUID(), "tools/call", { name: "confirm_action", arguments: { action: "wait" } });
  const cursor = sseCursor(await mcpPost(worker, call, { sessionId }));
  const priming = await cursor.event();
  await cursor.message(); // the question: the POST now holds its inbox
  await cursor.cancel(); // the client lost the connection
  return priming.id!;
}

describe("resumed POST streams", () => {
  it("are refused with 429 beyond MAX_RESUMED_STREAMS at once; a stream resumed again does not count twice, one left frees its place", async () => {
    const sessionId = await openSession(worker, { elicitation: { form: {} } });
    const lastEventIds = await Promise.all(Array.from({ length: MAX_RESUMED_STREAMS + 1 }, () => waitingPostStream(sessionId)));
    const resumes: Response[] = [];
    for (const lastEventId of lastEventIds.slice(0, MAX_RESUMED_STREAMS)) {
      resumes.push(await openStream(worker, sessionId, { "last-event-id": lastEventId }));
      expect(resumes.at(-1)!.status).toBe(200);
    }

    const refused = await openStream(worker, sessionId, { "last-event-id": lastEventIds.at(-1)! });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining("too many resumed streams") } });
    const again = await openStream(worker, sessionId, { "last-event-id": lastEventIds[0]! });
    expect(again.status).toBe(200);
    // A client that leaves a resumed stream frees its place.
    await resumes[1]!.body!.cancel();
    const admitted = await openStream(worker, sessionId, { "last-event-id": lastEventIds.at(-1)! });
    expect(admitted.status).toBe(200);

    for (const response of [...resumes, again, admitted]) await response.body?.cancel();
    expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
  });
});
