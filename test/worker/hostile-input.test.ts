// Generated hostile input (fast-check) against the Worker in workerd: every answer is a clear
// JSON-RPC error, nothing crashes, and the session it aimed at is left as it was.
import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BATCH_LENGTH, MAX_JSON_DEPTH } from "../../src/wire/body.js";
import { expectJsonRpcError } from "../shared/expect.js";
import { callTool, mcpPost, openSession, openStream } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { storedState, worker } from "./helpers.js";

const RUNS = 60;
let sessionId: string;
let before: Awaited<ReturnType<typeof snapshot>>;

/** The session's record (without its last-seen time) and the events of its standalone stream. */
async function snapshot() {
  const { record, tables } = await storedState(sessionId);
  const { lastSeenAt: _seen, ...rest } = record!;
  return { record: rest, tables };
}

/** A clear JSON-RPC error; it names the rejected message's id when it can, so any id will do. */
const expectClearError = (response: Response, statuses: number[]) =>
  expectJsonRpcError(response, statuses, { id: expect.toBeOneOf([null, expect.anything()]) });

beforeAll(async () => {
  sessionId = await openSession(worker);
  await callTool(worker, sessionId, "toggle_extra_tool");
  before = await snapshot();
});

const notJsonRpc = fc.jsonValue().filter((value) => {
  const items = Array.isArray(value) ? value : [value];
  return items.length === 0 || items.some((item) => !JSONRPCMessageSchema.safeParse(item).success);
});
const notJson = fc.string().filter((text) => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
});

describe("generated hostile input", () => {
  it("bodies that are not JSON get 400 -32700", async () => {
    await fc.assert(
      fc.asyncProperty(notJson, async (body) => {
        const response = await mcpPost(worker, body, { sessionId });
        await expectClearError(response, [400]);
      }),
      { numRuns: RUNS },
    );
    expect(await snapshot()).toEqual(before);
  });

  it("JSON that is not JSON-RPC gets 400 -32600, naming the id when it can", async () => {
    await fc.assert(
      fc.asyncProperty(notJsonRpc, async (body) => {
        const response = await mcpPost(worker, body, { sessionId });
        await expectClearError(response, [400]);
      }),
      { numRuns: RUNS },
    );
    expect(await snapshot()).toEqual(before);
  });

  it("headers of any value get a clear 4xx or are served, never a crash", async () => {
    const headerValue = fc.string({ maxLength: 80 }).filter((value) => /^[\t\x20-\x7e]*$/.test(value));
    await fc.assert(
      fc.asyncProperty(
        fc.record({ accept: headerValue, contentType: headerValue, protocolVersion: headerValue, sessionId: headerValue }),
        async (headers) => {
          const response = await mcpPost(worker, { jsonrpc: "2.0", id: 1, method: "ping" }, headers);
          if (response.status === 200) return;
          await expectClearError(response, [400, 403, 404, 406, 415]);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await snapshot()).toEqual(before);
  });
});

describe("limits", () => {
  it("refuse JSON nested too deep, and batches too long, with -32600", async () => {
    const deep = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
    await expectClearError(await mcpPost(worker, deep, { sessionId }), [400]);
    const veryDeep = `{"jsonrpc":"2.0","method":"x","params":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
    await expectClearError(await mcpPost(worker, veryDeep, { sessionId }), [400, 413]);
    const batch = Array.from({ length: MAX_BATCH_LENGTH + 1 }, () => ({ jsonrpc: "2.0", method: "notifications/initialized" }));
    await expectClearError(await mcpPost(worker, batch, { sessionId }), [400]);
    expect(await snapshot()).toEqual(before);
  });

  it("leave the stream working afterwards", async () => {
    const stream = sseCursor(await openStream(worker, sessionId));
    expect(await stream.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    await stream.cancel();
  });
});
