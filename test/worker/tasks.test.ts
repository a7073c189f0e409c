// Durable tasks on 2026-07-28 (the io.modelcontextprotocol/tasks extension, SEP-2663) in workerd:
// the demo's tools marked as tasks run in their own TaskDO, found by id from any request, owned by
// the principal that started them, expiring with their record, and ending defined when their run
// is cut off.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEMO_TASK_TOOLS } from "../../demo/report.js";
import { createDemoServer } from "../../demo/server.js";
import { bearerTokens, createMcpHandler } from "../../src/lib.js";
import { MAX_TASK_SUBSCRIPTIONS } from "../../src/listen/filter.js";
import { MAX_TASK_ID_LENGTH, type TaskRpc } from "../../src/tasks/client.js";
import {
  MAX_TASK_ATTEMPTS,
  MAX_TASK_RESULT_BYTES,
  MAX_TASK_RUN_MS,
  MAX_TASK_TTL_MS,
  MAX_TASK_WAIT_MS,
} from "../../src/tasks/options.js";
import { ANONYMOUS_PRINCIPAL_ID } from "../../src/security/auth.js";
import { withBearer, type Endpoint } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { sseCursor } from "../shared/sse.js";
import { worker, workerWith } from "./helpers.js";

const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} } };
const WITH_ELICITATION = { ...TASKS, elicitation: { form: {} } };

type Task = Record<string, unknown> & { taskId: string; status: string };

async function answer(
  response: Response,
): Promise<{ result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  return (await response.json()) as never;
}

async function startTask(endpoint: Endpoint, name: string, args: Record<string, unknown>, capabilities = TASKS): Promise<Task> {
  const response = await modernRequest(endpoint, 1, "tools/call", { name, arguments: args }, { capabilities });
  expect(response.status).toBe(200);
  const { result, error } = await answer(response);
  expect(error).toBeUndefined();
  expect(result).toMatchObject({ resultType: "task", status: "working" });
  return result as Task;
}

async function getTask(endpoint: Endpoint, taskId: string): Promise<Task> {
  const { result, error } = await answer(await modernRequest(endpoint, 2, "tasks/get", { taskId }, { capabilities: TASKS }));
  expect(error).toBeUndefined();
  return result as Task;
}

