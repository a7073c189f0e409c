// The sealed requestState of multi round-trip requests (src/security/sealed-state.ts), in workerd's WebCrypto.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createStateSealer,
  DEFAULT_STATE_TTL_MS,
  MAX_STATE_BYTES,
  MIN_SECRET_LENGTH,
  stateSecretFrom,
  type StateBinding,
} from "../../src/security/sealed-state.js";

const SECRET = "k".repeat(MIN_SECRET_LENGTH);
const binding: StateBinding = {
  principal: "bearer:0123456789abcdef",
  method: "tools/call",
  params: { name: "book_trip", arguments: { city: "Lyon", nights: 2, extras: { wifi: true, breakfast: false } } },
};
const book = { rounds: 1, answers: [{ key: "elicitation-0", result: { action: "accept", content: { ok: true } } }] };

const sealer = createStateSealer({ secret: SECRET });

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function bytesOf(state: string): Uint8Array {
  const binary = atob(state.slice("v1.".length).replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function stateOf(bytes: Uint8Array): string {
  const text = btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
  return "v1." + text.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * A state whose encoding has a `-` or `_` (so it differs from standard base64) and unused bits in
 * its last character (its length is not a multiple of 3): what a lenient decoder would accept.
 */
async function sealAwkwardState(): Promise<string> {
  for (let pad = 0; ; pad++) {
    const state = await sealer.seal({ ...book, pad: "x".repeat(pad) }, binding);
    if (/[-_]/.test(state) && bytesOf(state).length % 3 !== 0) return state;
  }
}

/** The last character with its lowest bit flipped, a bit no byte uses when the length is not a multiple of 3. */
function otherTrailingBits(state: string): string {
  return state.slice(0, -1) + BASE64URL[BASE64URL.indexOf(state.at(-1)!) ^ 1];
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("sealed requestState", () => {
  it("opens what it sealed, for the same binding, as v1. + unpadded base64url", async () => {
    const state = await sealer.seal(book, binding);
    expect(state).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(new TextDecoder().decode(bytesOf(state))).not.toContain("elicitation-0");
    expect(await sealer.open(state, binding)).toEqual({ ok: true, payload: book });
  });

  it("seals the same payload differently each time (a random IV)", async () => {
    const states = await Promise.all([1, 2, 3].map(() => sealer.seal(book, binding)));
    expect(new Set(states).size).toBe(3);
    // After `v1.`, 16 characters encode the 12 bytes of the IV.
    expect(new Set(states.map((state) => state.slice(0, "v1.".length + 16))).size).toBe(3);
  });

  it("refuses a state with any one byte flipped: IV, ciphertext or tag", async () => {
    const state = await sealer.seal(book, binding);
    const bytes = bytesOf(state);
    for (let index = 0; index < bytes.length; index++) {
      const flipped = stateOf(bytes.map((byte, at) => (at === index ? byte ^ 0x01 : byte)));
      expect(await sealer.open(flipped, binding), `byte ${index}`).toEqual({ ok: false, reason: "tampered-or-foreign" });
    }
  });

  it("refuses a truncated state", async () => {
    const state = await sealer.seal(book, binding);
    const shorter = stateOf(bytesOf(state).subarray(0, -1));
    expect(await sealer.open(shorter, binding)).toEqual({ ok: false, reason: "tampered-or-foreign" });
    const tooShortForIvAndTag = stateOf(bytesOf(state).subarray(0, 12 + 16 - 1));
    expect(await sealer.open(tooShortForIvAndTag, binding)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each([
    ["another version prefix", (state: string) => "v2." + state.slice(3)],
    ["no prefix", (state: string) => state.slice(3)],
    ["standard base64 characters", (state: string) => state.replaceAll("-", "+").replaceAll("_", "/")],
    ["its padding", (state: string) => state + "=".repeat(4 - ((state.length - "v1.".length) % 4))],
    ["whitespace", (state: string) => state.slice(0, 10) + " " + state.slice(10)],
    ["a character outside base64url", (state: string) => state.slice(0, 10) + "*" + state.slice(11)],
    ["other unused bits in its last character", otherTrailingBits],
  ])("refuses as malformed a state with %s", async (_what, alter) => {
    const state = await sealAwkwardState();
    expect(await sealer.open(alter(state), binding)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each<[string, Partial<StateBinding>]>([
    ["another principal", { principal: "bearer:fedcba9876543210" }],
    ["another method", { method: "prompts/get" }],
    ["another tool", { params: { ...binding.params, name: "cancel_trip" } }],
    ["other arguments", { params: { name: "book_trip", arguments: { city: "Lyon", nights: 3 } } }],
    [
      "a changed nested value",
      { params: { name: "book_trip", arguments: { city: "Lyon", nights: 2, extras: { wifi: false } } } },
    ],
  ])("refuses the state for %s", async (_what, change) => {
    const state = await sealer.seal(book, binding);
    expect(await sealer.open(state, { ...binding, ...change })).toEqual({ ok: false, reason: "tampered-or-foreign" });
  });

  it("opens the state for the same params with their keys, at every depth, in another order", async () => {
    const state = await sealer.seal(book, binding);
    const reordered = { arguments: { extras: { breakfast: false, wifi: true }, nights: 2, city: "Lyon" }, name: "book_trip" };
    expect(await sealer.open(state, { ...binding, params: reordered })).toEqual({ ok: true, payload: book });
  });

  it("cannot open a state sealed under another secret", async () => {
    const other = createStateSealer({ secret: "o".repeat(MIN_SECRET_LENGTH) });
    expect(await other.open(await sealer.seal(book, binding), binding)).toEqual({ ok: false, reason: "tampered-or-foreign" });
    expect(await sealer.open(await other.seal(book, binding), binding)).toEqual({ ok: false, reason: "tampered-or-foreign" });
  });

  it("opens until the TTL has passed, then refuses the state as expired", async () => {
    vi.useFakeTimers();
    const start = new Date("2026-07-28T12:00:00Z").getTime();
    vi.setSystemTime(start);
    const state = await sealer.seal(book, binding);
    vi.setSystemTime(start + DEFAULT_STATE_TTL_MS - 1);
    expect(await sealer.open(state, binding)).toEqual({ ok: true, payload: book });
    vi.setSystemTime(start + DEFAULT_STATE_TTL_MS);
    expect(await sealer.open(state, binding)).toEqual({ ok: false, reason: "expired" });
  });

  it("honours a shorter ttlMs", async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const brief = createStateSealer({ secret: SECRET, ttlMs: 1000 });
    const state = await brief.seal(book, binding);
    vi.setSystemTime(start + 1000);
    expect(await brief.open(state, binding)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a state over maxBytes before decoding or decrypting it", async () => {
    const state = await sealer.seal(book, binding);
    const decrypt = vi.spyOn(crypto.subtle, "decrypt");
    const strict = createStateSealer({ secret: SECRET, maxBytes: state.length - 1 });
    expect(await strict.open(state, binding)).toEqual({ ok: false, reason: "too-large" });
    expect(await sealer.open("v1." + "A".repeat(MAX_STATE_BYTES), binding)).toEqual({ ok: false, reason: "too-large" });
    expect(decrypt).not.toHaveBeenCalled();
    expect(await createStateSealer({ secret: SECRET, maxBytes: state.length }).open(state, binding)).toMatchObject({ ok: true });
    expect(decrypt).toHaveBeenCalledOnce();
  });

  it("will not seal a state it would refuse as too large", async () => {
    const small = createStateSealer({ secret: SECRET, maxBytes: 100 });
    await expect(small.seal({ filler: "x".repeat(100) }, binding)).rejects.toThrow(RangeError);
  });
});

describe("the requestState secret", () => {
  it.each([
    ["missing", {}],
    ["a list, not a string", { MCP_STATE_SECRET: ["s".repeat(MIN_SECRET_LENGTH)] }],
    ["one byte too short", { MCP_STATE_SECRET: "s".repeat(MIN_SECRET_LENGTH - 1) }],
  ])("is refused when %s, with a message saying how to set it", (_what, env) => {
    expect(() => stateSecretFrom(env, "MCP_STATE_SECRET")).toThrow(TypeError);
    expect(() => stateSecretFrom(env, "MCP_STATE_SECRET")).toThrow(
      /MCP_STATE_SECRET.*wrangler secret put MCP_STATE_SECRET.*MCP_STATE_SECRET=.*\.dev\.vars/,
    );
  });

  it("is read from the binding when long enough, counted in UTF-8 bytes", () => {
    expect(stateSecretFrom({ MCP_STATE_SECRET: SECRET }, "MCP_STATE_SECRET")).toBe(SECRET);
    const wide = "é".repeat(MIN_SECRET_LENGTH / 2);
    expect(stateSecretFrom({ MCP_STATE_SECRET: wide }, "MCP_STATE_SECRET")).toBe(wide);
  });

  it("is checked by createStateSealer too", () => {
    expect(() => createStateSealer({ secret: "" })).toThrow(/wrangler secret put/);
    expect(() => createStateSealer({ secret: "s".repeat(MIN_SECRET_LENGTH - 1) })).toThrow(TypeError);
    expect(() => createStateSealer({ secret: "s".repeat(MIN_SECRET_LENGTH) })).not.toThrow();
  });
});
