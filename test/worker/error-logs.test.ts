// Failures that reach no client are logged, one JSON line each, with at most a prefix of the
// session id; the cases that are no failure (a POST that is over, a session that is gone) are not.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { initializeBody, mcpPost, request } from "../shared/mcp.js";
import { workerWith } from "./helpers.js";
import { answerOf, context, record, resumableStream } from "./transport-fixtures.js";

const SESSION_ID = "0123abcd-1111-4222-8333-444455556666";

/** The JSON lines written to console.error while `run` ran. */
async function errorLines(run: () => Promise<void>): Promise<unknown[]> {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  await run();
  return spy.mock.calls.map(([line]) => JSON.parse(String(line)));
}

afterEach(() => vi.restoreAllMocks());

function announcingServer(): McpServer {
  const server = new McpServer({ name: "t", version: "1" }, { capabilities: { logging: {}, tools: { listChanged: true } } });
  server.registerTool("announce", {}, async () => {
    server.sendToolListChanged();
    return { content: [{ type: "text", text: "done" }] };
  });
  return server;
}

describe("the distributed transport", () => {
  it("logs a failed publish to the standalone stream", async () => {
    const lines = await errorLines(async () => {
      const transport = new DistributedTransport({ sessionId: SESSION_ID, record, disableLocalSse: true });
      transport.onresponsesse = async () => {
        throw new Error("the session object is overloaded");
      };
      await announcingServer().connect(transport);
      await answerOf(await transport.handlePost([request(1, "tools/call", { name: "announce" })], context("json")));
      await transport.settled;
    });
    expect(lines).toEqual([
      {
        level: "error",
        message: "Publishing to the standalone stream failed",
        session: "0123abcd",
        reason: "the session object is overloaded",
      },
    ]);
  });

  it("logs a failed handover of a POST stream", async () => {
    const lines = await errorLines(async () => {
      const transport = new DistributedTransport({ sessionId: SESSION_ID, record, disableLocalSse: true });
      await announcingServer().connect(transport);
      const stream = resumableStream(true, async () => {
        throw new Error("storage unavailable");
      });
      const post = [request(1, "tools/call", { name: "announce" })];
      await answerOf(await transport.handlePost(post, { ...context("sse"), stream }));
      await transport.settled;
    });
    expect(lines).toEqual([
      {
        level: "error",
        message: "Handing a POST stream over to the session object failed",
        session: "0123abcd",
        reason: "storage unavailable",
      },
    ]);
  });
});

describe("the Worker", () => {
  it("logs an error no handler caught with its stack, and answers 500 without it", async () => {
    const endpoint = workerWith({
      server: () => {
        throw new Error("the factory broke");
      },
    });
    let response: Response | undefined;
    const lines = await errorLines(async () => {
      response = await mcpPost(endpoint, initializeBody());
    });
    expect(response?.status).toBe(500);
    const body = await response!.text();
    expect(JSON.parse(body)).toMatchObject({ error: { message: "Internal Server Error" } });
    expect(body).not.toContain("the factory broke");
    expect(lines).toEqual([
      { level: "error", message: "the factory broke", stack: expect.stringContaining("the factory broke\n    at ") },
    ]);
  });
});
