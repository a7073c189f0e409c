// The 2026-07-28 lane on the demo Worker, in workerd: raw requests for each wire rule of
// spec 2026-07-28 (versioning, request headers, removed methods, results), next to the session
// lane on the same URL.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectJsonRpcError } from "../shared/expect.js";
import { mcpPost, request, type Endpoint } from "../shared/mcp.js";
import { MODERN_VERSION, modernPost, modernRequest } from "../shared/modern.js";
import { readAllSseMessages } from "../shared/sse.js";
import { worker, workerWith } from "./helpers.js";

const SERVER_INFO = "io.modelcontextprotocol/serverInfo";

async function result(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(200);
  expect(response.headers.get("mcp-session-id")).toBeNull();
  const body = (await response.json()) as { result?: Record<string, unknown>; error?: unknown };
  expect(body.error).toBeUndefined();
  return body.result!;
}

describe("server/discover", () => {
  it("answers from the server itself: every era's versions, its capabilities and identity, cache hints, no session", async () => {
    const discovered = await result(await modernRequest(worker, 1, "server/discover"));
    expect(discovered).toMatchObject({
      resultType: "complete",
      supportedVersions: [MODERN_VERSION, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "2024-10-07"],
      capabilities: { tools: {}, prompts: {}, resources: {}, logging: {}, completions: {} },
      ttlMs: 0,
      cacheScope: "private",
      _meta: { [SERVER_INFO]: { name: "durable-mcp-demo", version: "0.1.0" } },
    });
  });

  it("advertises the list changes and subscriptions the server declares, which listen streams deliver", async () => {
    const { capabilities } = await result(await modernRequest(worker, 1, "server/discover"));
    expect(capabilities).toMatchObject({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
    });
  });

  it("advertises no list changes or subscriptions without listener hubs to deliver them", async () => {
    const unhubbed = workerWith({ listenBinding: "NO_SUCH_BINDING" });
    const { capabilities } = await result(await modernRequest(unhubbed, 1, "server/discover"));
    expect(capabilities).toMatchObject({ tools: {}, resources: {} });
    expect(JSON.stringify(capabilities)).not.toMatch(/listChanged|subscribe/);
  });
});

describe("a request", () => {
  it("calls a tool of the same McpServer and stamps the result", async () => {
    const called = await result(await modernRequest(worker, 2, "tools/call", { name: "echo", arguments: { message: "hi" } }));
    expect(called).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "hi" }] });
    expect(called["_meta"]).toMatchObject({ [SERVER_INFO]: { name: "durable-mcp-demo" } });
  });

  it("lists tools with cache hints and without the session era's execution field", async () => {
    const listed = await result(await modernRequest(worker, 3, "tools/list"));
    expect(listed).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "private" });
    const tools = listed["tools"] as Record<string, unknown>[];
    expect(tools.map((tool) => tool["name"])).toContain("echo");
    expect(tools.filter((tool) => "execution" in tool)).toEqual([]);
  });

  it("ignores Mcp-Session-Id: no session is looked up, none is minted", async () => {
    const response = await modernRequest(
      worker,
      4,
      "tools/call",
      { name: "echo", arguments: { message: "x" } },
      {
        headers: { "Mcp-Session-Id": crypto.randomUUID() },
      },
    );
    expect((await result(response))["content"]).toEqual([{ type: "text", text: "x" }]);
  });

  it("sends the request's logs only when its _meta asks for a level, and only from that level up", async () => {
    const log = (level: string, logLevel?: string) =>
      modernRequest(
        worker,
        5,
        "tools/call",
        { name: "log", arguments: { level, message: "m" } },
        { logLevel, accept: "text/event-stream" },
      );
    const methods = async (response: Response) =>
      (await readAllSseMessages<{ method?: string; result?: unknown }>(response)).map((message) => message.method ?? "result");
    expect(await methods(await log("info"))).toEqual(["result"]);
    expect(await methods(await log("info", "warning"))).toEqual(["result"]);
    expect(await methods(await log("error", "warning"))).toEqual(["notifications/message", "notifications/message", "result"]);
  });

  it("does not carry the notifications that belong to no request (list changes, resource updates)", async () => {
    for (const name of ["toggle_extra_tool", "touch_resource"]) {
      const response = await modernRequest(worker, 15, "tools/call", { name, arguments: {} }, { accept: "text/event-stream" });
      const messages = await readAllSseMessages<{ method?: string }>(response);
      expect(messages.map((message) => message.method ?? "result")).toEqual(["result"]);
    }
  });

  it("gets progress on its own stream", async () => {
    const params = { name: "slow_task", arguments: { steps: 2, delayMs: 10 }, _meta: { progressToken: "p" } };
    const response = await modernRequest(worker, 6, "tools/call", params, { accept: "text/event-stream" });
    const messages = await readAllSseMessages<{ method?: string; params?: { progress?: number } }>(response);
    expect(messages.map(({ method, params }) => method && `${method} ${params?.progress}`)).toEqual([
      "notifications/progress 1",
      "notifications/progress 2",
      undefined,
    ]);
    expect(messages.at(-1)).toMatchObject({ id: 6, result: { resultType: "complete" } });
  });
});

