// A session outlives the process that served it: wrangler dev is restarted on the same port and
// persist dir, and the client goes on with the same Mcp-Session-Id and resumes its stream; a
// task that was running ends in a defined state.
import { expect, it } from "vitest";
import { formatEventId, parseEventId } from "../../src/wire/event-id.js";
import { callTool, mcpPost, mcpRequest, openSession, openStream, request } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { readAllSseMessages, readSseMessages, sseCursor } from "../shared/sse.js";
import { useDevServer } from "./helpers/dev-server.js";
import { connectClient } from "./helpers/mcp-client.js";

// restart() keeps the server's persist dir (by default a temp dir that stop() removes).
const dev = useDevServer();
const { endpoint } = dev;

it("a session, its log level and its subscriptions survive a restart of wrangler dev", async () => {
  const { client, transport } = await connectClient(dev.server.url);
  const sessionId = transport.sessionId!;
  expect((await client.callTool({ name: "echo", arguments: { message: "before" } })).content).toEqual([
    { type: "text", text: "before" },
  ]);
  await client.setLoggingLevel("error");
  await client.subscribeResource({ uri: "demo://greeting" });
  await client.close();

  const firstPid = dev.server.pid;
  await dev.server.restart();
  expect(dev.server.pid).not.toBe(firstPid);

  const echo = await callTool(endpoint, sessionId, "echo", { message: "after the restart" });
  expect(echo.result).toEqual({ content: [{ type: "text", text: "after the restart" }] });

  // While no GET is open these wait in the session; the stored level drops the "info" one.
  await callTool(endpoint, sessionId, "log", { level: "info", message: "routine detail" });
  await callTool(endpoint, sessionId, "log", { level: "error", message: "something broke" });
  await callTool(endpoint, sessionId, "touch_resource", { uri: "demo://greeting" });
  const stream = await openStream(endpoint, sessionId);
  expect(stream.status).toBe(200);
  expect(await readSseMessages(stream, 2)).toEqual([
    {
      jsonrpc: "2.0",
      method: "notifications/message",
      params: { level: "error", logger: "demo", data: "something broke" },
    },
    { jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "demo://greeting" } },
  ]);

  const deleted = await mcpRequest(endpoint, "DELETE", { sessionId });
  expect(deleted.status).toBe(200);
  const afterDelete = await mcpPost(endpoint, request(9, "tools/call", { name: "echo", arguments: { message: "gone?" } }), {
    sessionId,
  });
  expect(afterDelete.status).toBe(404);
  expect((await mcpRequest(endpoint, "DELETE", { sessionId })).status).toBe(404);
});

it("replays the standalone stream after Last-Event-ID across a restart of wrangler dev", async () => {
  const sessionId = await openSession(endpoint);
  const stream = sseCursor(await openStream(endpoint, sessionId));
  const priming = await stream.event();
  await stream.cancel();
  for (const message of ["one", "two"]) await callTool(endpoint, sessionId, "log", { message });
  await dev.server.restart();

  const replay = sseCursor(await openStream(endpoint, sessionId, { "last-event-id": priming.id! }));
  expect(await replay.message()).toMatchObject({ method: "notifications/message", params: { data: "one" } });
  expect(await replay.message()).toMatchObject({ method: "notifications/message", params: { data: "two" } });
  await replay.cancel();
});

it("a stream open at a restart of wrangler dev ends, and a resume with Last-Event-ID gets what came after", async () => {
  const sessionId = await openSession(endpoint);
  const stream = sseCursor(await openStream(endpoint, sessionId));
  await stream.event();
  await callTool(endpoint, sessionId, "log", { message: "before" });
  const before = await stream.event();
  await dev.server.restart();
  // The Worker and the object went with the process: the client learns it from its stream.
  await expect(stream.event()).rejects.toThrow();

  await callTool(endpoint, sessionId, "log", { message: "after the restart" });
  const resumed = sseCursor(await openStream(endpoint, sessionId, { "last-event-id": before.id! }));
  await resumed.event(); // the priming event
  const replayed = await resumed.event();
  expect(JSON.parse(replayed.data)).toMatchObject({ params: { data: "after the restart" } });
  const { stream: streamId, position } = parseEventId(before.id!)!;
  expect(replayed.id).toBe(formatEventId(streamId, position + 1));
  await resumed.cancel();
});

it("a call in flight at a restart ends with an error on its resumed stream; a late answer to its question gets 400", async () => {
  const sessionId = await openSession(endpoint, { elicitation: {} });
  const asking = sseCursor(
    await mcpPost(endpoint, request(21, "tools/call", { name: "confirm_action", arguments: { action: "deploy" } }), {
      sessionId,
    }),
  );
  await asking.event();
  const questionEvent = await asking.event();
  const question = JSON.parse(questionEvent.data) as { id: string; method: string };
  expect(question.method).toBe("elicitation/create");
  const progressing = sseCursor(
    await mcpPost(
      endpoint,
      request(22, "tools/call", { name: "slow_task", arguments: { steps: 50, delayMs: 1_000 }, _meta: { progressToken: "p" } }),
      { sessionId },
    ),
  );
  await progressing.event();
  const progress = await progressing.event();

  await dev.server.restart();
  for (const cursor of [asking, progressing]) await cursor.cancel().catch(() => {});

  const died = { code: -32603, message: expect.stringContaining("send the request again") };
  for (const [lastEventId, id] of [
    [questionEvent.id!, 21],
    [progress.id!, 22],
  ] as const) {
    const resumed = await openStream(endpoint, sessionId, { "last-event-id": lastEventId });
    expect(resumed.status).toBe(200);
    expect(await readAllSseMessages(resumed, 5_000)).toEqual([{ jsonrpc: "2.0", id, error: died }]);
  }
  const late = await mcpPost(
    endpoint,
    { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: true } } },
    {
      sessionId,
    },
  );
  expect(late.status).toBe(400);
  expect(await late.json()).toMatchObject({ error: { message: expect.stringContaining("is waiting for an answer") } });
});

it("a task running at a restart ends defined: run again when its tool is idempotent, failed with the reason when not", async () => {
  const capabilities = { extensions: { "io.modelcontextprotocol/tasks": {} } };
  const rpc = async (method: string, params: Record<string, unknown>) => {
    const body = (await (await modernRequest(endpoint, crypto.randomUUID(), method, params, { capabilities })).json()) as {
      result: Record<string, unknown> & { taskId: string; status: string; statusMessage?: string };
    };
    return body.result;
  };
  const waitFor = async (taskId: string, done: (task: { status: string; statusMessage?: string }) => boolean) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = await rpc("tasks/get", { taskId });
      if (done(task) || Date.now() > deadline) return task;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const ended = (task: { status: string }) => ["completed", "failed", "cancelled"].includes(task.status);
  const report = await rpc("tools/call", { name: "build_report", arguments: { sections: 3, secondsPerSection: 1 } });
  const steps = await rpc("tools/call", { name: "slow_task", arguments: { steps: 50, delayMs: 300 } });
  // Both runs have begun once they report progress.
  for (const { taskId } of [report, steps]) await waitFor(taskId, (task) => task.statusMessage !== undefined);

  await dev.server.restart();

  expect(await waitFor(report.taskId, ended)).toMatchObject({
    status: "completed",
    result: { structuredContent: { sections: 3 } },
  });
  const failed = await waitFor(steps.taskId, ended);
  expect(failed).toMatchObject({ status: "failed", error: { code: -32603 } });
  expect(JSON.stringify(failed["error"])).toMatch(/slow_task does not declare idempotentHint/);
});
