// The limits on creating sessions (issue 20): the creation rate per client address and per
// principal (Workers rate limiting, simulated by the vitest integration with the demo's
// wrangler.toml binding: 30 per 60 s), and the live sessions per principal (SessionQuotaDO).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { clientAddressKey } from "../../src/security/client-address.js";
import { bearerTokens } from "../../src/lib.js";
import { expectJsonRpcError } from "../shared/expect.js";
import { initializeBody, mcpPost, mcpRequest, withBearer, type Endpoint } from "../shared/mcp.js";
import { storedState, worker, workerWith } from "./helpers.js";

/** Enough for a window's wait and RATE_LIMIT + 1 initialize calls. */
const RATE_TEST = { timeout: 30_000 };
/** The demo's `[[ratelimits]]` limit. */
const RATE_LIMIT = 30;
const TOO_MANY = -32000;

/** An address in one of the documentation ranges, new for each test, so that its counts start at 0. */
const someAddress = (range: "203.0.113" | "198.51.100" | "192.0.2") => `${range}.${Math.floor(Math.random() * 254) + 1}`;

/**
 * Waits for a fresh minute when the current one ends within `needMs`: the simulated binding
 * counts in windows aligned to the clock, and a test straddling two would see two budgets.
 */
async function withinOneWindow(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

function initialize(endpoint: Endpoint, address?: string, id: string | number = 1): Promise<Response> {
  return mcpPost(endpoint, initializeBody(id), { headers: address ? { "cf-connecting-ip": address } : {} });
}

async function created(response: Response): Promise<string> {
  expect(response.status, await response.clone().text()).toBe(200);
  const sessionId = response.headers.get("mcp-session-id");
  expect(sessionId).toBeTruthy();
  return sessionId!;
}

function withToken(options: Parameters<typeof workerWith>[0], token = crypto.randomUUID()): Endpoint {
  return withBearer(
    workerWith({ authenticate: bearerTokens({ secret: "MCP_TOKENS" }), ...options }, { MCP_TOKENS: token }),
    token,
  );
}

describe("the creation rate per client address", () => {
  it(
    `refuses the ${RATE_LIMIT + 1}th initialize within a minute with 429, Retry-After and no session; other addresses go on`,
    RATE_TEST,
    async () => {
      await withinOneWindow();
      const address = someAddress("203.0.113");
      for (let index = 0; index < RATE_LIMIT; index++) await created(await initialize(worker, address));
      const refused = await initialize(worker, address, "over");
      expect(refused.headers.get("retry-after")).toBe("60");
      expect(refused.headers.get("mcp-session-id")).toBeNull();
      await expectJsonRpcError(refused, 429, {
        code: TOO_MANY,
        id: "over",
        mentioning: "this client address started more sessions than this server allows within 60 s; retry after 60 s",
      });
      await created(await initialize(worker, someAddress("192.0.2")));
    },
  );

  it("counts an IPv6 client by its /64", RATE_TEST, async () => {
    await withinOneWindow();
    const block = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let index = 0; index < RATE_LIMIT; index++) await created(await initialize(worker, `${block}::${index.toString(16)}`));
    expect((await initialize(worker, `${block}:ffff::1`)).status).toBe(429);
  });

  it("does not count loopback clients (wrangler dev on this machine)", async () => {
    for (let index = 0; index <= RATE_LIMIT; index++) await created(await initialize(worker, "127.0.0.1"));
  });
});

describe("the creation rate per principal", () => {
  it("refuses a token holder over it with 429, whatever its address", RATE_TEST, async () => {
    await withinOneWindow();
    const limited = withToken({
      sessionLimits: { creationRatePerPrincipal: { binding: "MCP_SESSION_RATE_ADDRESS", periodSeconds: 60 } },
    });
    for (let index = 0; index < RATE_LIMIT; index++) await created(await initialize(limited));
    const refused = await initialize(limited, undefined, 7);
    expect(refused.headers.get("retry-after")).toBe("60");
    await expectJsonRpcError(refused, 429, { code: TOO_MANY, id: 7, mentioning: "this principal started more sessions" });
  });
});

