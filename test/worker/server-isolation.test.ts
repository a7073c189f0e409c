// The guarantees a request's server rests on (issue 18): nothing one request or session does to
// its server is seen by another request on the same isolate, and requests served at the same
// time never share a connected server, however the host builds or reuses servers.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { callTool, mcpPost, openSession, readJsonRpcResponse, request } from "../shared/mcp.js";
import { workerWith } from "./helpers.js";

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

describe("the server of a request", () => {
  it("keeps to itself what a handler registers on it: another session's request on the same isolate does not see it", async () => {
    const endpoint = workerWith({
      server: () => {
        const server = new McpServer({ name: "registering", version: "1" }, { capabilities: { tools: { listChanged: true } } });
        server.registerTool("register_more", {}, () => {
          server.registerTool("registered_here", {}, () => text("here"));
          return text("registered");
        });
        return server;
      },
    });
    const [alice, bob] = await Promise.all([openSession(endpoint), openSession(endpoint)]);
    expect((await callTool(endpoint, alice, "register_more")).result).toMatchObject({ content: [{ text: "registered" }] });
    const listed = await readJsonRpcResponse(await mcpPost(endpoint, request(3, "tools/list"), { sessionId: bob }));
    expect((listed.result?.["tools"] as { name: string }[]).map(({ name }) => name)).toEqual(["register_more"]);
    expect((await callTool(endpoint, bob, "registered_here")).result).toMatchObject({ isError: true });
  });

  it("is never shared by requests served at the same time", async () => {
    const CONCURRENT = 8;
    const seen = new Set<McpServer>();
    let release!: () => void;
    const allIn = new Promise<void>((resolve) => (release = resolve));
    const endpoint = workerWith({
      server: () => {
        const server = new McpServer({ name: "holding", version: "1" });
        server.registerTool("hold", {}, async () => {
          seen.add(server);
          if (seen.size === CONCURRENT) release();
          await allIn;
          return text("held");
        });
        return server;
      },
    });
    const sessionId = await openSession(endpoint);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => callTool(endpoint, sessionId, "hold")));
    expect(answers.map(({ result }) => result)).toEqual(Array(CONCURRENT).fill(text("held")));
    expect(seen.size).toBe(CONCURRENT);
  });
});
