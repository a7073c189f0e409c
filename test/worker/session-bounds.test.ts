// What one client can make a session store, and what it is refused beyond that: the size of
// clientInfo and capabilities at initialize, and resource subscriptions (src/sessions/record.ts).
import { env, runInDurableObject } from "cloudflare:test";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import {
  MAX_CLIENT_DESCRIPTION_BYTES,
  MAX_SUBSCRIPTION_URI_LENGTH,
  MAX_SUBSCRIPTIONS_PER_SESSION,
} from "../../src/sessions/record.js";
import { initializeBody, mcpPost, openSession, readJsonRpcResponse, request } from "../shared/mcp.js";
import { storedState, worker } from "./helpers.js";

const subscribe = async (sessionId: string, uri: string, method = "resources/subscribe") =>
  readJsonRpcResponse(await mcpPost(worker, request(crypto.randomUUID(), method, { uri }), { sessionId }));

/** The sessions the topic of `uri` holds. */
const topicSessions = (uri: string) =>
  runInDurableObject(env.MCP_TOPICS.get(env.MCP_TOPICS.idFromName(uri)), (instance) => instance.subscribers());

describe("initialize", () => {
  const withClientInfo = (name: string) => {
    const body = initializeBody();
    return { ...body, params: { ...body.params, clientInfo: { name, version: "1" } } };
  };

  it("refuses clientInfo and capabilities too large to store with InvalidParams, and creates no session", async () => {
    const response = await mcpPost(worker, withClientInfo("x".repeat(3_500_000)));
    expect(response.status).toBe(400);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const answer = await readJsonRpcResponse(response);
    expect(answer.id).toBe(1);
    expect(answer.error?.code).toBe(ErrorCode.InvalidParams);
    expect(answer.error?.message).toContain(`at most ${MAX_CLIENT_DESCRIPTION_BYTES}`);
    expect(answer.error?.message).toContain("3500");
  });

  it("takes a client description just within the limit", async () => {
    const overhead = JSON.stringify({ clientInfo: { name: "", version: "1" }, capabilities: {} }).length;
    const response = await mcpPost(worker, withClientInfo("x".repeat(MAX_CLIENT_DESCRIPTION_BYTES - overhead)));
    expect((await readJsonRpcResponse(response)).result).toBeDefined();
    const sessionId = response.headers.get("mcp-session-id")!;
    expect((await storedState(sessionId)).record?.clientInfo.name).toHaveLength(MAX_CLIENT_DESCRIPTION_BYTES - overhead);
  });
});

describe("resource subscriptions", () => {
  it(`are capped at ${MAX_SUBSCRIPTIONS_PER_SESSION} per session with a clear error, and a refused one creates no topic`, async () => {
    const sessionId = await openSession(worker);
    const uris = Array.from({ length: MAX_SUBSCRIPTIONS_PER_SESSION }, (_, index) => `demo://bounded/${sessionId}/${index}`);
    // At once, and one more than the cap: the session object applies them one by one and refuses the last.
    const extra = `demo://bounded/${sessionId}/extra`;
    const answers = await Promise.all([...uris, extra].map((uri) => subscribe(sessionId, uri)));
    expect(answers.filter(({ result }) => result)).toHaveLength(MAX_SUBSCRIPTIONS_PER_SESSION);
    const subscribed = (await storedState(sessionId)).record?.subscriptions ?? [];
    expect(subscribed).toHaveLength(MAX_SUBSCRIPTIONS_PER_SESSION);
    const left = [...uris, extra].find((uri) => !subscribed.includes(uri))!;
    expect(await topicSessions(left)).toEqual([]);

    const refused = await subscribe(sessionId, left);
    expect(refused.error?.code).toBe(ErrorCode.InvalidRequest);
    expect(refused.error?.message).toBe(
      `Invalid Request: This session already holds ${MAX_SUBSCRIPTIONS_PER_SESSION} resource subscriptions, the most one session may (${MAX_SUBSCRIPTIONS_PER_SESSION}): unsubscribe from one first`,
    );

    // Subscribing again to a URI it holds changes nothing; after an unsubscribe there is room.
    const held = subscribed[0]!;
    expect((await subscribe(sessionId, held)).result).toEqual({});
    expect((await subscribe(sessionId, held, "resources/unsubscribe")).result).toEqual({});
    expect((await subscribe(sessionId, left)).result).toEqual({});
    expect(await topicSessions(left)).toEqual([sessionId]);
  }, 30_000);

  it(`refuse a URI longer than ${MAX_SUBSCRIPTION_URI_LENGTH} characters`, async () => {
    const sessionId = await openSession(worker);
    const long = `demo://${"x".repeat(MAX_SUBSCRIPTION_URI_LENGTH)}`;
    const refused = await subscribe(sessionId, long);
    expect(refused.error?.code).toBe(ErrorCode.InvalidRequest);
    expect(refused.error?.message).toContain(`at most ${MAX_SUBSCRIPTION_URI_LENGTH}`);
    expect(await topicSessions(long)).toEqual([]);
    expect((await storedState(sessionId)).record?.subscriptions).toEqual([]);
  });
});
