// The SDK's own Client and StreamableHTTPClientTransport against the demo server under wrangler dev:
// what an MCP client sees when it uses the host, standalone GET stream included.
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
  type JSONRPCMessage,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { callTool, mcpPost, openSession, openStream, request } from "../shared/mcp.js";
import { sseEvents } from "../shared/sse.js";
import { useDevServer } from "./helpers/dev-server.js";
import { connectClient, inbox, toolText, type ConnectedClient } from "./helpers/mcp-client.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DEMO_TOOLS = ["add", "echo", "log", "slow_task", "toggle_extra_tool", "touch_resource"];

const dev = useDevServer();
const { endpoint } = dev;
const connected: ConnectedClient[] = [];

afterEach(async () => {
  await Promise.all(connected.splice(0).map(({ client }) => client.close()));
});

/** A connected SDK client, closed after the test. */
async function connect(capabilities?: ClientCapabilities): Promise<ConnectedClient> {
  const session = await connectClient(dev.server.url, { capabilities });
  connected.push(session);
  return session;
}

function isNotification(message: JSONRPCMessage, method: string): boolean {
  return "method" in message && message.method === method && !("id" in message);
}

describe("connecting", () => {
  it("initializes a session: id, server info, protocol version 2025-11-25, and the standalone stream", async () => {
    const { client, transport, getStatuses } = await connect();

    expect(transport.sessionId).toMatch(UUID_V4);
    expect(client.getServerVersion()).toMatchObject({ name: "durable-mcp-demo", version: "0.1.0" });
    expect(transport.protocolVersion).toBe("2025-11-25");
    expect(client.getServerCapabilities()).toMatchObject({
      logging: {},
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
    });
    // The transport opens the GET stream itself once notifications/initialized was accepted.
    expect(await getStatuses.waitFor()).toBe(200);
  });
});

describe("tools", () => {
  it("lists every demo tool, with its schemas", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(DEMO_TOOLS));
    const add = tools.find((tool) => tool.name === "add");
    expect(add?.inputSchema.properties).toHaveProperty("a");
    expect(add?.outputSchema?.properties).toHaveProperty("sum");
  });

  it("echo returns the message", async () => {
    const { client } = await connect();
    expect(await toolText(client, "echo", { message: "hello, durable world" })).toBe("hello, durable world");
  });

  it("add returns the sum as text and as structured content", async () => {
    const { client } = await connect();
    const result = await client.callTool({ name: "add", arguments: { a: 2.5, b: 4 } });
    expect(result.content).toEqual([{ type: "text", text: "6.5" }]);
    expect(result.structuredContent).toEqual({ sum: 6.5 });
  });

  it("a tool error comes back as a result with isError, not as a protocol error", async () => {
    const { client } = await connect();
    const result = await client.callTool({ name: "add", arguments: { a: "two", b: 4 } });
    expect(result.isError).toBe(true);
  });

  it("slow_task reports every progress step, in order, on the request's own stream", async () => {
    const { client, wire } = await connect();
    const progress: Progress[] = [];
    const result = await client.callTool({ name: "slow_task", arguments: { steps: 4, delayMs: 50 } }, undefined, {
      onprogress: (update) => progress.push(update),
    });

    expect(result.content).toEqual([{ type: "text", text: "completed 4 steps" }]);
    expect(progress).toEqual([1, 2, 3, 4].map((step) => ({ progress: step, total: 4, message: `step ${step} of 4` })));
    const progressOnWire = wire.received.filter(({ message }) => isNotification(message, "notifications/progress"));
    expect(progressOnWire.map(({ via }) => via)).toEqual(["POST", "POST", "POST", "POST"]);
  });

  it("toggle_extra_tool, log and touch_resource answer with what they did", async () => {
    const { client } = await connect();
    // A session's switch starts as the anonymous principal's, shared with the other tests: either way is an answer.
    expect(await toolText(client, "toggle_extra_tool")).toMatch(
      /^extra_tool (registered|removed); notifications\/tools\/list_changed sent$/,
    );
    expect(await toolText(client, "log", { level: "warning", message: "disk almost full" })).toBe(
      'logged "disk almost full" at warning',
    );
    expect(await toolText(client, "touch_resource", { uri: "demo://notes/1" })).toBe(
      "notifications/resources/updated sent for demo://notes/1",
    );
  });
});

