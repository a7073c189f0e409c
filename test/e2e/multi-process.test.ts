// Proof that the Worker is stateless (issue 4): two front Workers in two separate `wrangler dev`
// processes serve one session, whose Durable Object lives in a third process (the sessions
// worker, reached through wrangler's local dev registry with a `script_name` binding). Whatever a
// session needs between requests must therefore be in the session object, not in a front.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callTool,
  mcpPost,
  mcpRequest,
  openSession,
  openStream,
  readJsonRpcResponse,
  request,
  type Endpoint,
  type JsonRpcAnswer,
} from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { readSseMessages, sseCursor, sseEvents } from "../shared/sse.js";
import { endpointOf } from "./helpers/mcp-client.js";
import { startCluster, waitUntilLinked, type Cluster } from "./helpers/multi-process.js";
import { stopAllDevServers } from "./helpers/wrangler-dev.js";

let cluster: Cluster;
let a: Endpoint;
let b: Endpoint;

beforeAll(async () => {
  cluster = await startCluster();
  a = endpointOf(cluster.frontA.url);
  b = endpointOf(cluster.frontB.url);
  const { sessions, fronts, linked } = cluster.startupPhases;
  console.log(`multi-process cluster up in ${linked} ms (sessions /health ${sessions} ms, fronts /health ${fronts} ms)`);
});

afterAll(async () => {
  await cluster?.stop();
  await stopAllDevServers(); // safety net; the cluster has stopped its servers already
});

/** The text of a tools/call answer whose content is one text block. */
function toolText(answer: JsonRpcAnswer): string {
  expect(answer.error).toBeUndefined();
  const content = answer.result?.content as Array<{ type: string; text?: string }> | undefined;
  expect(content).toHaveLength(1);
  expect(content![0]!.type).toBe("text");
  expect(answer.result?.isError ?? false, content![0]!.text).toBe(false);
  return content![0]!.text!;
}

/** Members of process group `pgid`, one "pid command line" per line. */
function groupMembers(pgid: number): string {
  try {
    return execFileSync("pgrep", ["-a", "-g", String(pgid)], { encoding: "utf8" });
  } catch {
    return ""; // pgrep exits 1 when there are none
  }
}

/** The SQLite files of Durable Objects under a --persist-to dir (one dir per namespace). */
function durableObjectFiles(persistDir: string): string[] {
  const root = path.join(persistDir, "v3", "do");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".sqlite"));
}

describe("three separate processes", () => {
  it("runs the sessions worker and the two fronts as distinct process groups, each with its own workerd", () => {
    const { sessions, frontA, frontB } = cluster;
    expect(new Set([sessions.pid, frontA.pid, frontB.pid]).size).toBe(3);
    expect(new Set([sessions.port, frontA.port, frontB.port]).size).toBe(3);
    const workerdPids = [sessions, frontA, frontB].map((server) => {
      const workerd = groupMembers(server.pid)
        .split("\n")
        .filter((line) => /workerd/.test(line))
        .map((line) => Number(line.split(" ")[0]));
      expect(workerd.length, `workerd in group ${server.pid}`).toBeGreaterThan(0);
      return workerd;
    });
    expect(new Set(workerdPids.flat()).size).toBe(workerdPids.flat().length);
    // The sessions worker is in the shared registry (both fronts share one name; see multi-process.ts).
    expect(readdirSync(cluster.registryPath)).toEqual(expect.arrayContaining(["durable-mcp-sessions", "durable-mcp-front"]));
  });

  it("keeps session objects only in the sessions worker's storage", async () => {
    const sessionId = await openSession(a);
    expect(toolText(await callTool(b, sessionId, "echo", { message: "stored?" }))).toBe("stored?");
    const files = durableObjectFiles(cluster.persistDirs.sessions);
    expect(files.some((file) => file.startsWith("durable-mcp-sessions-SessionDO"))).toBe(true);
    expect(durableObjectFiles(cluster.persistDirs.frontA)).toEqual([]);
    expect(durableObjectFiles(cluster.persistDirs.frontB)).toEqual([]);
  });
});

