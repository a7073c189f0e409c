// tools/list answers reused across requests (src/lane/tool-list-cache.ts): the same as the SDK's
// own, and never another server's.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createDemoServer } from "../../demo/server.js";
import { MAX_CACHED_TOOL_LISTS, ToolListCache } from "../../src/lane/tool-list-cache.js";
import { mcpPost, openSession, readJsonRpcResponse, request, type Endpoint } from "../shared/mcp.js";
import { workerWith } from "./helpers.js";

/** What the SDK answers itself, with no host in between. */
async function directList(server: McpServer): Promise<unknown> {
  const [client, transport] = InMemoryTransport.createLinkedPair();
  await server.connect(transport);
  const sdkClient = new Client({ name: "direct", version: "1" });
  await sdkClient.connect(client);
  const answer = await sdkClient.listTools();
  await sdkClient.close();
  return answer.tools;
}

const listed = async (endpoint: Endpoint, sessionId: string) =>
  (await readJsonRpcResponse(await mcpPost(endpoint, request(crypto.randomUUID(), "tools/list"), { sessionId }))).result?.[
    "tools"
  ];

const input = z.object({ text: z.string().describe("Some text") });

describe("tools/list through the cache", () => {
  it("answers what the SDK answers, on the first request and the ones after", async () => {
    const demo = workerWith({ server: () => createDemoServer() });
    const sessionId = await openSession(demo);
    const expected = await directList(createDemoServer());
    expect(await listed(demo, sessionId)).toEqual(expected);
    expect(await listed(demo, sessionId)).toEqual(expected);
  });

  it("writes a cached list's text as it is, in a JSON answer and on an SSE stream alike", async () => {
    const expected = await directList(createDemoServer());
    for (const responseMode of ["json", "sse"] as const) {
      const demo = workerWith({ server: () => createDemoServer(), responseMode });
      const sessionId = await openSession(demo);
      for (const id of [1, 2]) {
        const response = await mcpPost(demo, request(id, "tools/list"), { sessionId });
        expect(response.headers.get("content-type"), responseMode).toContain(
          responseMode === "json" ? "application/json" : "text/event-stream",
        );
        expect(await readJsonRpcResponse(response), `${responseMode}, answer ${id}`).toEqual({
          jsonrpc: "2.0",
          id,
          result: { tools: expected },
        });
      }
    }
  });

  it("never answers one server's tools for another's: what a session registers is its own", async () => {
    // Same schema object, another description or another tool set: another answer.
    const endpoint = workerWith({
      server: ({ request }) => {
        const server = new McpServer({ name: "per-session", version: "1" });
        const session = request.headers.get("mcp-session-id") ?? "none";
        server.registerTool("shared", { description: `for ${session}`, inputSchema: input }, () => ({ content: [] }));
        if (session.startsWith("0") || session.startsWith("1")) server.registerTool("own", {}, () => ({ content: [] }));
        return server;
      },
    });
    const sessions = await Promise.all(Array.from({ length: 6 }, () => openSession(endpoint)));
    for (const sessionId of sessions) {
      const tools = (await listed(endpoint, sessionId)) as { name: string; description: string }[];
      expect(tools.find(({ name }) => name === "shared")?.description).toBe(`for ${sessionId}`);
      expect(tools.some(({ name }) => name === "own")).toBe(sessionId.startsWith("0") || sessionId.startsWith("1"));
    }
  });

  it(`keeps at most ${MAX_CACHED_TOOL_LISTS} tool sets, and none whose schemas are built per request`, async () => {
    const cache = new ToolListCache();
    const serve = async (name: string, schema: z.ZodObject) => {
      const server = new McpServer({ name: "many", version: "1" });
      server.registerTool(name, { inputSchema: schema }, () => ({ content: [] }));
      cache.install(server);
      expect(await directList(server)).toEqual([expect.objectContaining({ name })]);
    };
    for (let n = 0; n < 5; n++) await serve("fresh", z.object({ text: z.string() }));
    expect(cache.size).toBe(0);
    // The first server with `input` gives it an identity; the ones after are kept, up to the limit.
    for (let n = 0; n <= MAX_CACHED_TOOL_LISTS + 1; n++) await serve(`tool_${n}`, input);
    expect(cache.size).toBe(MAX_CACHED_TOOL_LISTS);
  });
});
