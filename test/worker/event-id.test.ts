// SSE event ids (src/wire/event-id.ts): `<stream>_<position>`, what a client sends back as Last-Event-ID.
import { describe, expect, it } from "vitest";
import { formatEventId, parseEventId } from "../../src/wire/event-id.js";

describe("event ids", () => {
  it.each([
    ["3f1c2a9e-6b7d-4c1e-9a2b-0d4e5f6a7b8c", 0],
    ["3f1c2a9e-6b7d-4c1e-9a2b-0d4e5f6a7b8c", 42],
    ["standalone", Number.MAX_SAFE_INTEGER],
  ])("round-trip stream %s at position %i", (stream, position) => {
    const eventId = formatEventId(stream, position);
    expect(eventId).toBe(`${stream}_${position}`);
    expect(parseEventId(eventId)).toEqual({ stream, position });
  });

  it("keep underscores in the stream part: only the last one separates the position", () => {
    expect(parseEventId("post_of_a_client_7")).toEqual({ stream: "post_of_a_client", position: 7 });
    expect(parseEventId(formatEventId("a__b_", 2))).toEqual({ stream: "a__b_", position: 2 });
  });

  it.each([
    "",
    "nonsense",
    "_3",
    "stream_x",
    "stream_-1",
    "stream_1.5",
    "stream_Infinity",
    `stream_${2 ** 53}`,
    "stream_",
    "stream_0x1",
    "stream_1e1",
    "stream_ 1",
    "stream_1 ",
    "stream_+1",
    "stream_01",
    "stream_00",
    "stream_١",
  ])("refuse the malformed id %j", (eventId) => {
    expect(parseEventId(eventId)).toBeUndefined();
  });
});
