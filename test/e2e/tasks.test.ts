// Durable tasks across processes (issue 17): the demo's tools run as tasks in TaskDO objects that
// live in the sessions worker, a third `wrangler dev` process, while two stateless fronts take the
// client's requests. A client starts a task on one front, leaves, and finds it, answers its
// questions or cancels it through the other: nothing of a task is in a front.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { connectClient, endpointOf } from "./helpers/mcp-client.js";
import { startCluster, type Cluster } from "./helpers/multi-process.js";
import { stopAllDevServers } from "./helpers/wrangler-dev.js";

const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} } };
const WITH_ELICITATION = { ...TASKS, elicitation: { form: {} } };
/** build_report's defaults: 6 sections of 30 s each. */
const LONG_TASK_MS = 180_000;

type Task = Record<string, unknown> & { taskId: string; status: string; statusMessage?: string };

let cluster: Cluster;
let a: Endpoint;
let b: Endpoint;
let longTask: { taskId: string; startedAt: number };
/** The same 3-minute tool, started by a 2025 session through the SDK v1 client's experimental tasks API. */
let sessionTask: { taskId: string; sessionId: string; startedAt: number };

async function rpc(endpoint: Endpoint, method: string, params: Record<string, unknown>, capabilities = TASKS): Promise<Task> {
  const response = await modernRequest(endpoint, crypto.randomUUID(), method, params, { capabilities });
  const body = (await response.json()) as { result?: Task; error?: unknown };
  expect(body.error, `${method} ${JSON.stringify(params)}`).toBeUndefined();
  return body.result!;
}

const ended = (task: Task) => ["completed", "failed", "cancelled"].includes(task.status);