describe("the wire rules of 2026-07-28", () => {
  it("refuses an unsupported version with -32022, naming what is supported and what was asked", async () => {
    const response = await modernRequest(worker, 7, "tools/list", {}, { version: "v999.0.0" });
    const error = await expectJsonRpcError(response, 400, { code: -32022, id: 7 });
    expect(error.data).toMatchObject({ requested: "v999.0.0", supported: expect.arrayContaining([MODERN_VERSION]) });
  });

  it("refuses a request without client capabilities in _meta with -32602", async () => {
    const body = {
      jsonrpc: "2.0",
      id: 8,
      method: "tools/list",
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN_VERSION } },
    };
    const response = await modernPost(worker, body);
    await expectJsonRpcError(response, 400, { code: -32602, id: 8 });
  });

  it.each([
    ["MCP-Protocol-Version differs from _meta", { "MCP-Protocol-Version": "2025-11-25" }],
    ["Mcp-Method differs from the method", { "Mcp-Method": "prompts/list" }],
    ["Mcp-Method is missing", { "Mcp-Method": null }],
    ["Mcp-Name is missing", { "Mcp-Name": null }],
    ["Mcp-Name names another tool", { "Mcp-Name": "add" }],
    ["Mcp-Name is broken base64", { "Mcp-Name": "=?base64?ZWNo?=" }],
  ])("refuses a request whose %s with 400 and -32020", async (_case, headers) => {
    const response = await modernRequest(worker, 9, "tools/call", { name: "echo", arguments: { message: "x" } }, { headers });
    await expectJsonRpcError(response, 400, { code: -32020, id: 9 });
  });

  it("takes Mcp-Name in its =?base64?…?= form, and with the white space around it", async () => {
    for (const name of ["=?base64?ZWNobw==?=", "  echo  "]) {
      const response = await modernRequest(
        worker,
        10,
        "tools/call",
        { name: "echo", arguments: { message: "b" } },
        {
          headers: { "Mcp-Name": name },
        },
      );
      expect((await result(response))["content"]).toEqual([{ type: "text", text: "b" }]);
    }
  });

  it.each(["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe", "unknown/method"])(
    "answers %s, which does not exist on this era, with 404 and -32601",
    async (method) => {
      const params =
        method === "initialize"
          ? { protocolVersion: MODERN_VERSION, capabilities: {}, clientInfo: { name: "c", version: "1" } }
          : {};
      await expectJsonRpcError(await modernRequest(worker, 11, method, params), 404, { code: -32601, id: 11 });
    },
  );

  it("refuses a question the client declared no capability for with 400 and -32021", async () => {
    const response = await modernRequest(worker, 12, "tools/call", { name: "summarize", arguments: { text: "long" } });
    const error = await expectJsonRpcError(response, 400, { code: -32021, id: 12 });
    expect(error.data).toEqual({ requiredCapabilities: { sampling: {} } });
  });

  it("answers a claim-less request with the 2026 header with -32602, and leaves 2025 requests to the session lane", async () => {
    const claimless = await mcpPost(worker, request(13, "tools/list"), { protocolVersion: MODERN_VERSION });
    await expectJsonRpcError(claimless, 400, { code: -32602, id: 13 });
    // The 400 a session-less 2025 request always got, so that SDK v2 clients in "auto" mode fall back against 2025-only hosts.
    await expectJsonRpcError(await mcpPost(worker, request(14, "tools/list")), 400, { code: -32000 });
  });

  it("answers a notification with 202 and no body", async () => {
    const body = {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: {
        requestId: 1,
        _meta: { "io.modelcontextprotocol/protocolVersion": MODERN_VERSION, "io.modelcontextprotocol/clientCapabilities": {} },
      },
    };
    const response = await modernPost(worker, body);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });

  it("lets a browser page send the 2026 headers, Mcp-Param-* included", async () => {
    const preflight = await worker.fetch(
      new Request(worker.url, {
        method: "OPTIONS",
        headers: {
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type,mcp-protocol-version,mcp-method,mcp-name,mcp-param-region",
        },
      }),
    );
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "")
      .toLowerCase()
      .split(",")
      .map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(["mcp-protocol-version", "mcp-method", "mcp-name", "mcp-param-region"]));
  });
});

