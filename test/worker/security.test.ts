// DNS-rebinding protection, authentication, and sessions bound to their principal, in workerd.
import { describe, expect, it } from "vitest";
import { bearerTokens } from "../../src/security/auth.js";
import { callTool, initializeBody, mcpPost, mcpRequest, openSession, openStream, request, withBearer } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { storedState, worker, workerWith } from "./helpers.js";

describe("DNS-rebinding protection", () => {
  it.each([
    [{ host: "evil.example.com" }, "host"],
    [{ origin: "http://evil.example.com" }, "origin"],
    [{ host: "evil.example.com:8787", origin: "http://evil.example.com:8787" }, "host"],
    [{ host: "mine.someone.workers.dev", origin: "https://theirs.other.workers.dev" }, "origin"],
    [{ host: "127.0.0.1:8787", origin: "https://mine.someone.workers.dev" }, "origin"],
  ])("refuses %j with 403 before any session work", async (headers, named) => {
    const response = await mcpPost(worker, initializeBody(), { headers });
    expect(response.status).toBe(403);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining(named) } });
  });

  it.each<Record<string, string>>([
    { host: "localhost:8787", origin: "http://localhost:5173" },
    { host: "127.0.0.1:8787", origin: "http://127.0.0.1:8787" },
    { host: "[::1]:8787" },
    { host: "my-mcp.someone.workers.dev", origin: "https://my-mcp.someone.workers.dev" },
  ])("accepts %j", async (headers) => {
    expect((await mcpPost(worker, initializeBody(), { headers })).status).toBe(200);
  });

  it("accepts the hosts and origins the options add, and only those", async () => {
    const custom = workerWith({ allowedHosts: ["mcp.example.com"], allowedOrigins: ["https://app.example.org"] });
    const ok = { host: "mcp.example.com", origin: "https://app.example.org" };
    const allowed = await mcpPost(custom, initializeBody(), { headers: ok });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.org");
    expect((await mcpPost(custom, initializeBody(), { headers: { host: "localhost" } })).status).toBe(403);
  });

  it("writes CORS headers for a browser's request, with its Origin, and none without one", async () => {
    const browser = await mcpPost(worker, initializeBody(), { headers: { origin: "http://localhost:5173" } });
    expect(browser.status).toBe(200);
    expect(browser.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(browser.headers.get("access-control-expose-headers")).toBe("Mcp-Session-Id");
    expect(browser.headers.get("vary")).toBe("Origin");

    const other = await mcpPost(worker, initializeBody());
    expect(other.status).toBe(200);
    expect(other.headers.get("mcp-session-id")).not.toBeNull();
    for (const name of ["access-control-allow-origin", "access-control-expose-headers", "vary"]) {
      expect(other.headers.get(name)).toBeNull();
    }
  });
});

describe("bearer tokens", () => {
  const secured = workerWith({ authenticate: bearerTokens({ secret: "MCP_TOKENS" }) }, { MCP_TOKENS: "alpha, beta" });
  const as = (token: string) => withBearer(secured, token);

  it("answers 401 with WWW-Authenticate without a token, and with a wrong one", async () => {
    for (const endpoint of [secured, as("gamma")]) {
      const response = await mcpPost(endpoint, initializeBody());
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({
        jsonrpc: "2.0",
        error: { message: expect.stringContaining("Unauthorized") },
      });
    }
  });

  it("lets a valid token in and hands its principal, not the token, to the tools", async () => {
    const sessionId = await openSession(as("beta"));
    const answer = await callTool(as("beta"), sessionId, "whoami");
    const principal = (answer.result as { content: { text: string }[] }).content[0]!.text;
    expect(principal).toMatch(/^bearer:[0-9a-f]{32}$/);
    expect((await storedState(sessionId)).record?.principal).toBe(principal);
    expect(JSON.stringify(await storedState(sessionId))).not.toContain("beta");
  });

  it("binds the session to its principal: another one gets 404 for every use of it", async () => {
    const alice = as("alpha");
    const bob = as("beta");
    const sessionId = await openSession(alice, { elicitation: { form: {} } });
    const asking = sseCursor(
      await mcpPost(alice, request(1, "tools/call", { name: "confirm_action", arguments: { action: "x" } }), { sessionId }),
    );
    const question = await asking.message<{ id: string }>();
    const aliceStream = sseCursor(await openStream(alice, sessionId));
    const priming = await aliceStream.event();
    await aliceStream.cancel();

    expect((await mcpPost(bob, request(2, "tools/list"), { sessionId })).status).toBe(404);
    expect((await openStream(bob, sessionId)).status).toBe(404);
    expect((await openStream(bob, sessionId, { "last-event-id": priming.id! })).status).toBe(404);
    expect((await mcpPost(bob, { jsonrpc: "2.0", id: question.id, result: { action: "decline" } }, { sessionId })).status).toBe(
      404,
    );
    expect((await mcpRequest(bob, "DELETE", { sessionId })).status).toBe(404);

    expect(
      (
        await mcpPost(
          alice,
          { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: true } } },
          { sessionId },
        )
      ).status,
    ).toBe(202);
    expect(await asking.message()).toMatchObject({ id: 1, result: { content: [{ text: "confirmed" }] } });
    expect((await mcpRequest(alice, "DELETE", { sessionId })).status).toBe(200);
  });
});
