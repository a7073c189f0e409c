// How much one session's event log may hold, through the Worker: large results that a client
// received are let go of by the log's byte bound, a result too large for a row still reaches
// the client live, and the table of streams does not grow with every request.
import { env, runInDurableObject } from "cloudflare:test";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { MAX_LOGGED_MESSAGE_BYTES } from "../../src/sessions/object/kept-message.js";
import { DEFAULT_EVENT_LOG_MAX_BYTES } from "../../src/sessions/settings.js";
import { createPusher } from "../../src/lib.js";
import { mcpPost, openSession, openStream, readJsonRpcResponse, request, type AnyMessage, type Endpoint } from "../shared/mcp.js";
import { readAllSseEvents, sseCursor } from "../shared/sse.js";
import { sessionObject, workerWith } from "./helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pusher = createPusher(env);

/** A server whose one tool answers, after `delayMs`, with a text of `bytes` characters. */
function bigResults(): McpServer {
  const server = new McpServer({ name: "big-results", version: "1.0.0" });
  server.registerTool("big", { inputSchema: { bytes: z.number(), delayMs: z.number() } }, async ({ bytes, delayMs }) => {
    await sleep(delayMs);
    return { content: [{ type: "text", text: "x".repeat(bytes) }] };
  });
  return server;
}

/** Streamed, so that a call that runs past 50 ms is handed to the session object when it ends. */
const endpoint = (session: Record<string, number> = {}) => workerWith({ server: bigResults, responseMode: "sse", session });
const big = (at: Endpoint, sessionId: string, bytes: number, delayMs = 60) =>
  mcpPost(at, request(7, "tools/call", { name: "big", arguments: { bytes, delayMs } }), { sessionId });

const dataEvents = async (response: Response) =>
  (await readAllSseEvents(response)).filter(({ data }) => data !== "").map(({ data }) => JSON.parse(data) as AnyMessage);

describe("the event log of one session", () => {
  it("holds at most eventLogMaxBytes however many large results its client received", async () => {
    const at = endpoint();
    const sessionId = await openSession(at);
    let last = "";
    for (let call = 0; call < 20; call++) {
      const events = await readAllSseEvents(await big(at, sessionId, 900_000));
      expect(events.at(-1)?.data).toContain("x".repeat(1000));
      last = events[0]!.id!;
    }
    const stats = await pusher.stats(sessionId);
    expect(stats?.loggedBytes).toBeGreaterThan(DEFAULT_EVENT_LOG_MAX_BYTES / 2);
    expect(stats?.loggedBytes).toBeLessThanOrEqual(DEFAULT_EVENT_LOG_MAX_BYTES);
    // The newest result is still there for a client that resumes.
    const resumed = await dataEvents(await openStream(at, sessionId, { "last-event-id": last }));
    expect(resumed.at(-1)?.result).toBeDefined();
  }, 30_000);

  it("passes a result too large to keep to its client live; one that resumes gets an error for its request", async () => {
    const at = endpoint();
    const sessionId = await openSession(at);
    const whole = await readJsonRpcResponse(await big(at, sessionId, 1_500_000));
    expect((whole.result?.content as { text: string }[])[0]!.text).toHaveLength(1_500_000);

    const left = sseCursor(await big(at, sessionId, 1_500_000, 150));
    const priming = await left.event();
    await left.cancel();
    await sleep(400);
    const resumed = await dataEvents(await openStream(at, sessionId, { "last-event-id": priming.id! }));
    expect(resumed).toEqual([
      {
        jsonrpc: "2.0",
        id: 7,
        error: { code: ErrorCode.InternalError, message: expect.stringContaining(`more than the ${MAX_LOGGED_MESSAGE_BYTES}`) },
      },
    ]);
    expect((await readJsonRpcResponse(await mcpPost(at, request(8, "ping"), { sessionId }))).result).toEqual({});
  });

  it("drops a message for the standalone stream too large to keep, says so in the logs, and goes on", async () => {
    const at = endpoint();
    const sessionId = await openSession(at);
    const stream = sseCursor(await openStream(at, sessionId));
    await stream.event();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const huge = { method: "notifications/message", params: { level: "info", data: "x".repeat(MAX_LOGGED_MESSAGE_BYTES) } };
    await pusher.notify(sessionId, huge);
    await pusher.notify(sessionId, { method: "notifications/message", params: { level: "info", data: "small" } });
    expect(await stream.message()).toMatchObject({ params: { data: "small" } });
    await stream.cancel();
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining("too large to keep"), dropped: 1 }),
    );
    errors.mockRestore();
  });

  it("keeps no row for the streams of requests that ended and whose events are gone", async () => {
    const at = endpoint({ eventLogMaxEvents: 5 });
    const sessionId = await openSession(at);
    for (let call = 0; call < 30; call++) await dataEvents(await big(at, sessionId, 10));
    await sleep(100);
    const rows = await runInDurableObject(
      sessionObject(sessionId),
      (_instance, state) => state.storage.sql.exec<{ count: number }>(`SELECT COUNT(*) AS count FROM streams`).one().count,
    );
    expect(rows).toBeLessThanOrEqual(6);
  }, 30_000);
});
