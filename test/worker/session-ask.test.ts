// SessionDO.ask, the operator's server→client request (createPusher().request), at its bound.
import { env } from "cloudflare:test";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { createPusher } from "../../src/lib.js";
import { MAX_AWAITED_PER_SESSION } from "../../src/sessions/object/answer-router.js";
import { mcpRequest, openSession } from "../shared/mcp.js";
import { worker } from "./helpers.js";

const pusher = createPusher(env);
/** Long enough that no wait of the test ends by its timeout. */
const NEVER_MS = 60_000;

async function pendingRequests(sessionId: string, count: number): Promise<void> {
  while ((await pusher.stats(sessionId))?.pendingRequests !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("asking the client from outside a request", () => {
  it(
    "answers at once with an error, and sends nothing, when MAX_AWAITED_PER_SESSION requests already wait",
    async () => {
      const sessionId = await openSession(worker, { roots: {} });
      const waiting = Array.from({ length: MAX_AWAITED_PER_SESSION }, () =>
        pusher.request(sessionId, { method: "roots/list" }, { timeoutMs: NEVER_MS }),
      );
      await pendingRequests(sessionId, MAX_AWAITED_PER_SESSION);

      const refused = await pusher.request(sessionId, { method: "roots/list" }, { timeoutMs: NEVER_MS });
      expect(refused).toMatchObject({
        jsonrpc: "2.0",
        id: expect.any(String),
        error: { code: ErrorCode.InternalError, message: expect.stringContaining("Too many") },
      });
      expect(await pusher.stats(sessionId)).toMatchObject({
        pendingRequests: MAX_AWAITED_PER_SESSION,
        loggedEvents: MAX_AWAITED_PER_SESSION,
      });

      expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
      for (const answer of await Promise.all(waiting))
        expect(answer).toMatchObject({ error: { code: ErrorCode.ConnectionClosed } });
    },
    // Unfixed, the refused request waits until the session ends: fail fast instead.
    3_000,
  );
});
