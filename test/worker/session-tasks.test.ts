// Durable tasks on a 2025-11-25 session (SEP-1686): the demo's task tools, called with params.task,
// run in their own TaskDO; tasks/get, tasks/list, tasks/cancel and tasks/result reach it from the
// session that started the task, and from no other.
import { runInDurableObject, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_SESSION_TASKS, SessionStorage } from "../../src/sessions/object/storage.js";
import { TASKS_PAGE_SIZE } from "../../src/sessions/worker/task-layer.js";
import {
  mcpPost,
  mcpRequest,
  openSession,
  openStream,
  readJsonRpcResponse,
  request,
  type AnyMessage,
  type JsonRpcAnswer,
} from "../shared/mcp.js";
import { sseCursor } from "../shared/sse.js";
import { sessionObject, worker } from "./helpers.js";

type Task = { taskId: string; status: string; ttl: number; pollInterval: number; statusMessage?: string };

async function post(sessionId: string, method: string, params?: Record<string, unknown>): Promise<JsonRpcAnswer> {
  return readJsonRpcResponse(await mcpPost(worker, request(crypto.randomUUID(), method, params), { sessionId }), 20_000);
}

async function startTask(sessionId: string, name: string, args: Record<string, unknown>, task = {}): Promise<Task> {
  const { result, error } = await post(sessionId, "tools/call", { name, arguments: args, task });
  expect(error).toBeUndefined();
  return (result as { task: Task }).task;
}

async function getTask(sessionId: string, taskId: string): Promise<Task> {
  const { result, error } = await post(sessionId, "tasks/get", { taskId });
  expect(error).toBeUndefined();
  return result as Task;
}

