// The creation rate per client address against wrangler dev, which simulates the demo's
// `[[ratelimits]]` binding (30 new sessions per address and minute) offline (issue 20).
import { describe, expect, it } from "vitest";
import { expectJsonRpcError } from "../shared/expect.js";
import { initializeBody, mcpPost } from "../shared/mcp.js";
import { useDevServer } from "./helpers/dev-server.js";

const dev = useDevServer();
const RATE_LIMIT = 30;

/** The simulated binding counts in windows aligned to the clock: start in a fresh one when this one ends soon. */
async function withinOneWindow(needMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

const initialize = (headers: Record<string, string> = {}, id: string | number = 1) =>
  mcpPost(dev.endpoint, initializeBody(id), { headers });

describe("the creation rate per client address, under wrangler dev", () => {
  it(`answers the ${RATE_LIMIT + 1}th initialize from one address within a minute with 429 and Retry-After`, async () => {
    await withinOneWindow();
    const address = { "cf-connecting-ip": `203.0.113.${Math.floor(Math.random() * 254) + 1}` };
    for (let index = 0; index < RATE_LIMIT; index++) {
      const response = await initialize(address);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const refused = await initialize(address, "over");
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.headers.get("mcp-session-id")).toBeNull();
    await expectJsonRpcError(refused, 429, { code: -32000, id: "over", mentioning: "this client address started more sessions" });
  });

  it("does not count this machine's own clients (loopback)", async () => {
    for (let index = 0; index <= RATE_LIMIT; index++) {
      const response = await initialize();
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });
});