describe("a handler that asks the client (input_required, by replay)", () => {
  const confirm = { name: "confirm_action", arguments: { action: "deploy" } };
  const asking = { capabilities: { elicitation: { form: {} } } };

  async function firstRound(): Promise<{ key: string; requestState: string; question: Record<string, unknown> }> {
    const round = await result(await modernRequest(worker, 20, "tools/call", confirm, asking));
    expect(round).toMatchObject({ resultType: "input_required", requestState: expect.any(String) });
    const [[key, question]] = Object.entries(round["inputRequests"] as Record<string, Record<string, unknown>>) as [
      [string, Record<string, unknown>],
    ];
    return { key, requestState: round["requestState"] as string, question };
  }

  it("asks in the result, and the retry with the answer completes with the handler's own result", async () => {
    const { key, requestState, question } = await firstRound();
    expect(question).toMatchObject({ method: "elicitation/create", params: { message: "Confirm: deploy?" } });
    expect(question).not.toHaveProperty("id");
    const retry = { ...confirm, inputResponses: { [key]: { action: "accept", content: { confirm: true } } }, requestState };
    const done = await result(await modernRequest(worker, 21, "tools/call", retry, asking));
    expect(done).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "confirmed" }] });
  });

  it("asks again, rather than failing, when the retry lacks the answer", async () => {
    const { requestState } = await firstRound();
    const retry = { ...confirm, inputResponses: { other: { action: "accept" } }, requestState };
    expect(await result(await modernRequest(worker, 22, "tools/call", retry, asking))).toMatchObject({
      resultType: "input_required",
    });
  });

  it.each([
    ["tampered", (state: string) => ({ ...confirm, requestState: `${state.slice(0, -2)}AA` })],
    [
      "replayed onto other params",
      (state: string) => ({ name: "confirm_action", arguments: { action: "delete" }, requestState: state }),
    ],
  ])("refuses a %s requestState with -32602", async (_case, retry) => {
    const { requestState } = await firstRound();
    const response = await modernRequest(worker, 23, "tools/call", retry(requestState), asking);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: 23,
      error: { code: -32602, message: expect.stringMatching(/requestState/) },
    });
  });

  it("says which secret to set when the deployment has none", async () => {
    const unsealed = workerWith({}, { MCP_STATE_SECRET: "" });
    const response = await modernRequest(unsealed, 24, "tools/call", confirm, asking);
    expect(await response.json()).toMatchObject({
      id: 24,
      error: { message: expect.stringMatching(/MCP_STATE_SECRET.*wrangler secret put/) },
    });
  });
});