/** Polls tasks/get until `done` holds, as a client would. */
async function waitFor(endpoint: Endpoint, taskId: string, done: (task: Task) => boolean, timeoutMs = 10_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await getTask(endpoint, taskId);
    if (done(task)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} is still ${JSON.stringify(task)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ended = (task: Task) => ["completed", "failed", "cancelled"].includes(task.status);

function taskObject(taskId: string): DurableObjectStub {
  return env.MCP_TASKS.get(env.MCP_TASKS.idFromName(taskId));
}

describe("a tool marked as a task", () => {
  it("is advertised in server/discover under capabilities.extensions", async () => {
    const { result } = await answer(await modernRequest(worker, 1, "server/discover"));
    expect(result?.["capabilities"]).toMatchObject({ extensions: { "io.modelcontextprotocol/tasks": {} } });
    expect(result?.["capabilities"]).not.toHaveProperty("tasks");
  });

  it("answers a task at once that tasks/get finds on the next request, then its result with the last progress", async () => {
    const created = await startTask(worker, "slow_task", { steps: 3, delayMs: 400 });
    expect(created).not.toHaveProperty("result");
    expect(await getTask(worker, created.taskId)).toMatchObject({ taskId: created.taskId, resultType: "complete" });
    const done = await waitFor(worker, created.taskId, ended);
    expect(done).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: "completed 3 steps" }] },
      statusMessage: "step 3 of 3",
    });
  });

  it("runs as an ordinary call for a client that does not negotiate tasks", async () => {
    const response = await modernRequest(worker, 1, "tools/call", { name: "slow_task", arguments: { steps: 1, delayMs: 0 } });
    const { result } = await answer(response);
    expect(result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "completed 1 steps" }] });
  });

  it("waits for input when its handler asks, and goes on with the answer tasks/update brings", async () => {
    const { taskId } = await startTask(worker, "confirm_action", { action: "deploy" }, WITH_ELICITATION);
    const waiting = await waitFor(worker, taskId, (task) => task.status === "input_required");
    const [key, question] = Object.entries(waiting["inputRequests"] as Record<string, { method: string }>)[0]!;
    expect(question.method).toBe("elicitation/create");

    // An answer of the wrong shape, or to a question never asked, changes nothing.
    const wrong = { taskId, inputResponses: { [key]: { confirm: true }, other: { action: "accept" } } };
    const ack = await answer(await modernRequest(worker, 3, "tasks/update", wrong, { capabilities: TASKS }));
    expect(ack.result).toMatchObject({ resultType: "complete" });
    expect(ack.result).not.toHaveProperty("status");
    expect((await getTask(worker, taskId)).status).toBe("input_required");

    const right = { taskId, inputResponses: { [key]: { action: "accept", content: { confirm: true } } } };
    await modernRequest(worker, 4, "tasks/update", right, { capabilities: TASKS });
    expect(await waitFor(worker, taskId, ended)).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: "confirmed" }] },
    });
  });

  it("is cancelled by tasks/cancel, and stays cancelled", async () => {
    const { taskId } = await startTask(worker, "build_report", { sections: 2, secondsPerSection: 30 });
    const ack = await answer(await modernRequest(worker, 3, "tasks/cancel", { taskId }, { capabilities: TASKS }));
    expect(ack.result).toEqual({ resultType: "complete", _meta: expect.any(Object) });
    expect(await getTask(worker, taskId)).toMatchObject({ status: "cancelled" });
    const again = await answer(await modernRequest(worker, 4, "tasks/cancel", { taskId }, { capabilities: TASKS }));
    expect(again.result).toMatchObject({ resultType: "complete" });
  });

  it("does not exist for another principal: get, update and cancel answer -32602 as for an id never issued", async () => {
    const authed = workerWith(
      { authenticate: bearerTokens({ secret: "TASK_TOKENS" }), tasks: { tools: DEMO_TASK_TOOLS } },
      {
        TASK_TOKENS: "token-alice,token-bob",
      },
    );
    const alice = withBearer(authed, "token-alice");
    const bob = withBearer(authed, "token-bob");
    const { taskId } = await startTask(alice, "build_report", { sections: 1, secondsPerSection: 30 });
    const requests: [string, Record<string, unknown>][] = [
      ["tasks/get", { taskId }],
      ["tasks/update", { taskId, inputResponses: {} }],
      ["tasks/cancel", { taskId }],
    ];
    for (const [method, params] of requests) {
      const { error } = await answer(await modernRequest(bob, 5, method, params, { capabilities: TASKS }));
      expect(error, method).toMatchObject({ code: -32602 });
      expect(error?.message, method).not.toMatch(/forbidden|permission|owner/i);
    }
    expect((await getTask(alice, taskId)).status).toBe("working");
    await modernRequest(alice, 6, "tasks/cancel", { taskId }, { capabilities: TASKS });
  });

  it("expires with its ttl and leaves no storage behind", async () => {
    const brief = workerWith({ tasks: { tools: DEMO_TASK_TOOLS, ttlMs: 300 } });
    const { taskId, ttlMs } = await startTask(brief, "slow_task", { steps: 1, delayMs: 0 });
    expect(ttlMs).toBe(300);
    await waitFor(brief, taskId, ended);
    const deadline = Date.now() + 5000;
    let keys = -1;
    while (keys !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      keys = await runInDurableObject(taskObject(taskId), async (_instance, state) => (await state.storage.list()).size);
    }
    expect(keys).toBe(0);
    const { error } = await answer(await modernRequest(brief, 7, "tasks/get", { taskId }, { capabilities: TASKS }));
    expect(error).toMatchObject({ code: -32602 });
  });

  it("tells a listen stream that names the task each change of its status, to the end", async () => {
    const { taskId } = await startTask(worker, "slow_task", { steps: 2, delayMs: 300 });
    const params = { notifications: { taskIds: [taskId, taskId] } };
    const response = await modernRequest(worker, "listen-tasks", "subscriptions/listen", params, { capabilities: TASKS });
    const stream = sseCursor(response);
    const ack = (await stream.message()) as { params?: { notifications?: unknown } };
    expect(ack.params?.notifications).toEqual({ taskIds: [taskId] });
    const statuses: string[] = [];
    for (;;) {
      const message = (await stream.message()) as { method: string; params: Task };
      expect(message).toMatchObject({ method: "notifications/tasks", params: { taskId } });
      statuses.push(message.params.status);
      if (ended(message.params)) break;
    }
    expect(statuses.at(-1)).toBe("completed");
    await stream.cancel();
  });

  it("refuses tasks/get without the extension (-32021) and an unknown id (-32602); tasks/result and tasks/list do not exist", async () => {
    const bare = await modernRequest(worker, 1, "tasks/get", { taskId: "x" });
    expect(bare.status).toBe(400);
    expect((await answer(bare)).error).toMatchObject({ code: -32021 });
    expect(
      (await answer(await modernRequest(worker, 2, "tasks/get", { taskId: "x" }, { capabilities: TASKS }))).error,
    ).toMatchObject({
      code: -32602,
    });
    for (const method of ["tasks/result", "tasks/list"]) {
      const response = await modernRequest(worker, 3, method, { taskId: "x" }, { capabilities: TASKS });
      expect((await answer(response)).error, method).toMatchObject({ code: -32601 });
    }
  });
});

