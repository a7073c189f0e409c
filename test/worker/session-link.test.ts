// A POST's link to its session object, against the real SessionDO: its inbox closes with the
// link, and a session that is gone is no failure to log.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_SESSION_BINDING, sessionStub } from "../../src/sessions/rpc.js";
import { SessionLink } from "../../src/sessions/worker/session-link.js";
import { mcpRequest, openSession } from "../shared/mcp.js";
import { worker } from "./helpers.js";

/** How long the session object waits for the client's answer to a registered request: short, so that it writes soon. */
const ANSWER_TIMEOUT_MS = 100;
/** Well past ANSWER_TIMEOUT_MS: by then the object wrote the timeout to the inbox. */
const LISTEN_MS = 5 * ANSWER_TIMEOUT_MS;

afterEach(() => vi.restoreAllMocks());

async function linkToNewSession(): Promise<{ sessionId: string; link: SessionLink }> {
  const sessionId = await openSession(worker);
  const stub = sessionStub(env, { binding: DEFAULT_SESSION_BINDING, jurisdiction: undefined }, sessionId);
  return { sessionId, link: new SessionLink(stub, ANSWER_TIMEOUT_MS, ["served"]) };
}

describe("SessionLink", () => {
  it("hears nothing more once closed, and logs no failure for it", async () => {
    const { link } = await linkToNewSession();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const heard: JSONRPCMessage[] = [];
    link.connect((message) => void heard.push(message));
    await link.expect("asked", "elicitation/create");
    link.close();
    // After ANSWER_TIMEOUT_MS the object writes the timeout of "asked" to the inbox: a closed link must not hear it.
    await new Promise((resolve) => setTimeout(resolve, LISTEN_MS));
    expect(heard).toEqual([]);
    expect(logged).not.toHaveBeenCalled();
  });

  it("logs nothing when the session is gone before the POST runs long", async () => {
    const { sessionId, link } = await linkToNewSession();
    expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    link.runsLong();
    await expect(link.expect("asked", "ping")).rejects.toThrow("the session no longer exists");
    link.close();
    expect(logged).not.toHaveBeenCalled();
  });
});
