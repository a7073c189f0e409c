// A POST's link to its session object, against the real SessionDO.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_SESSION_BINDING, sessionStub } from "../../src/sessions/rpc.js";
import { SessionLink } from "../../src/sessions/worker/session-link.js";
import { openSession } from "../shared/mcp.js";
import { worker } from "./helpers.js";

/** How long the session object waits for the client's answer to a registered request: short, so that it writes soon. */
const ANSWER_TIMEOUT_MS = 100;
/** Well past ANSWER_TIMEOUT_MS: by then the object wrote the timeout to the inbox. */
const LISTEN_MS = 5 * ANSWER_TIMEOUT_MS;

async function linkToNewSession(): Promise<{ sessionId: string; link: SessionLink }> {
  const sessionId = await openSession(worker);
  const stub = sessionStub(env, DEFAULT_SESSION_BINDING, sessionId);
  return { sessionId, link: new SessionLink(stub, ANSWER_TIMEOUT_MS, ["served"]) };
}

describe("SessionLink", () => {
  it("hears nothing more once closed", async () => {
    const { link } = await linkToNewSession();
    const heard: JSONRPCMessage[] = [];
    link.connect((message) => void heard.push(message));
    await link.expect("asked", "elicitation/create");
    link.close();
    // After ANSWER_TIMEOUT_MS the object writes the timeout of "asked" to the inbox: a closed link must not hear it.
    await new Promise((resolve) => setTimeout(resolve, LISTEN_MS));
    expect(heard).toEqual([]);
  });
});
