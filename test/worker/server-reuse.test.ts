// `serverReuse` (README, "Cost per request"): a server built once serves many requests, one at a
// time, and answers each of them as its own; the guarantees every mode keeps are in
// server-isolation.test.ts.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  MAX_IDLE_OWN_SCHEMAS,
  MAX_IDLE_SERVERS,
  type McpHandlerOptions,
  type ServerContext,
  type ServerFactory,
} from "../../src/lib.js";
import { callTool, mcpPost, openSession, readJsonRpcResponse, request, type Endpoint } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { released, textResult as text, workerWith } from "./helpers.js";

/** The factory's builds, counted, and a handler with its options around it. */
function counted(factory: ServerFactory<Cloudflare.Env>, options: Partial<McpHandlerOptions<Cloudflare.Env>>) {
  const builds = { count: 0 };
  const endpoint = workerWith({
    ...options,
    server: (context) => {
      builds.count++;
      return factory(context);
    },
  });
  return { builds, endpoint };
}

/** Each request's principal is the one its `X-User` header names. */
const byUserHeader: McpHandlerOptions<Cloudflare.Env>["authenticate"] = async (request) => ({
  id: `user:${request.headers.get("x-user") ?? "nobody"}`,
});

/** A 2026-07-28 tools/call, as `user`; its text, or its error's message. */
async function callModern(
  endpoint: Endpoint,
  name: string,
  user = "alice",
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await modernRequest(
    endpoint,
    1,
    "tools/call",
    { name, arguments: {} },
    { headers: { "x-user": user, ...headers } },
  );
  const answer = await readJsonRpcResponse(response);
  return (
    answer.error?.message ??
    (answer.result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join()
  );
}

// The request is read in the handler: the context answers for the request being served.
const echoServer: ServerFactory<Cloudflare.Env> = (context) => {
  const server = new McpServer({ name: "echo", version: "1" });
  server.registerTool("trace", {}, () => text(context.request.headers.get("x-trace") ?? "none"));
  return server;
};

/** A server whose `wait` tool answers once `open` is called, ignoring its abort signal, and whose `quick` one at once. */
function gated(): { open: () => void; factory: ServerFactory<Cloudflare.Env> } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const factory = () => {
    const server = new McpServer({ name: "gated", version: "1" });
    server.registerTool("wait", {}, async () => {
      await gate;
      return text("waited");
    });
    server.registerTool("quick", {}, () => text("quick"));
    return server;
  };
  return { open, factory };
}