describe("state for tools", () => {
  const names = async (client: Awaited<ReturnType<typeof connect>>["client"]) =>
    (await client.listTools()).tools.map(({ name }) => name);

  it("toggle_extra_tool adds extra_tool to the next tools/list of the session that called it, and of no other", async () => {
    const [{ client }, { client: other }] = await Promise.all([connect(), connect()]);
    // A session's switch wins over the principal's, which other tests may have flipped.
    const before = (await names(client)).includes("extra_tool");
    const otherBefore = (await names(other)).includes("extra_tool");
    await client.callTool({ name: "toggle_extra_tool", arguments: {} });
    expect((await names(client)).includes("extra_tool")).toBe(!before);
    expect((await names(other)).includes("extra_tool")).toBe(otherBefore);
  });
});

describe("notifications on the standalone GET stream", () => {
  it("toggle_extra_tool's tools/list_changed reaches the client", async () => {
    const { client, wire } = await connect();
    const listChanged = inbox(client, ToolListChangedNotificationSchema);

    await client.callTool({ name: "toggle_extra_tool", arguments: {} });

    await listChanged.waitFor();
    const onWire = await wire.waitFor(({ message }) => isNotification(message, "notifications/tools/list_changed"));
    expect(onWire.via).toBe("GET");
  });

  it("resources/updated reaches a client subscribed to the resource", async () => {
    const { client, wire } = await connect();
    const updated = inbox(client, ResourceUpdatedNotificationSchema);

    await client.subscribeResource({ uri: "demo://greeting" });
    await client.callTool({ name: "touch_resource", arguments: { uri: "demo://greeting" } });

    const notification = await updated.waitFor();
    expect(notification.params).toEqual({ uri: "demo://greeting" });
    const onWire = await wire.waitFor(({ message }) => isNotification(message, "notifications/resources/updated"));
    expect(onWire.via).toBe("GET");
  });

  it("resources/updated does not reach a client for a resource it did not subscribe to", async () => {
    const { client } = await connect();
    const updated = inbox(client, ResourceUpdatedNotificationSchema);

    await client.subscribeResource({ uri: "demo://notes/2" });
    await client.callTool({ name: "touch_resource", arguments: { uri: "demo://notes/1" } });
    await client.callTool({ name: "touch_resource", arguments: { uri: "demo://notes/2" } });

    // Messages reach the stream in the order they were published: once notes/2 is in, notes/1 would be too.
    await updated.waitFor((notification) => notification.params.uri === "demo://notes/2");
    expect(updated.received.map((notification) => notification.params.uri)).toEqual(["demo://notes/2"]);
  });

  it("log sends one message on the request's stream and one on the standalone stream", async () => {
    const { client, wire } = await connect();
    const messages = inbox(client, LoggingMessageNotificationSchema);

    await client.callTool({ name: "log", arguments: { level: "info", message: "deploy finished" } });

    const unrelated = await messages.waitFor((message) => message.params.data === "deploy finished");
    expect(unrelated.params).toEqual({ level: "info", logger: "demo", data: "deploy finished" });
    const related = await messages.waitFor((message) => message.params.data === "deploy finished (related to request)");
    expect(related.params).toMatchObject({ level: "info", logger: "demo" });

    const logsOnWire = wire.received.filter(({ message }) => isNotification(message, "notifications/message"));
    const viaOf = (data: string) => logsOnWire.find(({ message }) => "params" in message && message.params?.data === data)?.via;
    expect(logsOnWire).toHaveLength(2);
    expect(viaOf("deploy finished")).toBe("GET");
    expect(viaOf("deploy finished (related to request)")).toBe("POST");
  });

  it("the level set by logging/setLevel filters the standalone log messages of later requests", async () => {
    const { client } = await connect();
    const messages = inbox(client, LoggingMessageNotificationSchema);

    await client.setLoggingLevel("error");
    await client.callTool({ name: "log", arguments: { level: "info", message: "routine detail" } });
    await client.callTool({ name: "log", arguments: { level: "error", message: "something broke" } });

    const error = await messages.waitFor((message) => message.params.data === "something broke");
    expect(error.params.level).toBe("error");
    // Published in order: had "routine detail" passed the filter, it would have arrived first.
    expect(messages.received.map((message) => message.params.data)).not.toContain("routine detail");
  });
});