describe("one session across two fronts", () => {
  it("initialized through A, answers tools/call through B, and keeps alternating", async () => {
    const sessionId = await openSession(a);
    expect(toolText(await callTool(b, sessionId, "echo", { message: "hello from B" }))).toBe("hello from B");
    for (let i = 0; i < 6; i++) {
      const front = i % 2 === 0 ? a : b;
      const answer = await callTool(front, sessionId, "add", { a: i, b: 100 });
      expect(answer.result?.structuredContent).toEqual({ sum: i + 100 });
    }
  });

  it("delivers to the GET stream opened on B the tools/list_changed caused by a POST on A", async () => {
    const sessionId = await openSession(a);
    const stream = await openStream(b, sessionId);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);

    expect(toolText(await callTool(a, sessionId, "toggle_extra_tool"))).toBe(
      "extra_tool registered; notifications/tools/list_changed sent",
    );
    const [message] = await readSseMessages<{ method?: string; id?: unknown }>(stream, 1, 10_000);
    expect(message).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
  });

  it("delivers one change to a listen stream on A and a GET stream on B exactly once, and a third request's update", async () => {
    const uri = "demo://greeting";
    const listener = await modernRequest(a, "front-a-listener", "subscriptions/listen", {
      notifications: { toolsListChanged: true, resourceSubscriptions: [uri] },
    });
    expect(listener.headers.get("content-type")).toBe("text/event-stream");
    const listening = sseCursor(listener);
    expect(await listening.message()).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
    const sessionId = await openSession(b);
    await readJsonRpcResponse(await mcpPost(b, request(2, "resources/subscribe", { uri }), { sessionId }));
    const standalone = sseCursor(await openStream(b, sessionId));

    // The principal's switch: a change for every listener of the principal, on both fronts.
    const toggle = () => callTool(b, sessionId, "toggle_extra_tool", { scope: "principal" });
    expect(toolText(await toggle())).toMatch(/list_changed sent$/);
    const updated = await modernRequest(a, 3, "tools/call", { name: "touch_resource", arguments: { uri } });
    expect(updated.status).toBe(200);
    await updated.text();

    const tagged = { _meta: { "io.modelcontextprotocol/subscriptionId": "front-a-listener" } };
    expect(await listening.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: tagged });
    expect(await listening.message()).toEqual({
      jsonrpc: "2.0",
      method: "notifications/resources/updated",
      params: { uri, ...tagged },
    });
    expect(await standalone.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    expect(await standalone.message()).toEqual({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri } });
    // Nothing came twice: the next message on each is one sent after everything above.
    expect(toolText(await toggle())).toMatch(/list_changed sent$/);
    expect(await listening.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(await standalone.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    await Promise.all([listening.cancel(), standalone.cancel()]);
  });

  it("ends the session for both fronts when B deletes it", async () => {
    const sessionId = await openSession(a);
    const deleted = await mcpRequest(b, "DELETE", { sessionId });
    expect(deleted.status).toBe(200);

    const after = await mcpPost(a, request(2, "tools/call", { name: "echo", arguments: { message: "x" } }), { sessionId });
    expect(after.status).toBe(404);
    expect(await after.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32001 } });
    expect((await openStream(b, sessionId)).status).toBe(404);
  });

  it.each([
    { answer: { action: "accept", content: { confirm: true } }, expected: "confirmed" },
    { answer: { action: "decline" }, expected: "declined" },
  ])(
    "lets a tool running on A receive through B the answer ($answer.action) to its elicitation",
    async ({ answer, expected }) => {
      const sessionId = await openSession(a, { elicitation: { form: {} } });
      const callId = "call-confirm";
      const call = await mcpPost(a, request(callId, "tools/call", { name: "confirm_action", arguments: { action: "deploy" } }), {
        sessionId,
      });
      expect(call.status).toBe(200);
      expect(call.headers.get("content-type")).toMatch(/^text\/event-stream/);

      const seen: unknown[] = [];
      const timer = setTimeout(() => void call.body?.cancel().catch(() => {}), 20_000);
      let result: JsonRpcAnswer | undefined;
      let answeredVia: number | undefined;
      try {
        for await (const event of sseEvents(call)) {
          if (event.data === "") continue;
          const message = JSON.parse(event.data) as JsonRpcAnswer & { method?: string; params?: Record<string, unknown> };
          seen.push(message);
          if (message.method === "elicitation/create" && message.id !== undefined) {
            expect(message.params).toMatchObject({
              mode: "form",
              requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] },
            });
            expect(answeredVia).toBeUndefined();
            // The answer goes to the other front: only the session object can bring it to A.
            const reply = await mcpPost(b, { jsonrpc: "2.0", id: message.id, result: answer }, { sessionId });
            answeredVia = reply.status;
            expect(reply.status, await reply.text()).toBe(202);
          } else if (message.id === callId) {
            result = message;
            break;
          }
        }
      } finally {
        clearTimeout(timer);
      }
      expect(answeredVia, `no elicitation/create on A's stream: ${JSON.stringify(seen)}`).toBe(202);
      expect(result, `no tools/call result on A's stream: ${JSON.stringify(seen)}`).toBeDefined();
      expect(toolText(result!)).toBe(expected);
    },
  );
});

// Last: it stops and restarts the sessions worker.
describe("the fronts hold no session", () => {
  it("fail session requests while the sessions worker is down, and continue the session once it is back", async () => {
    const sessionId = await openSession(a);
    expect(toolText(await callTool(b, sessionId, "echo", { message: "before" }))).toBe("before");

    const sessionsPid = cluster.sessions.pid;
    await cluster.sessions.stop();
    expect(groupMembers(sessionsPid)).toBe("");

    for (const front of [a, b]) {
      // The fronts themselves are up…
      expect((await fetch(front.url.replace(/\/mcp$/, "/health"))).status).toBe(200);
      // …but cannot serve the session without the process that holds its object.
      const response = await mcpPost(front, request(3, "tools/call", { name: "echo", arguments: { message: "x" } }), {
        sessionId,
      });
      const body = await response.text();
      expect(response.status, body).toBe(500);
      expect(JSON.parse(body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32000, message: "Internal Server Error" } });
    }

    // The same persist dir: the record is in the sessions worker's SQLite storage.
    const restartAt = Date.now();
    await cluster.sessions.restart();
    const upAt = Date.now();
    expect(cluster.sessions.pid).not.toBe(sessionsPid);
    await Promise.all([waitUntilLinked(cluster.frontA), waitUntilLinked(cluster.frontB)]);
    console.log(`sessions worker restarted in ${upAt - restartAt} ms, fronts relinked after ${Date.now() - restartAt} ms`);
    expect(toolText(await callTool(a, sessionId, "echo", { message: "after" }))).toBe("after");
    expect(toolText(await callTool(b, sessionId, "echo", { message: "after B" }))).toBe("after B");
    const final = await readJsonRpcResponse(await mcpPost(b, request(4, "ping"), { sessionId }));
    expect(final.result).toEqual({});
  });
});
