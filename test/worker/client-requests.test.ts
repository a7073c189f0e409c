// Server→client requests and cancellation routed through the session object, in workerd: the
// answer always arrives as a separate POST, as it would on another isolate.
import { describe, expect, it } from "vitest";
import { mcpPost, mcpRequest, openSession, openStream, request, type Endpoint, type AnyMessage } from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { worker, workerWith } from "./helpers.js";

const asking = { elicitation: { form: {} }, sampling: {}, roots: { listChanged: true } };

/** The messages of a stream, one at a time. */
function messagesOf(response: Response): () => Promise<AnyMessage> {
  const cursor = sseCursor(response);
  return () => cursor.message<AnyMessage>();
}

function callTool(endpoint: Endpoint, sessionId: string, id: number, name: string, args = {}, accept?: string) {
  return mcpPost(endpoint, request(id, "tools/call", { name, arguments: args }), { sessionId, accept });
}

function answer(endpoint: Endpoint, sessionId: string, id: string | number | undefined, result: Record<string, unknown>) {
  return mcpPost(endpoint, { jsonrpc: "2.0", id, result }, { sessionId });
}

describe("a server→client request during a tool call", () => {
  it("goes out on the tool's stream and is resolved by the client's answer in another POST", async () => {
    const sessionId = await openSession(worker, asking);
    const next = messagesOf(await callTool(worker, sessionId, 1, "confirm_action", { action: "deploy" }));
    const question = await next();
    expect(question).toMatchObject({ method: "elicitation/create", params: { mode: "form", message: "Confirm: deploy?" } });
    expect(typeof question.id).toBe("string");

    const answered = await answer(worker, sessionId, question.id, { action: "accept", content: { confirm: true } });
    expect(answered.status).toBe(202);
    expect(await next()).toMatchObject({ id: 1, result: { content: [{ text: "confirmed" }] } });
  });

  it("keeps two concurrent requests of one session apart, whatever order the answers come in", async () => {
    const sessionId = await openSession(worker, asking);
    const first = messagesOf(await callTool(worker, sessionId, 1, "confirm_action", { action: "first" }));
    const second = messagesOf(await callTool(worker, sessionId, 2, "confirm_action", { action: "second" }));
    const [q1, q2] = [await first(), await second()];
    expect(q1.id).not.toEqual(q2.id);

    await answer(worker, sessionId, q2.id, { action: "decline" });
    await answer(worker, sessionId, q1.id, { action: "accept", content: { confirm: true } });
    expect(await second()).toMatchObject({ id: 2, result: { content: [{ text: "declined" }] } });
    expect(await first()).toMatchObject({ id: 1, result: { content: [{ text: "confirmed" }] } });
  });

  it.each([
    [
      "summarize",
      { text: "long text" },
      "sampling/createMessage",
      { role: "assistant", model: "m", content: { type: "text", text: "short" } },
      "short",
    ],
    ["list_roots", {}, "roots/list", { roots: [{ uri: "file:///work" }] }, "file:///work"],
    ["ping_client", {}, "ping", {}, "the client answered ping"],
  ])("%s sends %s and uses the answer", async (tool, args, method, result, expected) => {
    const sessionId = await openSession(worker, asking);
    const next = messagesOf(await callTool(worker, sessionId, 1, tool, args));
    const question = await next();
    expect(question.method).toBe(method);
    await answer(worker, sessionId, question.id, result);
    expect(await next()).toMatchObject({ id: 1, result: { content: [{ text: expected }] } });
  });

  it("goes to the standalone stream when the tool's answer is plain JSON", async () => {
    const sessionId = await openSession(worker, asking);
    const next = messagesOf(await openStream(worker, sessionId));
    const call = callTool(worker, sessionId, 1, "confirm_action", { action: "json" }, "application/json");
    const question = await next();
    expect(question.method).toBe("elicitation/create");
    await answer(worker, sessionId, question.id, { action: "accept", content: { confirm: true } });
    expect(await (await call).json()).toMatchObject({ id: 1, result: { content: [{ text: "confirmed" }] } });
  });

  it("fails every pending wait at once when the session is deleted", async () => {
    const sessionId = await openSession(worker, asking);
    const next = messagesOf(await callTool(worker, sessionId, 1, "confirm_action", { action: "doomed" }));
    await next();
    expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
    const result = await next();
    expect(result).toMatchObject({ id: 1, result: { isError: true } });
    expect(JSON.stringify(result)).toContain("The session was deleted");
  });
});

describe("a server→client request outside any client request", () => {
  it("goes out on the standalone stream and its answer is routed back", async () => {
    const sessionId = await openSession(worker, asking);
    const next = messagesOf(await openStream(worker, sessionId));
    const changed = await mcpPost(worker, { jsonrpc: "2.0", method: "notifications/roots/list_changed" }, { sessionId });
    expect(changed.status).toBe(202);
    const question = await next();
    expect(question.method).toBe("roots/list");
    expect((await answer(worker, sessionId, question.id, { roots: [{ uri: "file:///a" }] })).status).toBe(202);
    expect(await next()).toMatchObject({ method: "notifications/message", params: { data: "roots changed: file:///a" } });
  });
});

describe("cancellation", () => {
  it("sent in another POST aborts the running tool, and no response is sent for it", async () => {
    const sessionId = await openSession(worker);
    const running = await mcpPost(
      worker,
      request(9, "tools/call", { name: "slow_task", arguments: { steps: 50, delayMs: 100 }, _meta: { progressToken: "t" } }),
      { sessionId },
    );
    const next = messagesOf(running);
    expect(await next()).toMatchObject({ method: "notifications/progress", params: { progress: 1 } });
    const cancel = await mcpPost(
      worker,
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 9, reason: "user" } },
      { sessionId },
    );
    expect(cancel.status).toBe(202);
    const rest: AnyMessage[] = [];
    await expect(async () => {
      for (;;) rest.push(await next());
    }).rejects.toThrow("the stream ended");
    expect(rest.every((message) => message.method === "notifications/progress")).toBe(true);
    expect(rest.length).toBeLessThan(10);
  });
});

describe("a pending wait", () => {
  it("times out with a JSON-RPC error after serverRequestTimeoutMs", async () => {
    const quick = workerWith({ serverRequestTimeoutMs: 100 });
    const sessionId = await openSession(quick, asking);
    const next = messagesOf(await callTool(quick, sessionId, 1, "confirm_action", { action: "wait" }));
    expect((await next()).method).toBe("elicitation/create");
    const result = await next();
    expect(result).toMatchObject({ id: 1, result: { isError: true } });
    expect(JSON.stringify(result)).toContain("did not answer elicitation/create within 100 ms");
  });
});
