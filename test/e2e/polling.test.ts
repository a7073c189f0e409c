// Resumable streams and SSE polling against wrangler dev, with a Worker that ends POST streams
// after 1 s and the standalone stream after 1.5 s (test/e2e/fixtures/short-timings/): the SDK
// client must lose nothing and see nothing twice; idle sessions expire by themselves.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, mcpPost, mcpRequest, openSession, openStream, request, type Endpoint } from "../shared/mcp.js";
import { sseCursor, type SseEvent } from "../shared/sse.js";
import { endpointOf } from "./helpers/mcp-client.js";
import { startDevServer, stopAllDevServers, type DevServer } from "./helpers/wrangler-dev.js";

const IDLE_TIMEOUT_MS = 6_000;
let server: DevServer;
let endpoint: Endpoint;

beforeAll(async () => {
  server = await startDevServer({ config: "test/e2e/fixtures/short-timings/wrangler.toml" });
  endpoint = endpointOf(server.url);
});

afterAll(async () => {
  await server?.stop();
  await stopAllDevServers();
});

/** The SDK client with a reconnection policy, and the Last-Event-ID of every GET it sent. */
async function pollingClient() {
  const resumedFrom: string[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
    reconnectionOptions: { maxRetries: 20, initialReconnectionDelay: 100, maxReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 1.5 },
    fetch: async (input, init) => {
      const lastEventId = new Headers(init?.headers).get("last-event-id");
      if (init?.method === "GET" && lastEventId) resumedFrom.push(lastEventId);
      return fetch(input, init);
    },
  });
  const client = new Client({ name: "polling-client", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, resumedFrom };
}

describe("the SDK client under SSE polling", () => {
  it("gets every progress notification and the result exactly once while its POST stream is ended every second", async () => {
    const { client, resumedFrom } = await pollingClient();
    const progress: number[] = [];
    const result = await client.callTool({ name: "slow_task", arguments: { steps: 20, delayMs: 250 } }, undefined, {
      onprogress: ({ progress: step }) => progress.push(step),
      resetTimeoutOnProgress: true,
      timeout: 30_000,
    });
    expect(result.content).toEqual([{ type: "text", text: "completed 20 steps" }]);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    // The tool ran 5 s: its POST stream was handed over, and the client resumed it through GET more than once.
    expect(resumedFrom.length).toBeGreaterThanOrEqual(2);
    await client.close();
  });

  it("gets every notification published across several standalone polls exactly once", async () => {
    const { client, transport } = await pollingClient();
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    for (let round = 0; round < 6; round++) {
      await callTool(endpoint, transport.sessionId!, "toggle_extra_tool");
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    await expect.poll(() => changed, { timeout: 5_000 }).toBe(6);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(changed).toBe(6);
    await client.close();
  });
});

describe("raw resumption", () => {
  it("a POST stream dropped mid-tool goes on through GET with Last-Event-ID: the remainder, once, then the result", async () => {
    const sessionId = await openSession(endpoint);
    const body = request(3, "tools/call", { name: "slow_task", arguments: { steps: 8, delayMs: 100 }, _meta: { progressToken: "t" } });
    const dropped = sseCursor(await mcpPost(endpoint, body, { sessionId }));
    await dropped.event();
    await dropped.message();
    const second = await dropped.event();
    await dropped.cancel();

    const seen: number[] = [];
    let result: unknown;
    let lastEventId = second.id!;
    while (result === undefined) {
      const resumed = sseCursor(await openStream(endpoint, sessionId, { "last-event-id": lastEventId }));
      try {
        for (;;) {
          const event: SseEvent = await resumed.event();
          if (event.id) lastEventId = event.id;
          if (event.data === "") continue;
          const message = JSON.parse(event.data) as { method?: string; params?: { progress: number }; result?: unknown };
          if (message.method === "notifications/progress") seen.push(message.params!.progress);
          else if (message.result) result = message.result;
        }
      } catch (error) {
        if (!(error instanceof Error && error.message === "the stream ended")) throw error;
      }
    }
    expect(seen).toEqual([3, 4, 5, 6, 7, 8]);
    expect(result).toEqual({ content: [{ type: "text", text: "completed 8 steps" }] });
  });

  it("refuses a Last-Event-ID of another session with a clear 400", async () => {
    const [mine, other] = await Promise.all([openSession(endpoint), openSession(endpoint)]);
    const theirs = sseCursor(await openStream(endpoint, other));
    const priming = await theirs.event();
    await theirs.cancel();
    const response = await openStream(endpoint, mine, { "last-event-id": priming.id! });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { message: expect.stringContaining("Last-Event-ID") } });
  });
});

describe("idle expiry", () => {
  it("deletes a session nobody used for the idle timeout: its id then answers 404", { timeout: 30_000 }, async () => {
    const sessionId = await openSession(endpoint);
    await callTool(endpoint, sessionId, "echo", { message: "last use" });
    const lastUse = Date.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS + 1_000));
    await expect
      .poll(async () => (await mcpPost(endpoint, request(9, "ping"), { sessionId })).status, { timeout: 10_000, interval: 500 })
      .toBe(404);
    expect(Date.now() - lastUse).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS);
    expect((await openStream(endpoint, sessionId)).status).toBe(404);
    expect((await mcpRequest(endpoint, "DELETE", { sessionId })).status).toBe(404);
  });
});
