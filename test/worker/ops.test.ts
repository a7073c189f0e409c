// The demo's operator routes (demo/ops.ts), in workerd: session ids only in bodies, the Host
// check, the body limit, server notifications only, and no word of the secret without it.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createOpsApp, MAX_OPS_BODY_BYTES } from "../../demo/ops.js";
import { openSession, openStream } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { worker } from "./helpers.js";

const SECRET = "workerd-ops-secret";
const app = createOpsApp();

function ops(path: string, body: unknown, options: { host?: string; vars?: Record<string, string> } = {}): Promise<Response> {
  const request = new Request(`http://${options.host ?? "localhost"}/ops${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return Promise.resolve(app.fetch(request, { ...env, OPS_SECRET: SECRET, ...options.vars }, createExecutionContext()));
}

const message = (data: string) => ({ method: "notifications/message", params: { level: "info", data } });

describe("the operator routes", () => {
  it("take the session id in the body: notify reaches its stream, stats reads its counters", async () => {
    const sessionId = await openSession(worker);
    const stream = sseCursor(await openStream(worker, sessionId));
    await stream.event();
    expect((await ops("/sessions/notify", { session: sessionId, notification: message("hello") })).status).toBe(202);
    expect(await stream.message()).toMatchObject({ method: "notifications/message", params: { data: "hello" } });
    await stream.cancel();
    expect(await (await ops("/sessions/stats", { session: sessionId })).json()).toMatchObject({ loggedEvents: 1 });
    expect((await ops("/sessions/stats", { session: crypto.randomUUID() })).status).toBe(404);
  });

  it("refuse a notification a server does not send", async () => {
    const sessionId = await openSession(worker);
    const response = await ops("/sessions/notify", { session: sessionId, notification: { method: "notifications/anything" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/server notification/) });
  });

  it("refuse a Host that is not the deployment's", async () => {
    expect((await ops("/resources/updated", { uri: "demo://clock" }, { host: "attacker.example" })).status).toBe(403);
  });

  it(`refuse a body over ${MAX_OPS_BODY_BYTES} bytes with 413`, async () => {
    const response = await ops("/resources/updated", { uri: "x".repeat(MAX_OPS_BODY_BYTES) });
    expect(response.status).toBe(413);
  });

  it("do not exist without OPS_SECRET, and say nothing of it", async () => {
    const response = await ops("/resources/updated", { uri: "demo://clock" }, { vars: { OPS_SECRET: "" } });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/OPS_SECRET|secret/i);
  });
});