describe("the Mcp-Param-* headers of a tool's arguments", () => {
  const regional = () => {
    const server = new McpServer({ name: "regional", version: "1.0.0" }, { capabilities: { tools: {} } });
    const input = z.object({ region: z.string().meta({ "x-mcp-header": "Region" }), note: z.string().optional() });
    server.registerTool("deploy", { inputSchema: input }, async ({ region }) => ({ content: [{ type: "text", text: region }] }));
    return server;
  };
  const endpoint = workerWith({ server: regional });
  const deploy = (headers: Record<string, string | null>) =>
    modernRequest(endpoint, 30, "tools/call", { name: "deploy", arguments: { region: "eu-west" } }, { headers });

  it("must be there and agree with the argument the tool marks x-mcp-header", async () => {
    expect((await result(await deploy({ "Mcp-Param-Region": "eu-west" })))["content"]).toEqual([
      { type: "text", text: "eu-west" },
    ]);
    expect((await result(await deploy({ "Mcp-Param-Region": "=?base64?ZXUtd2VzdA==?=" })))["content"]).toEqual([
      { type: "text", text: "eu-west" },
    ]);
    await expectJsonRpcError(await deploy({}), 400, { code: -32020, id: 30, mentioning: "Mcp-Param-Region" });
    await expectJsonRpcError(await deploy({ "Mcp-Param-Region": "us-east" }), 400, { code: -32020, id: 30 });
  });
});

describe("cancellation on 2026-07-28", () => {
  it("aborts the handler when the client closes the response stream, and sends nothing more", async () => {
    const seen: string[] = [];
    const endpoint = workerWith({
      server: () => {
        const server = new McpServer({ name: "waiting", version: "1.0.0" }, { capabilities: { tools: {} } });
        server.registerTool("wait", {}, async (extra) => {
          await extra.sendNotification({ method: "notifications/progress", params: { progressToken: "w", progress: 1 } });
          await new Promise<void>((resolve) => extra.signal.addEventListener("abort", () => resolve(), { once: true }));
          seen.push("aborted");
          return { content: [{ type: "text", text: "too late" }] };
        });
        return server;
      },
    });
    const client = new AbortController();
    const abortable: Endpoint = { url: endpoint.url, fetch: (r) => endpoint.fetch(new Request(r, { signal: client.signal })) };
    const params = { name: "wait", arguments: {}, _meta: { progressToken: "w" } };
    const response = await modernRequest(abortable, 40, "tools/call", params, { accept: "text/event-stream" });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("notifications/progress");
    client.abort();
    await expect.poll(() => seen).toEqual(["aborted"]);
  });
});

describe("a refused question after the answer became a stream", () => {
  it("ends the stream with the -32021 error instead of leaving it open", async () => {
    const endpoint = workerWith({
      server: () => {
        const server = new McpServer({ name: "late-asker", version: "1.0.0" }, { capabilities: { tools: {} } });
        server.registerTool("report_then_ask", {}, async (extra) => {
          await extra.sendNotification({ method: "notifications/progress", params: { progressToken: "r", progress: 1 } });
          await server.server.createMessage({ messages: [], maxTokens: 1 }, { relatedRequestId: extra.requestId });
          return { content: [] };
        });
        return server;
      },
    });
    const params = { name: "report_then_ask", arguments: {}, _meta: { progressToken: "r" } };
    const response = await modernRequest(endpoint, 50, "tools/call", params, { accept: "text/event-stream" });
    const messages = await readAllSseMessages<{ method?: string; error?: { code: number } }>(response);
    expect(messages.map((message) => message.method ?? message.error?.code)).toEqual(["notifications/progress", -32021]);
  });
});
