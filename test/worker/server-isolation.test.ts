// The guarantees a request's server rests on (issue 18): nothing one request or session does to
// its server is seen by another request on the same isolate, and requests served at the same
// time never share a connected server, however the host builds or reuses servers (serverReuse).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { callTool, mcpPost, openSession, readJsonRpcResponse, request, type Endpoint } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { released, textResult as text, workerWith } from "./helpers.js";

/** A server whose handlers change it: one registers a tool, one disables a tool, one renames the server's tools. */
function changingServer(): McpServer {
  const server = new McpServer({ name: "changing", version: "1" }, { capabilities: { tools: { listChanged: true } } });
  server.registerTool("register_more", {}, () => {
    server.registerTool("registered_here", {}, () => text("here"));
    return text("changed");
  });
  const disabled = server.registerTool("disable_me", {}, () => {
    disabled.disable();
    return text("changed");
  });
  const described = server.registerTool("describe_me", { description: "as built" }, () => {
    described.update({ description: "changed here" });
    return text("changed");
  });
  return server;
}
const BUILT_TOOLS = [{ name: "register_more" }, { name: "disable_me" }, { name: "describe_me", description: "as built" }];

async function toolsOf(response: Response): Promise<{ name: string; description?: string }[]> {
  const tools = (await readJsonRpcResponse(response)).result?.["tools"] as { name: string; description?: string }[];
  return tools.map(({ name, description }) => ({ name, ...(description && { description }) }));
}

describe.each(["never", "principal", "deployment"] as const)("the server of a request, with serverReuse %s", (serverReuse) => {
  for (const change of ["register_more", "disable_me", "describe_me"]) {
    it(`keeps to itself what ${change} changes on it: another session's request on the same isolate does not see it`, async () => {
      const endpoint = workerWith({ serverReuse, server: changingServer });
      const [alice, bob] = await Promise.all([openSession(endpoint), openSession(endpoint)]);
      await released();
      expect((await callTool(endpoint, alice, change)).result).toEqual(text("changed"));
      await released();
      expect(await toolsOf(await mcpPost(endpoint, request(3, "tools/list"), { sessionId: bob }))).toEqual(BUILT_TOOLS);
      expect((await callTool(endpoint, bob, "registered_here")).result).toMatchObject({ isError: true });
    });
  }

  it("keeps to itself what a 2026-07-28 request changes on it: the next request does not see it", async () => {
    const endpoint: Endpoint = workerWith({ serverReuse, server: changingServer });
    for (const change of ["register_more", "disable_me", "describe_me"]) {
      const called = await readJsonRpcResponse(await modernRequest(endpoint, 1, "tools/call", { name: change, arguments: {} }));
      expect(called.result).toMatchObject(text("changed"));
      await released();
      expect(await toolsOf(await modernRequest(endpoint, 2, "tools/list"))).toEqual(BUILT_TOOLS);
    }
  });

  it("is never shared by requests served at the same time", async () => {
    const CONCURRENT = 8;
    const seen = new Set<McpServer>();
    let release!: () => void;
    const allIn = new Promise<void>((resolve) => (release = resolve));
    const endpoint = workerWith({
      serverReuse,
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