/** Polls tasks/get on `endpoint` until `done`, collecting every status message seen. */
async function waitFor(endpoint: Endpoint, taskId: string, done: (task: Task) => boolean, timeoutMs: number, everyMs = 100) {
  const messages: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await rpc(endpoint, "tasks/get", { taskId });
    if (task.statusMessage && messages.at(-1) !== task.statusMessage) messages.push(task.statusMessage);
    if (done(task)) return { task, messages };
    if (Date.now() > deadline) throw new Error(`task ${taskId} is still ${JSON.stringify(task)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

beforeAll(async () => {
  cluster = await startCluster();
  a = endpointOf(cluster.frontA.url);
  b = endpointOf(cluster.frontB.url);
  // The long task starts first and runs while the other tests do; the last test collects it.
  const created = await rpc(a, "tools/call", { name: "build_report", arguments: { topic: "e2e" } });
  longTask = { taskId: created.taskId, startedAt: Date.now() };
  // The client lists the tools (the SDK learns build_report's taskSupport), starts the task, and leaves.
  const { client, transport } = await connectClient(cluster.frontA.url);
  await client.listTools();
  for await (const message of client.experimental.tasks.callToolStream({ name: "build_report", arguments: { topic: "e2e" } })) {
    if (message.type !== "taskCreated") throw new Error(`expected taskCreated, got ${JSON.stringify(message)}`);
    sessionTask = { taskId: message.task.taskId, sessionId: transport.sessionId!, startedAt: Date.now() };
    break;
  }
  await client.close();
}, 120_000);

/** An SDK v1 client back in an existing session, through `baseUrl`'s front: no second initialize. */
async function rejoin(baseUrl: string, sessionId: string): Promise<Client> {
  const client = new Client({ name: "e2e-sdk-client", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { sessionId }));
  return client;
}

afterAll(async () => {
  await cluster?.stop();
  await stopAllDevServers();
});

describe("tasks across two fronts and the process that holds their objects", () => {
  it("a task started on one front is found at once on the other", async () => {
    const created = await rpc(a, "tools/call", { name: "slow_task", arguments: { steps: 2, delayMs: 500 } });
    expect(created).toMatchObject({ resultType: "task", status: "working" });
    expect(await rpc(b, "tasks/get", { taskId: created.taskId })).toMatchObject({ taskId: created.taskId });
    const { task } = await waitFor(b, created.taskId, ended, 20_000);
    expect(task).toMatchObject({ status: "completed", result: { content: [{ type: "text", text: "completed 2 steps" }] } });
  });

  it("a question the handler asks is answered through the other front, and the handler goes on", async () => {
    const { taskId } = await rpc(a, "tools/call", { name: "confirm_action", arguments: { action: "ship" } }, WITH_ELICITATION);
    const { task } = await waitFor(b, taskId, (seen) => seen.status === "input_required", 20_000);
    const [key] = Object.keys(task["inputRequests"] as object);
    const ack = await rpc(b, "tasks/update", {
      taskId,
      inputResponses: { [key!]: { action: "accept", content: { confirm: true } } },
    });
    expect(ack).toMatchObject({ resultType: "complete" });
    const done = await waitFor(a, taskId, ended, 20_000);
    expect(done.task).toMatchObject({ status: "completed", result: { content: [{ type: "text", text: "confirmed" }] } });
  });

  it("a task cancelled through the other front mid-way stays cancelled", async () => {
    const { taskId } = await rpc(a, "tools/call", { name: "build_report", arguments: { sections: 3, secondsPerSection: 2 } });
    await waitFor(b, taskId, (seen) => seen.statusMessage !== undefined, 20_000);
    await rpc(b, "tasks/cancel", { taskId });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await rpc(a, "tasks/get", { taskId })).toMatchObject({ status: "cancelled" });
  });

  it(
    "a 3-minute tool with progress, started on one front and left at once, ends with its result on the other",
    { timeout: LONG_TASK_MS + 60_000 },
    async () => {
      const left = LONG_TASK_MS + 40_000 - (Date.now() - longTask.startedAt);
      const { task, messages } = await waitFor(b, longTask.taskId, ended, left, 2000);
      const tookMs = Date.now() - longTask.startedAt;
      console.log(`build_report: ${tookMs} ms to completed; status messages seen: ${messages.join(" | ")}`);
      expect(task).toMatchObject({ status: "completed", result: { structuredContent: { topic: "e2e", sections: 6 } } });
      expect(tookMs).toBeGreaterThanOrEqual(LONG_TASK_MS);
      expect(messages).toEqual(expect.arrayContaining(["section 1 of 6 written", "section 5 of 6 written"]));
    },
  );
});

describe("tasks of a 2025 session, through the SDK v1 client's experimental tasks API", () => {
  it("a question the handler asks reaches the client on the tasks/result stream, and its answer finishes the task", async () => {
    const { client } = await connectClient(cluster.frontB.url, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { confirm: true } }));
    await client.listTools();
    const seen: string[] = [];
    let result: unknown;
    const stream = client.experimental.tasks.callToolStream({ name: "confirm_action", arguments: { action: "ship" } });
    for await (const message of stream) {
      seen.push(message.type === "taskStatus" ? message.task.status : message.type);
      if (message.type === "result") result = message.result;
      if (message.type === "error") throw message.error;
    }
    expect(seen[0]).toBe("taskCreated");
    expect(seen).toContain("input_required");
    expect(result).toMatchObject({ content: [{ type: "text", text: "confirmed" }] });
    await client.close();
  });

  it(
    "a 3-minute tool started on one front and left at once is finished, with its result, on the other",
    { timeout: LONG_TASK_MS + 60_000 },
    async () => {
      const client = await rejoin(cluster.frontB.url, sessionTask.sessionId);
      const tasks = client.experimental.tasks;
      const deadline = sessionTask.startedAt + LONG_TASK_MS + 40_000;
      let task = await tasks.getTask(sessionTask.taskId);
      while (task.status === "working" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        task = await tasks.getTask(sessionTask.taskId);
      }
      const tookMs = Date.now() - sessionTask.startedAt;
      console.log(`build_report on a 2025 session: ${tookMs} ms to ${task.status}`);
      expect(task).toMatchObject({ status: "completed" });
      expect(tookMs).toBeGreaterThanOrEqual(LONG_TASK_MS);
      const result = await tasks.getTaskResult(sessionTask.taskId, CallToolResultSchema);
      expect(result).toMatchObject({ structuredContent: { topic: "e2e", sections: 6 } });
      expect((await tasks.listTasks()).tasks.map(({ taskId }) => taskId)).toContain(sessionTask.taskId);
      await client.close();
    },
  );
});