describe("requests from the server to the client during a tool call", () => {
  const asking: ClientCapabilities = { elicitation: { form: {} }, sampling: {}, roots: { listChanged: true } };

  it("confirm_action asks the user (elicitation) and uses the answer", async () => {
    const { client } = await connect(asking);
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { confirm: true } };
    });
    expect(await toolText(client, "confirm_action", { action: "deploy" })).toBe("confirmed");
    expect(asked).toEqual(["Confirm: deploy?"]);

    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "decline" }));
    expect(await toolText(client, "confirm_action", { action: "deploy" })).toBe("declined");
  });

  it("summarize asks the client's model (sampling) and returns its text", async () => {
    const { client } = await connect(asking);
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      expect(request.params.messages[0]?.content).toMatchObject({ text: expect.stringContaining("a long story") });
      return { role: "assistant", model: "test-model", content: { type: "text", text: "A short story." } };
    });
    expect(await toolText(client, "summarize", { text: "a long story" })).toBe("A short story.");
  });

  it("list_roots asks for the client's roots, and ping_client pings it", async () => {
    const { client } = await connect(asking);
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: "file:///work/a" }, { uri: "file:///work/b" }],
    }));
    expect(await toolText(client, "list_roots")).toBe("file:///work/a\nfile:///work/b");
    expect(await toolText(client, "ping_client")).toBe("the client answered ping");
  });

  it("two concurrent elicitations in one session each get their own answer", async () => {
    const { client } = await connect(asking);
    const waiting: Array<{ message: string; answer: (confirm: boolean) => void }> = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      return new Promise((resolve) => {
        waiting.push({
          message: request.params.message,
          answer: (confirm) => resolve(confirm ? { action: "accept", content: { confirm: true } } : { action: "decline" }),
        });
      });
    });
    const first = toolText(client, "confirm_action", { action: "first" });
    const second = toolText(client, "confirm_action", { action: "second" });
    await expect.poll(() => waiting.length, { timeout: 10_000 }).toBe(2);
    // Answered in the other order than asked, one yes and one no.
    for (const pending of [...waiting].reverse()) pending.answer(pending.message === "Confirm: first?");
    expect([await first, await second]).toEqual(["confirmed", "declined"]);
  });

  it("cancelling a tool mid-run stops it on the server: its progress ends on the wire and no result is sent", async () => {
    const { client, wire } = await connect();
    const controller = new AbortController();
    const call = client.callTool({ name: "slow_task", arguments: { steps: 40, delayMs: 100 } }, undefined, {
      signal: controller.signal,
      onprogress: ({ progress }) => {
        if (progress === 2) controller.abort("changed my mind");
      },
    });
    await expect(call).rejects.toThrow();
    // The client still reads the POST stream: had the tool gone on, 100 ms steps would keep arriving.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const progress = wire.received.filter(({ message }) => isNotification(message, "notifications/progress"));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThan(6);
    expect(wire.received.some(({ message }) => "result" in message && JSON.stringify(message).includes("completed"))).toBe(false);
  });
});

describe("resources, prompts and completions", () => {
  it("lists the clock, the greeting and the notes of the template", async () => {
    const { client } = await connect();
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri).sort()).toEqual([
      "demo://clock",
      "demo://greeting",
      "demo://notes/1",
      "demo://notes/2",
      "demo://notes/3",
    ]);
    expect(resources.find((resource) => resource.uri === "demo://greeting")).toMatchObject({
      name: "greeting",
      mimeType: "text/plain",
    });

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ name: "note", uriTemplate: "demo://notes/{id}" })]);
  });

  it("reads demo://greeting and demo://notes/2", async () => {
    const { client } = await connect();
    expect((await client.readResource({ uri: "demo://greeting" })).contents).toEqual([
      { uri: "demo://greeting", mimeType: "text/plain", text: "Hello from durable-mcp" },
    ]);
    expect((await client.readResource({ uri: "demo://notes/2" })).contents).toEqual([
      { uri: "demo://notes/2", mimeType: "text/plain", text: "Note 2" },
    ]);
  });

  it("lists and renders the greet prompt", async () => {
    const { client } = await connect();
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([expect.objectContaining({ name: "greet", title: "Greet someone" })]);
    expect(prompts[0]?.arguments?.map((argument) => argument.name)).toEqual(["name", "style"]);

    const prompt = await client.getPrompt({ name: "greet", arguments: { name: "Ada", style: "formal" } });
    expect(prompt.description).toBe("A formal greeting for Ada");
    expect(prompt.messages).toEqual([
      { role: "user", content: { type: "text", text: "Please write a formal greeting addressed to Ada." } },
    ]);
  });

  it("completes the prompt's style argument and the template's id variable", async () => {
    const { client } = await connect();
    const style = await client.complete({
      ref: { type: "ref/prompt", name: "greet" },
      argument: { name: "style", value: "ca" },
    });
    expect(style.completion.values).toEqual(["casual"]);

    const id = await client.complete({
      ref: { type: "ref/resource", uri: "demo://notes/{id}" },
      argument: { name: "id", value: "" },
    });
    expect(id.completion.values).toEqual(["1", "2", "3"]);
  });
});