describe("a 2025 session of a deployment that runs tasks", () => {
  it("is told of tasks in the initialize result, and of each task tool's taskSupport in tools/list", async () => {
    const initialized = await readJsonRpcResponse(
      await mcpPost(
        worker,
        request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } }),
      ),
    );
    expect(initialized.result?.["capabilities"]).toMatchObject({
      tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
    });
    const sessionId = await openSession(worker);
    const { result } = await post(sessionId, "tools/list");
    const tools = (result?.["tools"] ?? []) as { name: string; execution?: { taskSupport?: string } }[];
    expect(tools.find((tool) => tool.name === "slow_task")?.execution).toEqual({ taskSupport: "optional" });
    expect(tools.find((tool) => tool.name === "echo")?.execution?.taskSupport).not.toBe("optional");
  });

  it("answers a task-augmented call at once; tasks/result blocks until the end and answers the tool's result", async () => {
    const sessionId = await openSession(worker);
    const created = await startTask(sessionId, "slow_task", { steps: 3, delayMs: 300 }, { ttl: 120_000 });
    expect(created).toMatchObject({ status: "working", ttl: 120_000, pollInterval: 1000 });
    expect(await getTask(sessionId, created.taskId)).toMatchObject({ taskId: created.taskId });

    const { result } = await post(sessionId, "tasks/result", { taskId: created.taskId });
    expect(result).toMatchObject({
      content: [{ type: "text", text: "completed 3 steps" }],
      _meta: { "io.modelcontextprotocol/related-task": { taskId: created.taskId } },
    });
    expect(await getTask(sessionId, created.taskId)).toMatchObject({ status: "completed", statusMessage: "step 3 of 3" });

    const listed = await post(sessionId, "tasks/list");
    expect(listed.result?.["tasks"]).toEqual([expect.objectContaining({ taskId: created.taskId, status: "completed" })]);
    expect(listed.result).not.toHaveProperty("nextCursor");
  });

  it("tells the session's standalone stream of each status change", async () => {
    const sessionId = await openSession(worker);
    const stream = sseCursor(await openStream(worker, sessionId));
    const { taskId } = await startTask(sessionId, "slow_task", { steps: 1, delayMs: 0 });
    let status: AnyMessage | undefined;
    while (status?.params?.["status"] !== "completed") status = await stream.message<AnyMessage>();
    expect(status).toMatchObject({ method: "notifications/tasks/status", params: { taskId, status: "completed" } });
    await stream.cancel();
  });

  /** A confirm_action task of a new session, its tasks/result `resultId`'s stream, and the question that came on it. */
  async function questionOnResultStream(resultId: string) {
    const sessionId = await openSession(worker, { elicitation: { form: {} } });
    const { taskId } = await startTask(sessionId, "confirm_action", { action: "deploy" });
    const stream = sseCursor(await mcpPost(worker, request(resultId, "tasks/result", { taskId }), { sessionId }));
    let question = await stream.message<AnyMessage>();
    while (question.method !== "elicitation/create") question = await stream.message<AnyMessage>();
    const final = async () => {
      let answer = await stream.message<AnyMessage>();
      while (answer.id !== resultId) answer = await stream.message<AnyMessage>();
      return answer;
    };
    return { sessionId, taskId, question, final };
  }

  it("asks the handler's question on the tasks/result stream, marked with the task, and goes on with the answer", async () => {
    const { sessionId, taskId, question, final } = await questionOnResultStream("result-1");
    expect(question.params?.["_meta"]).toEqual({ "io.modelcontextprotocol/related-task": { taskId } });

    // The answer is a POST of its own, as the SDK client sends it; the broker routes it to the waiting request.
    const answered = await mcpPost(
      worker,
      { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: true } } },
      { sessionId },
    );
    expect(answered.status).toBe(202);
    expect((await final()).result).toMatchObject({ content: [{ type: "text", text: "confirmed" }] });
  });

  it("fails the handler's question with the client's error answer, and the task ends with what the handler made of it", async () => {
    const { sessionId, taskId, question, final } = await questionOnResultStream("result-2");
    const refusal = { jsonrpc: "2.0", id: question.id, error: { code: -32603, message: "the user closed the dialog" } };
    expect((await mcpPost(worker, refusal, { sessionId })).status).toBe(202);
    // The demo's handler lets elicitInput's rejection through: the SDK makes it the tool's error result.
    const { result } = await final();
    expect(result).toMatchObject({ isError: true });
    expect(JSON.stringify(result)).toContain("the user closed the dialog");
    expect(await getTask(sessionId, taskId)).toMatchObject({ status: "failed" });
  });

  it("cancels a running task, and refuses to cancel one that ended with -32602", async () => {
    const sessionId = await openSession(worker);
    const { taskId } = await startTask(sessionId, "build_report", { sections: 2, secondsPerSection: 30 });
    const cancelled = await post(sessionId, "tasks/cancel", { taskId });
    expect(cancelled.result).toMatchObject({ taskId, status: "cancelled" });
    expect((await post(sessionId, "tasks/cancel", { taskId })).error).toMatchObject({ code: -32602 });
    expect((await post(sessionId, "tasks/result", { taskId })).error?.message).toContain("cancelled");
  });

  it("cancels the session's tasks when the client ends the session (DELETE): no one could reach them any more", async () => {
    const sessionId = await openSession(worker);
    const { taskId } = await startTask(sessionId, "build_report", { sections: 2, secondsPerSection: 30 });
    expect((await mcpRequest(worker, "DELETE", { sessionId })).status).toBe(200);
    const task = env.MCP_TASKS.get(env.MCP_TASKS.idFromName(taskId));
    const deadline = Date.now() + 5000;
    let status: string | undefined;
    while (status !== "cancelled" && Date.now() < deadline) {
      status = await runInDurableObject(task, async (_instance, state) => (await state.storage.get<Task>("task"))?.status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe("cancelled");
  });

  it("keeps a task from every other session, even of the same principal", async () => {
    const owner = await openSession(worker);
    const other = await openSession(worker);
    const { taskId } = await startTask(owner, "slow_task", { steps: 1, delayMs: 0 });
    for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
      expect((await post(other, method, { taskId })).error, method).toMatchObject({ code: -32602 });
    }
    expect((await post(other, "tasks/list")).result?.["tasks"]).toEqual([]);
    expect(await getTask(owner, taskId)).toMatchObject({ taskId });
  });

  it("refuses params.task for a tool that does not run as a task, and a bad task hint", async () => {
    const sessionId = await openSession(worker);
    const forbidden = await post(sessionId, "tools/call", { name: "echo", arguments: { text: "x" }, task: {} });
    expect(forbidden.error).toMatchObject({ code: -32601 });
    const bad = await post(sessionId, "tools/call", { name: "slow_task", arguments: {}, task: { ttl: "soon" } });
    expect(bad.error).toMatchObject({ code: -32602 });
    // Without params.task an optional task tool is an ordinary call.
    const plain = await post(sessionId, "tools/call", { name: "slow_task", arguments: { steps: 1, delayMs: 0 } });
    expect(plain.result).toMatchObject({ content: [{ type: "text", text: "completed 1 steps" }] });
  });

  it("pages tasks/list by TASKS_PAGE_SIZE", async () => {
    const sessionId = await openSession(worker);
    const started = await Promise.all(
      Array.from({ length: TASKS_PAGE_SIZE + 1 }, () => startTask(sessionId, "slow_task", { steps: 1, delayMs: 0 })),
    );
    const first = await post(sessionId, "tasks/list");
    expect(first.result?.["tasks"]).toHaveLength(TASKS_PAGE_SIZE);
    const second = await post(sessionId, "tasks/list", { cursor: first.result?.["nextCursor"] });
    const ids = [...(first.result?.["tasks"] as Task[]), ...(second.result?.["tasks"] as Task[])].map((task) => task.taskId);
    expect(new Set(ids)).toEqual(new Set(started.map((task) => task.taskId)));
    expect((await post(sessionId, "tasks/list", { cursor: "nonsense" })).error).toMatchObject({ code: -32602 });
  });

  it("goes on from its cursor after the task that ended the page has expired", async () => {
    const sessionId = await openSession(worker);
    const started: Task[] = [];
    for (let index = 0; index <= TASKS_PAGE_SIZE; index++)
      started.push(await startTask(sessionId, "slow_task", { steps: 1, delayMs: 0 }));
    const first = await post(sessionId, "tasks/list");
    const lastOfPage = (first.result?.["tasks"] as Task[]).at(-1)!.taskId;
    await runInDurableObject(sessionObject(sessionId), (_instance, state) => {
      state.storage.sql.exec(`UPDATE tasks SET expires_at = 0 WHERE task = ?`, lastOfPage);
    });
    const second = await post(sessionId, "tasks/list", { cursor: first.result?.["nextCursor"] });
    expect(second.error).toBeUndefined();
    expect((second.result?.["tasks"] as Task[]).map((task) => task.taskId)).toEqual([started.at(-1)!.taskId]);
  });
});

describe("the session's task list", () => {
  it("takes at most MAX_SESSION_TASKS live tasks, and room comes back as they expire", async () => {
    const stub = env.MCP_SESSION.get(env.MCP_SESSION.newUniqueId());
    await runInDurableObject(stub, (_, state) => {
      const storage = new SessionStorage(state.storage);
      const now = Date.now();
      for (let n = 0; n < MAX_SESSION_TASKS; n++)
        expect(storage.rememberTask(`t${n}`, n === 0 ? now + 10 : now + 60_000, now)).toBe(true);
      expect(storage.rememberTask("one-too-many", now + 60_000, now)).toBe(false);
      expect(storage.rememberTask("after-expiry", now + 60_000, now + 20)).toBe(true);
      expect(storage.tasks(now + 20)).toHaveLength(MAX_SESSION_TASKS);
    });
  });
});