describe("a task tool that asks first (askFirst)", () => {
  const asking = workerWith({ tasks: { tools: { confirm_action: { support: "required", askFirst: true } } } });
  const call = (id: number, extra: Record<string, unknown> = {}) =>
    modernRequest(
      asking,
      id,
      "tools/call",
      { name: "confirm_action", arguments: { action: "deploy" }, ...extra },
      { capabilities: WITH_ELICITATION },
    );

  it("asks its first question as a multi round-trip request, then becomes a task that has the answer", async () => {
    const first = (await answer(await call(1))).result!;
    expect(first).toMatchObject({ resultType: "input_required", requestState: expect.any(String) });
    expect(first).not.toHaveProperty("taskId");
    const [key, question] = Object.entries(first["inputRequests"] as Record<string, { method: string }>)[0]!;
    expect(question.method).toBe("elicitation/create");

    const inputResponses = { [key]: { action: "accept", content: { confirm: true } } };
    const second = (await answer(await call(2, { inputResponses, requestState: first["requestState"] }))).result!;
    expect(second).toMatchObject({ resultType: "task", status: "working", taskId: expect.any(String) });
    expect(second).not.toHaveProperty("requestState");
    expect(second).not.toHaveProperty("inputRequests");
    const seen: string[] = [];
    const done = await waitFor(asking, second["taskId"] as string, (task) => (seen.push(task.status), ended(task)));
    expect(done).toMatchObject({ status: "completed", result: { content: [{ type: "text", text: "confirmed" }] } });
    // The task's run found the answer the rounds gathered: it never asked again.
    expect(seen).not.toContain("input_required");
  });

  it("stays a multi round-trip request while the round brings no answer to what was asked", async () => {
    const first = (await answer(await call(1))).result!;
    const unanswered = { inputResponses: { other: { action: "accept" } }, requestState: first["requestState"] };
    const second = (await answer(await call(2, unanswered))).result!;
    expect(second).toMatchObject({ resultType: "input_required" });
    expect(second).not.toHaveProperty("taskId");
  });

  it("is refused when the tool's entry is neither a support nor { support, askFirst }", () => {
    const server = () => createDemoServer();
    expect(() => createMcpHandler({ server, tasks: { tools: { echo: { support: "sometimes" } as never } } })).toThrow(
      /"optional", "required" or \{ support, askFirst \}/,
    );
  });
});