describe("raw HTTP", () => {
  it("delivers messages produced while no GET stream was open on the next GET", async () => {
    const sessionId = await openSession(endpoint);
    expect((await callTool(endpoint, sessionId, "toggle_extra_tool")).result).toBeDefined();

    const stream = await openStream(endpoint, sessionId);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    for await (const event of sseEvents(stream)) {
      if (event.data === "") continue;
      expect(event.id).toMatch(/\S/); // resumable: Last-Event-ID can name it
      expect(JSON.parse(event.data)).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
      break; // leaving the loop closes the stream
    }
  });

  it("a GET with Last-Event-ID replays the messages after that event", async () => {
    const sessionId = await openSession(endpoint);
    await callTool(endpoint, sessionId, "toggle_extra_tool");
    await callTool(endpoint, sessionId, "log", { message: "second event" });

    const events = [];
    for await (const event of sseEvents(await openStream(endpoint, sessionId))) {
      if (event.data !== "") events.push(event);
      if (events.length === 2) break;
    }
    const [first, second] = events;
    expect(JSON.parse(first!.data)).toMatchObject({ method: "notifications/tools/list_changed" });
    expect(JSON.parse(second!.data)).toMatchObject({ method: "notifications/message", params: { data: "second event" } });

    const resumed = await openStream(endpoint, sessionId, { "Last-Event-ID": first!.id! });
    expect(resumed.status).toBe(200);
    for await (const event of sseEvents(resumed)) {
      if (event.data === "") continue;
      expect(event).toMatchObject({ id: second!.id, data: second!.data });
      break;
    }
  });

  it("answers with JSON a client that accepts only JSON, and one that accepts both when the answer is quick; else with SSE", async () => {
    const sessionId = await openSession(endpoint);
    const echo = (id: number) => request(id, "tools/call", { name: "echo", arguments: { message: `m${id}` } });
    const both = "application/json, text/event-stream";

    for (const [id, accept] of [
      [2, "application/json"],
      [3, both],
    ] as const) {
      const json = await mcpPost(endpoint, echo(id), { sessionId, accept });
      expect(json.status).toBe(200);
      expect(json.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await json.json()).toEqual({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `m${id}` }] } });
    }

    const progress = request(4, "tools/call", {
      name: "slow_task",
      arguments: { steps: 1, delayMs: 0 },
      _meta: { progressToken: "t" },
    });
    const sse = await mcpPost(endpoint, progress, { sessionId, accept: both });
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = [];
    for await (const event of sseEvents(sse)) events.push(event);
    expect(events[0]).toMatchObject({ id: expect.stringMatching(/_0$/), data: "" });
    const messages = events.slice(1).map((event) => JSON.parse(event.data) as { method?: string; id?: number });
    expect(messages.map((message) => message.method ?? message.id)).toEqual(["notifications/progress", 4]);
  });
});

describe("terminating", () => {
  it("after transport.terminateSession() the session id answers 404", async () => {
    const { client, transport } = await connect();
    const sessionId = transport.sessionId!;
    expect(await toolText(client, "echo", { message: "still here" })).toBe("still here");

    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    await client.close();

    const response = await mcpPost(endpoint, request(9, "tools/call", { name: "echo", arguments: { message: "x" } }), {
      sessionId,
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32001 } });
  });
});