describe("the live sessions per principal", () => {
  it("refuse a token holder's 4th of 3 with 429 until it deletes one", async () => {
    const capped = withToken({ sessionLimits: { maxSessionsPerPrincipal: 3 } });
    const sessions = [];
    for (let index = 0; index < 3; index++) sessions.push(await created(await initialize(capped)));
    const refused = await initialize(capped, undefined, "fourth");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(7000);
    const error = await expectJsonRpcError(refused, 429, { code: TOO_MANY, id: "fourth" });
    expect(error.message).toMatch(
      /^Too Many Requests: at most 3 live sessions per principal; end one with DELETE, or retry after \d+ s/,
    );

    expect((await mcpRequest(capped, "DELETE", { sessionId: sessions[0] })).status).toBe(200);
    await created(await initialize(capped));
  });

  it("count the anonymous principal per client address", async () => {
    const capped = workerWith({ sessionLimits: { maxSessionsPerPrincipal: 2 } });
    const [first, second] = [someAddress("198.51.100"), someAddress("192.0.2")];
    for (let index = 0; index < 2; index++) await created(await initialize(capped, first));
    await expectJsonRpcError(await initialize(capped, first), 429, {
      id: 1,
      mentioning: "at most 2 live sessions per client address",
    });
    await created(await initialize(capped, second));
  });

  it("free the slot of a session that expired, and of an initialize that failed", async () => {
    const capped = withToken({ sessionLimits: { maxSessionsPerPrincipal: 1 }, session: { idleTimeoutMs: 300 } });
    const invalid = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 5, capabilities: {} } };
    expect((await mcpPost(capped, invalid)).headers.get("mcp-session-id")).toBeNull();
    const sessionId = await created(await initialize(capped));
    expect((await initialize(capped)).status).toBe(429);

    // The session's alarm ends it after 300 ms idle, and gives its slot back.
    await vi.waitFor(async () => expect((await storedState(sessionId)).tables).toEqual([]), { timeout: 3000, interval: 50 });
    await created(await initialize(capped));
  });

  it("keep no storage in the quota object once its leases ended", async () => {
    const key = `address:${crypto.randomUUID()}`;
    const quota = env.MCP_QUOTA.get(env.MCP_QUOTA.idFromName(key));
    expect(await quota.claim("a", 5, Date.now() + 50)).toEqual({ claimed: true });
    expect(await quota.claim("b", 5, Date.now() + 100)).toEqual({ claimed: true });
    await quota.release("a");
    // Its alarm, at the last lease's end, deletes everything.
    const tables = () =>
      runInDurableObject(quota, (_instance, state) =>
        state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'leases'`).toArray(),
      );
    expect(await tables()).toHaveLength(1);
    await vi.waitFor(async () => expect(await tables()).toEqual([]), { timeout: 3000, interval: 50 });
  });

  it("renew a used session's lease when its expiry moves", async () => {
    const key = `principal:${crypto.randomUUID()}`;
    const quota = env.MCP_QUOTA.get(env.MCP_QUOTA.idFromName(key));
    expect(await quota.claim("s", 1, Date.now() + 50)).toEqual({ claimed: true });
    await quota.renew("s", Date.now() + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await quota.claim("t", 1, Date.now() + 50)).toMatchObject({ claimed: false });
  });
});

describe("clientAddressKey", () => {
  const key = (address?: string) =>
    clientAddressKey(new Request("http://localhost/", { headers: address ? { "cf-connecting-ip": address } : {} }));

  it("keys IPv4 by address and IPv6 by its /64", () => {
    expect(key("203.0.113.9")).toBe("203.0.113.9");
    expect(key("2001:db8:0:1:aaaa::1")).toBe("2001:db8:0:1::/64");
    expect(key("2001:0DB8:0000:0001:bbbb:0:0:2")).toBe("2001:db8:0:1::/64");
    expect(key("2001:db8::1")).toBe("2001:db8:0:0::/64");
  });

  it("counts nothing without an address, for loopback, or for what is no address", () => {
    for (const address of [undefined, "127.0.0.1", "::1", "::ffff:127.0.0.1", "1::2::3"]) expect(key(address)).toBeUndefined();
  });
});