describe("serverReuse", () => {
  it('"deployment" builds one server for a session\'s requests one after another', async () => {
    const { builds, endpoint } = counted(echoServer, { serverReuse: "deployment" });
    const sessionId = await openSession(endpoint);
    await released();
    for (let call = 0; call < 5; call++) {
      expect((await callTool(endpoint, sessionId, "trace")).result).toEqual(text("none"));
      await released();
    }
    expect(builds.count).toBe(1);
  });

  it('"never" builds a server for every request', async () => {
    const { builds, endpoint } = counted(echoServer, {});
    for (let call = 0; call < 3; call++) {
      expect(await callModern(endpoint, "trace")).toBe("none");
      await released();
    }
    expect(builds.count).toBe(3);
  });

  it("answers each request with its own request, read in the handler", async () => {
    const { builds, endpoint } = counted(echoServer, { serverReuse: "deployment" });
    for (const trace of ["first", "second", "third"]) {
      expect(await callModern(endpoint, "trace", "alice", { "x-trace": trace })).toBe(trace);
      await released();
    }
    expect(builds.count).toBe(1);
  });

  it('"principal" gives each principal servers of its own, built knowing who it is for', async () => {
    const { builds, endpoint } = counted(
      ({ principal }) => {
        const server = new McpServer({ name: "own", version: "1" });
        const builtFor = principal.id;
        server.registerTool("whose", {}, () => text(builtFor));
        return server;
      },
      { serverReuse: "principal", authenticate: byUserHeader },
    );
    for (const user of ["alice", "bob", "alice", "bob", "alice"]) {
      expect(await callModern(endpoint, "whose", user)).toBe(`user:${user}`);
      await released();
    }
    expect(builds.count).toBe(2);
  });

  it("tells a factory that reads the request, the state or the principal while it builds why it cannot", async () => {
    const reads: Record<string, (context: ServerContext<Cloudflare.Env>) => unknown> = {
      "the request": ({ request }) => request,
      state: ({ state }) => state,
      "the principal": ({ principal }) => principal,
    };
    for (const [what, read] of Object.entries(reads)) {
      const { endpoint } = counted(
        (context) => {
          read(context);
          return new McpServer({ name: "reading", version: "1" });
        },
        { serverReuse: "deployment" },
      );
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const response = await modernRequest(endpoint, 1, "server/discover");
      expect(response.status).toBe(500);
      expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toMatchObject({
        message: `serverReuse "deployment": the factory builds a server for many requests, so it cannot read ${what} while it builds; read it in a handler`,
      });
      errors.mockRestore();
    }
  });

  it("builds anew for a request that comes while every built server serves another", async () => {
    const { open, factory } = gated();
    const { builds, endpoint } = counted(factory, { serverReuse: "deployment" });
    const waitThrice = () =>
      Promise.all([callModern(endpoint, "wait"), callModern(endpoint, "wait"), callModern(endpoint, "wait")]);
    const waiting = waitThrice();
    await new Promise((resolve) => setTimeout(resolve, 50));
    open();
    expect(await waiting).toEqual(["waited", "waited", "waited"]);
    await released();
    expect(await waitThrice()).toEqual(["waited", "waited", "waited"]);
    expect(builds.count).toBe(3);
  });

  it("does not hand on a server whose cancelled handler still runs", async () => {
    const { open, factory } = gated();
    const { builds, endpoint } = counted(factory, { serverReuse: "deployment" });
    const sessionId = await openSession(endpoint);
    await released();
    const calling = await mcpPost(endpoint, request("wait-1", "tools/call", { name: "wait", arguments: {} }), { sessionId });
    const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "wait-1" } };
    expect((await mcpPost(endpoint, cancel, { sessionId })).status).toBe(202);
    await calling.body?.cancel();
    await released();
    expect((await callTool(endpoint, sessionId, "quick")).result).toEqual(text("quick"));
    expect(builds.count).toBe(2);
    open();
    await released();
    expect((await callTool(endpoint, sessionId, "quick")).result).toEqual(text("quick"));
    expect(builds.count).toBe(2);
  });

  it(`keeps at most ${MAX_IDLE_SERVERS} idle servers: the principal unseen the longest has its server built again`, async () => {
    const { builds, endpoint } = counted(echoServer, { serverReuse: "principal", authenticate: byUserHeader });
    const users = Array.from({ length: MAX_IDLE_SERVERS + 1 }, (_, index) => `user-${index}`);
    for (const user of users) {
      await callModern(endpoint, "trace", user);
      await released();
    }
    expect(builds.count).toBe(users.length);
    await callModern(endpoint, "trace", users.at(-1));
    await released();
    expect(builds.count).toBe(users.length);
    await callModern(endpoint, "trace", users[0]);
    expect(builds.count).toBe(users.length + 1);
  });

  it(`keeps idle servers of at most ${MAX_IDLE_OWN_SCHEMAS} tools with schemas of their own, and always the last one`, async () => {
    const third = Math.floor(MAX_IDLE_OWN_SCHEMAS / 3) + 1;
    const sharedSchemas = Array.from({ length: third }, () => z.object({ q: z.string().optional() }));
    const sized = (tools: number, schemas: "own" | "shared") => () => {
      const server = new McpServer({ name: "sized", version: "1" });
      for (let tool = 0; tool < tools; tool++) {
        const inputSchema = schemas === "shared" ? sharedSchemas[tool] : z.object({ q: z.string().optional() });
        server.registerTool(`tool_${tool}`, { inputSchema }, () => text(`tool ${tool}`));
      }
      return server;
    };
    const visit = async (endpoint: Endpoint, users: string[]) => {
      for (const user of users) {
        expect(await callModern(endpoint, "tool_0", user)).toBe("tool 0");
        await released();
      }
    };
    const principals = { serverReuse: "principal", authenticate: byUserHeader } as const;
    // Three servers of their own schemas are over the bound: the one unused the longest goes.
    const own = counted(sized(third, "own"), principals);
    await visit(own.endpoint, ["a", "b", "c", "c", "b"]);
    expect(own.builds.count).toBe(3);
    await visit(own.endpoint, ["a"]);
    expect(own.builds.count).toBe(4);
    // Servers that share their schemas weigh nothing beyond the first, which saw them first.
    const shared = counted(sized(third, "shared"), principals);
    await visit(shared.endpoint, ["a", "b", "c", "a", "b", "c"]);
    expect(shared.builds.count).toBe(3);

    const huge = counted(sized(MAX_IDLE_OWN_SCHEMAS + 1, "own"), { serverReuse: "deployment" });
    await visit(huge.endpoint, ["a", "a", "a"]);
    expect(huge.builds.count).toBe(1);
  });
});