describe("the limits of a task", () => {
  it("refuses a tasks option that no task could keep, when the handler is made", () => {
    const server = () => createDemoServer();
    expect(() => createMcpHandler({ server, tasks: { tools: {}, ttlMs: 0 } })).toThrow(/ttlMs must be a positive integer/);
    expect(() => createMcpHandler({ server, tasks: { tools: {}, pollIntervalMs: 0.5 } })).toThrow(/pollIntervalMs/);
    expect(() => createMcpHandler({ server, tasks: { tools: {}, runMs: -1 } })).toThrow(/runMs must be a positive integer/);
    expect(() => createMcpHandler({ server, tasks: { tools: { echo: "always" as never } } })).toThrow(/"optional", "required"/);
  });

  it("keeps a record at most MAX_TASK_TTL_MS, whatever ttlMs the deployment asks", async () => {
    const long = workerWith({ tasks: { tools: DEMO_TASK_TOOLS, ttlMs: 2 * MAX_TASK_TTL_MS } });
    const { taskId, ttlMs } = await startTask(long, "slow_task", { steps: 1, delayMs: 0 });
    expect(ttlMs).toBe(MAX_TASK_TTL_MS);
    await waitFor(long, taskId, ended);
  });

  it("ends a run that takes longer than runMs failed, saying so", async () => {
    const short = workerWith({ tasks: { tools: DEMO_TASK_TOOLS, runMs: 1000 } });
    const { taskId } = await startTask(short, "build_report", { sections: 1, secondsPerSection: 30 });
    const done = await waitFor(short, taskId, ended);
    expect(done).toMatchObject({
      status: "failed",
      error: { message: "The task ran longer than 1 s, the most one run may take" },
    });
  });

  it("runs a tool at most MAX_TASK_RUN_MS, whatever runMs the deployment asks", async () => {
    const long = workerWith({ tasks: { tools: DEMO_TASK_TOOLS, runMs: 2 * MAX_TASK_RUN_MS } });
    const { taskId } = await startTask(long, "build_report", { sections: 1, secondsPerSection: 30 });
    const stored = await runInDurableObject(taskObject(taskId), (_instance, state) =>
      state.storage.get<{ runMs: number }>("task"),
    );
    expect(stored?.runMs).toBe(MAX_TASK_RUN_MS);
    await modernRequest(long, 3, "tasks/cancel", { taskId }, { capabilities: TASKS });
  });

  it(
    "answers one wait for a change (a 2025 tasks/result's) after MAX_TASK_WAIT_MS, however long its caller asks",
    { timeout: 60_000 },
    async () => {
      const { taskId, lastUpdatedAt } = (await startTask(worker, "build_report", {
        sections: 1,
        secondsPerSection: 60,
      })) as Task & {
        lastUpdatedAt: string;
      };
      const stub = taskObject(taskId) as unknown as TaskRpc;
      const started = Date.now();
      const view = await stub.next({ principal: ANONYMOUS_PRINCIPAL_ID }, lastUpdatedAt, 4 * MAX_TASK_WAIT_MS);
      const waited = Date.now() - started;
      expect(view).toMatchObject({ taskId, status: "working", lastUpdatedAt });
      expect(waited).toBeGreaterThanOrEqual(MAX_TASK_WAIT_MS - 100);
      expect(waited).toBeLessThan(2 * MAX_TASK_WAIT_MS);
      await modernRequest(worker, 3, "tasks/cancel", { taskId }, { capabilities: TASKS });
    },
  );

  it("ends failed, with the size, when the tool's result is larger than MAX_TASK_RESULT_BYTES", async () => {
    const echoing = workerWith({ tasks: { tools: { echo: "optional" } } });
    const { taskId } = await startTask(echoing, "echo", { message: "x".repeat(MAX_TASK_RESULT_BYTES + 1) });
    const done = await waitFor(echoing, taskId, ended);
    expect(done).toMatchObject({ status: "failed", error: { code: -32603 } });
    expect((done["error"] as { message: string }).message).toContain(`a task keeps at most ${MAX_TASK_RESULT_BYTES}`);
  });

  it("does not look up an id longer than MAX_TASK_ID_LENGTH: it was never issued", async () => {
    const taskId = "t".repeat(MAX_TASK_ID_LENGTH + 1);
    const { error } = await answer(await modernRequest(worker, 1, "tasks/get", { taskId }, { capabilities: TASKS }));
    expect(error).toMatchObject({ code: -32602 });
  });

  it("refuses a listen stream that names more than MAX_TASK_SUBSCRIPTIONS tasks", async () => {
    const taskIds = Array.from({ length: MAX_TASK_SUBSCRIPTIONS + 1 }, (_, index) => `task-${index}`);
    const response = await modernRequest(
      worker,
      1,
      "subscriptions/listen",
      { notifications: { taskIds } },
      { capabilities: TASKS },
    );
    expect(response.status).toBe(400);
    const { error } = await answer(response);
    expect(error).toMatchObject({ code: -32602 });
    expect(error?.message).toContain(`at most ${MAX_TASK_SUBSCRIPTIONS}`);
  });
});

