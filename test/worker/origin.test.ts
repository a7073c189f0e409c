// DNS-rebinding rules (src/security/origin.ts): which Origin may call which Host, and what the
// allowedHosts patterns match. The requests through the whole Worker are in security.test.ts.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { originAllowed, originGuard, type OriginPolicy } from "../../src/security/origin.js";
import { expectJsonRpcError } from "../shared/expect.js";

describe("originAllowed", () => {
  const policy: OriginPolicy = { allowedHosts: [], allowedOrigins: ["https://app.example.org"] };

  it.each([
    ["https://mcp.example.com", "mcp.example.com"],
    ["http://localhost:8787", "localhost:8787"],
  ])("allows the endpoint's own origin %s on %s", (origin, host) => {
    expect(originAllowed(policy, origin, host)).toBe(true);
  });

  it("allows a listed origin on any host, and nothing that merely starts like it", () => {
    expect(originAllowed(policy, "https://app.example.org", "mcp.example.com")).toBe(true);
    expect(originAllowed(policy, "http://app.example.org", "mcp.example.com")).toBe(false);
    expect(originAllowed(policy, "https://app.example.org.evil.net", "mcp.example.com")).toBe(false);
  });

  it.each([
    ["http://localhost:5173", "127.0.0.1:8787"],
    ["http://127.0.0.1:3000", "localhost:8787"],
    ["http://[::1]:3000", "localhost"],
  ])("allows the local page %s on the local server %s", (origin, host) => {
    expect(originAllowed(policy, origin, host)).toBe(true);
  });

  it.each([
    ["a local page on a remote host", "http://localhost:5173", "mcp.example.com"],
    ["a remote page on a local server", "https://evil.example.com", "localhost:8787"],
    ["its own host on another port", "https://mcp.example.com:8443", "mcp.example.com"],
    ["another subdomain", "https://evil.example.com", "mcp.example.com"],
  ])("refuses %s", (_, origin, host) => {
    expect(originAllowed(policy, origin, host)).toBe(false);
  });

  it.each(["null", "", "not a url", "localhost:8787"])("refuses the malformed origin %j", (origin) => {
    expect(originAllowed(policy, origin, "localhost:8787")).toBe(false);
  });
});

describe("allowedHosts patterns", () => {
  /** The status a request to `host` gets behind the guard with `allowedHosts`. */
  async function statusFor(allowedHosts: string[], host: string): Promise<number> {
    const app = new Hono().use(originGuard({ allowedHosts, allowedOrigins: [] })).all("*", (c) => c.text("served"));
    const response = await app.fetch(new Request("http://placeholder/mcp", { headers: { host } }));
    if (response.status === 403) await expectJsonRpcError(response, 403, { code: -32000, mentioning: `host "${host}"` });
    return response.status;
  }

  it.each(["api.example.com", "a.b.example.com", "api.example.com:8443"])('"*.example.com" matches %s', async (host) => {
    expect(await statusFor(["*.example.com"], host)).toBe(200);
  });

  it.each(["example.com", "evilexample.com", "example.com.evil.net", "api.example.org"])(
    '"*.example.com" does not match %s',
    async (host) => {
      expect(await statusFor(["*.example.com"], host)).toBe(403);
    },
  );

  it("matches a plain name exactly, whatever the port or letter case", async () => {
    expect(await statusFor(["mcp.example.com"], "mcp.example.com:8443")).toBe(200);
    expect(await statusFor(["mcp.example.com"], "MCP.Example.COM")).toBe(200);
    expect(await statusFor(["mcp.example.com"], "api.mcp.example.com")).toBe(403);
  });

  it('"*" matches every host', async () => {
    expect(await statusFor(["*"], "anything.test")).toBe(200);
    expect(await statusFor(["*"], "127.0.0.1:1")).toBe(200);
  });
});
