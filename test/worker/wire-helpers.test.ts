// Pure helpers of the wire layer: Accept negotiation, body validation, SSE framing, session ids.
import { describe, expect, it } from "vitest";
import { isSessionId, newSessionId } from "../../src/wire/session-id.js";
import { encodeEvent } from "../../src/wire/sse.js";
import { parseJsonBody, readMessages } from "../../src/wire/body.js";
import { chooseResponseMode } from "../../src/wire/headers.js";

const withAccept = (accept: string) => new Request("http://x/mcp", { headers: { accept } });

describe("chooseResponseMode", () => {
  it.each([
    ["application/json, text/event-stream", "sse"],
    ["application/json", "json"],
    ["text/event-stream", "sse"],
    ["*/*", "sse"],
    ["application/*, text/event-stream;q=0", "json"],
    ["Application/JSON ; q=0.5, text/*", "sse"],
  ])("Accept %j gives %s", (accept, mode) => {
    expect(chooseResponseMode(withAccept(accept), "sse")).toBe(mode);
  });

  it("follows the configured preference when both are accepted", () => {
    expect(chooseResponseMode(withAccept("application/json, text/event-stream"), "json")).toBe("json");
  });

  it("answers 406 when neither is accepted", async () => {
    const response = chooseResponseMode(withAccept("text/html"), "sse") as Response;
    expect(response.status).toBe(406);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
  });
});

describe("parseJsonBody and readMessages", () => {
  const read = async (body: string) => {
    const parsed = await parseJsonBody(new Request("http://x/mcp", { method: "POST", body }));
    return parsed instanceof Response ? parsed : readMessages(parsed.json);
  };

  it("splits a batch and remembers it was one", async () => {
    const body = await read(`[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":1,"method":"b"}]`);
    expect(body).toMatchObject({ batch: true, messages: [{ method: "a" }, { id: 1, method: "b" }] });
  });

  it.each([
    ["{", -32700, null],
    ["[]", -32600, null],
    [`{"jsonrpc":"1.0","id":4,"method":"x"}`, -32600, 4],
    [`[{"jsonrpc":"2.0","method":"ok"},{"id":"k"}]`, -32600, "k"],
  ])("rejects %s with %i", async (text, code, id) => {
    const response = (await read(text)) as Response;
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id, error: { code } });
  });
});

describe("encodeEvent", () => {
  it("writes id, retry and one data line per line of data", () => {
    expect(encodeEvent({ id: "7", retry: 1000, data: "a\nb" })).toBe("event: message\nid: 7\nretry: 1000\ndata: a\ndata: b\n\n");
  });
});

describe("session ids", () => {
  it("are random v4 UUIDs, and nothing else passes for one", () => {
    const ids = new Set(Array.from({ length: 100 }, newSessionId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(isSessionId(id)).toBe(true);
    expect(isSessionId("../etc/passwd")).toBe(false);
    expect(isSessionId("00000000-0000-0000-0000-000000000000")).toBe(false);
  });
});
