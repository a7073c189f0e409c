// Push from a third request through the demo's operator routes, against wrangler dev: fan-out
// of resources/updated to subscribed sessions only, and one JSON log line per request.
import { describe, expect, it } from "vitest";
import { mcpPost, mcpRequest, openSession, openStream, readJsonRpcResponse, request } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { useDevServer } from "./helpers/dev-server.js";

const OPS_SECRET = "e2e-ops-secret";
const dev = useDevServer({ vars: { OPS_SECRET }, logLevel: "log" });
const mcp = dev.endpoint;

const ops = (path: string, init: RequestInit = {}, secret = OPS_SECRET) =>
  fetch(`${dev.server.url}/ops${path}`, {
    ...init,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
  });

describe("the operator routes", () => {
  it("refuse a request without the secret", async () => {
    expect((await ops("/resources/updated", { method: "POST", body: "{}" }, "wrong")).status).toBe(401);
  });

  it("fan resources/updated out to both subscribed sessions' GET streams and not to the other", async () => {
    const uri = "demo://greeting";
    const [first, second, other] = await Promise.all([openSession(mcp), openSession(mcp), openSession(mcp)]);
    for (const sessionId of [first!, second!]) {
      await readJsonRpcResponse(await mcpPost(mcp, request(9, "resources/subscribe", { uri }), { sessionId }));
    }
    const streams = await Promise.all([first!, second!, other!].map(async (id) => sseCursor(await openStream(mcp, id))));
    for (const stream of streams) await stream.event();

    const pushed = await ops("/resources/updated", { method: "POST", body: JSON.stringify({ uri }) });
    expect(await pushed.json()).toEqual({ reached: 2 });
    for (const stream of streams.slice(0, 2)) {
      expect(await stream.message()).toEqual({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri } });
    }
    const notification = { method: "notifications/message", params: { level: "info", data: "only you" } };
    const notified = await ops("/sessions/notify", { method: "POST", body: JSON.stringify({ session: other, notification }) });
    expect(notified.status).toBe(202);
    expect(await streams[2]!.message()).toMatchObject({ params: { data: "only you" } });
    await Promise.all(streams.map((stream) => stream.cancel()));

    const stats = await (await ops("/sessions/stats", { method: "POST", body: JSON.stringify({ session: first }) })).json();
    // The update, and the initialize answer too when it took longer than 50 ms and became a stream.
    expect(stats).toMatchObject({ pendingRequests: 0, loggedEvents: expect.toBeOneOf([1, 2]) });
    // wrangler dev logs every request's URL: the ids went in bodies, so no line names them whole.
    for (const sessionId of [first!, other!]) expect(dev.server.output()).not.toContain(sessionId);
  });

  it("log a JSON line for each request that starts or ends a session, with a session prefix and never the whole id", async () => {
    const sessionId = await openSession(mcp);
    await mcpPost(mcp, request(2, "ping"), { sessionId });
    await mcpRequest(mcp, "DELETE", { sessionId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = dev.server
      .output()
      .split("\n")
      .filter((line) => line.trim().startsWith("{"))
      .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>);
    const ended = lines.find((line) => line.method === "DELETE" && line.session === sessionId.slice(0, 8));
    expect(ended).toMatchObject({ path: "/mcp", status: 200 });
    expect(typeof ended!.ms).toBe("number");
    // The default logs no ordinary answer: the ping of this session left no line.
    expect(lines.some((line) => Array.isArray(line.rpc) && (line.rpc as string[]).includes("ping"))).toBe(false);
    expect(dev.server.output()).not.toContain(sessionId);
  });
});
