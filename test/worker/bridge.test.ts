// The bridge's own rules (src/wire/bridge/), between an object's socket and the SSE response a
// Worker makes of it, both ends in this isolate: long writes in pieces, and attachments bounded.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { acceptStream, MAX_WRITE_CHARS, openSockets, sendFrames, endStream } from "../../src/wire/bridge/object-end.js";
import { BridgeClose } from "../../src/wire/bridge/protocol.js";
import { bridgeStream } from "../../src/wire/bridge/worker-end.js";
import { sessionObject } from "./helpers.js";

const inObject = <T>(use: (state: DurableObjectState) => Promise<T>) =>
  runInDurableObject(sessionObject(crypto.randomUUID()), (_instance, state) => use(state));

describe("the bridge", () => {
  it("carries a write longer than one message whole, a surrogate pair across the cut included", () =>
    inObject(async (state) => {
      const { socket, response } = acceptStream(state, ["bridge-test"], {}, { lifetimeMs: 0 });
      // An emoji (two UTF-16 code units) straddles the first piece's end.
      const frames = `data: ${"a".repeat(MAX_WRITE_CHARS - 7)}😀${"b".repeat(MAX_WRITE_CHARS)}\n\n`;
      sendFrames(socket, frames, [1]);
      endStream(socket, BridgeClose.END);
      expect(await bridgeStream(response, {}).text()).toBe(frames);
    }));

  it("refuses an attachment too large to keep, and leaves no socket that counts as a stream", () =>
    inObject(async (state) => {
      expect(() => acceptStream(state, ["too-large"], "x".repeat(32 * 1024), { lifetimeMs: 0 })).toThrow();
      expect(openSockets(state, "too-large")).toHaveLength(0);
    }));
});