describe("a task whose run is cut off (the object restarted mid-run)", () => {
  /** Resets the task's object as a restart or a platform limit would: its run is gone from memory. */
  async function cutOff(taskId: string): Promise<void> {
    await runInDurableObject(taskObject(taskId), (_instance, state) => {
      try {
        state.abort("cut off by the test");
      } catch {
        // abort() throws in the caller by design.
      }
    }).catch(() => undefined);
  }

  it("ends failed, saying why, when its tool does not declare itself idempotent", { timeout: 30_000 }, async () => {
    const { taskId } = await startTask(worker, "slow_task", { steps: 50, delayMs: 300 });
    // Its run has begun once it reports progress.
    await waitFor(worker, taskId, (task) => task["statusMessage"] !== undefined);
    await cutOff(taskId);
    const done = await waitFor(worker, taskId, ended, 20_000);
    expect(done).toMatchObject({ status: "failed", error: { code: -32603 } });
    expect((done["error"] as { message: string }).message).toMatch(/slow_task does not declare idempotentHint/);
  });

  it("runs again, to its result, when its tool declares idempotentHint", { timeout: 30_000 }, async () => {
    const { taskId } = await startTask(worker, "build_report", { sections: 3, secondsPerSection: 0.5 });
    await waitFor(worker, taskId, (task) => task["statusMessage"] !== undefined);
    await cutOff(taskId);
    const done = await waitFor(worker, taskId, ended, 20_000);
    expect(done).toMatchObject({ status: "completed", result: { structuredContent: { sections: 3 } } });
    const stored = await runInDurableObject(taskObject(taskId), (_instance, state) =>
      state.storage.get<{ attempts: number }>("task"),
    );
    expect(stored?.attempts).toBe(2);
  });

  it("ends failed after MAX_TASK_ATTEMPTS runs that were all cut off", { timeout: 60_000 }, async () => {
    const { taskId } = await startTask(worker, "build_report", { sections: 30, secondsPerSection: 0.3 });
    const attempts = () =>
      runInDurableObject(
        taskObject(taskId),
        async (_instance, state) => (await state.storage.get<{ attempts: number }>("task"))?.attempts,
      );
    for (let attempt = 1; attempt <= MAX_TASK_ATTEMPTS; attempt++) {
      const deadline = Date.now() + 20_000;
      while ((await attempts()) !== attempt && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await attempts()).toBe(attempt);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await cutOff(taskId);
    }
    const done = await waitFor(worker, taskId, ended, 20_000);
    expect(done).toMatchObject({ status: "failed" });
    expect((done["error"] as { message: string }).message).toContain(`it was cut off ${MAX_TASK_ATTEMPTS} times`);
  });
});
