// An idle session's object sleeps while its client holds the GET stream (issue 19): the stream
// is held by the Worker, the object keeps a hibernatable socket to it, and a publish wakes it.
// Eviction is read from workerd's open files (helpers/object-files.ts), never by touching the object.
import { expect, it } from "vitest";
import { formatEventId, parseEventId } from "../../src/wire/event-id.js";
import { callTool, openSession, openStream } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { useDevServer } from "./helpers/dev-server.js";
import { startedObject, untilEvicted } from "./helpers/object-files.js";

const dev = useDevServer();
const { endpoint } = dev;

/** workerd hibernates an object 10 s after its last event; a loaded machine may take longer. */
const HIBERNATION_WAIT_MS = 40_000;

const asleep = (file: string) => untilEvicted(dev.server, "SessionDO", file, HIBERNATION_WAIT_MS);

/** The position after `eventId`'s, in the same stream. */
function following(eventId: string): string {
  const { stream, position } = parseEventId(eventId)!;
  return formatEventId(stream, position + 1);
}

it(
  "a message published to a session whose object slept reaches the open stream with the next event id; a resume replays what a dropped connection missed",
  async () => {
    // The session object's SQLite file: the one a new session opens.
    const { result: sessionId, file } = await startedObject(dev.server, "SessionDO", () => openSession(endpoint));
    const stream = sseCursor(await openStream(endpoint, sessionId));
    const priming = await stream.event();

    await asleep(file);
    await callTool(endpoint, sessionId, "log", { message: "to a sleeping object" });
    const woken = await stream.event();
    expect(JSON.parse(woken.data)).toMatchObject({ method: "notifications/message", params: { data: "to a sleeping object" } });
    expect(woken.id).toBe(following(priming.id!));

    // The connection drops; the object sleeps again; a message comes while no stream is open.
    await stream.cancel();
    await asleep(file);
    await callTool(endpoint, sessionId, "log", { message: "while the client was away" });
    const resumed = sseCursor(await openStream(endpoint, sessionId, { "last-event-id": woken.id! }));
    await resumed.event(); // the priming event
    const replayed = await resumed.event();
    expect(JSON.parse(replayed.data)).toMatchObject({ params: { data: "while the client was away" } });
    expect(replayed.id).toBe(following(woken.id!));
    await resumed.cancel();
  },
  2 * HIBERNATION_WAIT_MS + 30_000,
);
