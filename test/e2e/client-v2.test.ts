// The SDK v2 client (@modelcontextprotocol/client) against the demo under wrangler dev, in each
// of its `versionNegotiation` modes, with every HTTP request it sends recorded: the default
// stays on 2025 sessions, "auto" and a pin reach the 2026-07-28 stateless lane through
// server/discover, and "auto" still falls back against a host without that lane
// (test/e2e/fixtures/session-era-only). The SDK v1 client keeps its session on the same server.
import {
  Client,
  SdkErrorCode,
  StreamableHTTPClientTransport,
  type ClientCapabilities,
  type Progress,
  type VersionNegotiationOptions,
} from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { useDevServer } from "./helpers/dev-server.js";
import { HttpLog, type SentRequest } from "./helpers/http-log.js";
import { connectClient } from "./helpers/mcp-client.js";

const MODERN = "2026-07-28";
const SESSION_ERA = "2025-11-25";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CLIENT_INFO = { name: "e2e-sdk-v2-client", version: "2.0.0" };
const SERVER_INFO = { name: "durable-mcp-demo", title: "durable-mcp demo", version: "0.1.0" };
/** What the lane stamps on every 2026-07-28 result, and the client hands on to its caller. */
const STAMP = { _meta: { "io.modelcontextprotocol/serverInfo": SERVER_INFO } };
/** The demo's capabilities on 2026-07-28: its list changes and subscriptions reach listen streams. */
const LISTED_CAPABILITIES = {
  logging: {},
  completions: {},
  prompts: { listChanged: true },
  resources: { listChanged: true, subscribe: true },
  tools: { listChanged: true },
  // The demo runs build_report, slow_task and confirm_action as tasks (README, "Long-running tools").
  extensions: { "io.modelcontextprotocol/tasks": {} },
};
/** The demo's cache hints on 2026-07-28: the library's default, reuse nothing, share nothing. */
const NO_CACHE = { ttlMs: 0, cacheScope: "private" };

const demo = useDevServer();
const sessionEraOnly = useDevServer({ config: "test/e2e/fixtures/session-era-only/wrangler.toml" });
const open: Client[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport;
  log: HttpLog;
}

/** A v2 client on `${baseUrl}/mcp` with every request recorded, closed after the test. */
function v2Client(
  baseUrl: string,
  versionNegotiation?: VersionNegotiationOptions,
  capabilities: ClientCapabilities = {},
): Connected {
  const log = new HttpLog();
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { fetch: log.fetch });
  const client = new Client(CLIENT_INFO, { capabilities, versionNegotiation });
  open.push(client);
  return { client, transport, log };
}

async function connectV2(
  baseUrl: string,
  versionNegotiation?: VersionNegotiationOptions,
  capabilities?: ClientCapabilities,
): Promise<Connected> {
  const connected = v2Client(baseUrl, versionNegotiation, capabilities);
  await connected.client.connect(connected.transport);
  return connected;
}

function methodOf(request: SentRequest): string | undefined {
  return request.body?.method;
}

/** What a 2025 session sends after initialize: its id and the negotiated version, no 2026 header or _meta. */
function expectSessionRequest(request: SentRequest, sessionId: string | undefined): void {
  expect(request.headers["mcp-session-id"]).toBe(sessionId);
  expect(request.headers["mcp-protocol-version"]).toBe(SESSION_ERA);
  expect(request.headers).not.toHaveProperty("mcp-method");
  expect(request.body?.params?._meta ?? {}).not.toHaveProperty(["io.modelcontextprotocol/protocolVersion"]);
}

/** The opening of a 2025 session: initialize without session or version, then initialized with both. */
function expectSessionOpening([initialize, initialized]: SentRequest[], sessionId: string | undefined): void {
  expect(sessionId).toMatch(UUID_V4);
  expect(methodOf(initialize!)).toBe("initialize");
  expect(initialize!.headers).not.toHaveProperty("mcp-session-id");
  expect(initialize!.headers).not.toHaveProperty("mcp-protocol-version");
  expect(initialize!.status).toBe(200);
  expect(methodOf(initialized!)).toBe("notifications/initialized");
  expectSessionRequest(initialized!, sessionId);
  expect(initialized!.status).toBe(202);
}

/** The connect-time probe: server/discover with the 2026-07-28 headers and `_meta`, no session. */
function expectDiscoverProbe(probe: SentRequest | undefined): void {
  expect(probe?.httpMethod).toBe("POST");
  expect(probe?.headers).toMatchObject({ "mcp-protocol-version": MODERN, "mcp-method": "server/discover" });
  expect(probe?.headers).not.toHaveProperty("mcp-session-id");
  expect(probe?.body).toMatchObject({
    method: "server/discover",
    params: {
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  });
}

/** Every request so far was a 2026-07-28 POST: its headers, its _meta, no session, never initialize. */
function expectStatelessWire(log: HttpLog): void {
  expect(log.received.length).toBeGreaterThan(0);
  for (const request of log.received) {
    expect(request.httpMethod).toBe("POST");
    expect(request.headers).not.toHaveProperty("mcp-session-id");
    expect(request.headers["mcp-protocol-version"]).toBe(MODERN);
    expect(request.headers["mcp-method"]).toBe(methodOf(request));
    expect(request.body?.params?._meta?.["io.modelcontextprotocol/protocolVersion"]).toBe(MODERN);
    expect(methodOf(request)).not.toMatch(/^(initialize|notifications\/initialized)$/);
    expect(request.status).toBe(200);
  }
}

describe('versionNegotiation absent ("legacy", the default): a 2025 session', () => {
  it("initializes, sends initialized with the session id, calls echo; no request says 2026-07-28", async () => {
    const { client, transport, log } = await connectV2(demo.server.url);
    const result = await client.callTool({ name: "echo", arguments: { message: "hello, session" } });

    expect(result).toEqual({ content: [{ type: "text", text: "hello, session" }] });
    expect(client.getProtocolEra()).toBe("legacy");
    expect(client.getNegotiatedProtocolVersion()).toBe(SESSION_ERA);
    expect(client.getServerVersion()).toEqual(SERVER_INFO);
    expect(log.posts.map(methodOf)).toEqual(["initialize", "notifications/initialized", "tools/call"]);
    expectSessionOpening(log.posts, transport.sessionId);
    expectSessionRequest(log.posts[2]!, transport.sessionId);
    expect(log.posts[2]!.headers).not.toHaveProperty("mcp-name");
    // The standalone GET stream, if the transport opened it yet, belongs to the session too.
    for (const get of log.received.filter(({ httpMethod }) => httpMethod === "GET")) {
      expectSessionRequest(get, transport.sessionId);
    }
    expect(log.received.map(({ headers }) => headers["mcp-protocol-version"])).not.toContain(MODERN);
  });
});

const MODERN_MODES: Array<[string, VersionNegotiationOptions]> = [
  ['mode: "auto"', { mode: "auto" }],
  [`pin: "${MODERN}"`, { mode: { pin: MODERN } }],
];

describe.each(MODERN_MODES)("versionNegotiation %s: the 2026-07-28 stateless lane", (_name, versionNegotiation) => {
  const connect = () => connectV2(demo.server.url, versionNegotiation);

  it("probes with server/discover, which the server answers; nothing else is sent to connect", async () => {
    const { client, transport, log } = await connect();

    expect(log.received).toHaveLength(1);
    const [probe] = log.received;
    expectDiscoverProbe(probe);
    expect(probe?.status).toBe(200);
    expect(probe?.answer).toMatchObject({
      jsonrpc: "2.0",
      id: probe?.body?.id,
      result: {
        resultType: "complete",
        supportedVersions: expect.arrayContaining([MODERN, SESSION_ERA]),
        capabilities: LISTED_CAPABILITIES,
        ...NO_CACHE,
        ...STAMP,
      },
    });
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()).toEqual(SERVER_INFO);
    expect(client.getServerCapabilities()).toEqual(LISTED_CAPABILITIES);
    expect(transport.sessionId).toBeUndefined();
    expectStatelessWire(log);
  });

  it("lists the tools and calls echo, add and slow_task (with progress on the call's stream)", async () => {
    const { client, log } = await connect();

    const { tools } = await client.listTools();
    expect(tools.map(({ name }) => name)).toEqual(expect.arrayContaining(["add", "echo", "slow_task"]));
    expect(tools.find(({ name }) => name === "add")?.outputSchema?.properties).toHaveProperty("sum");

    expect(await client.callTool({ name: "echo", arguments: { message: "hello, 2026" } })).toEqual({
      content: [{ type: "text", text: "hello, 2026" }],
      ...STAMP,
    });
    const added = await client.callTool({ name: "add", arguments: { a: 2.5, b: 4 } });
    expect(added.content).toEqual([{ type: "text", text: "6.5" }]);
    expect(added.structuredContent).toEqual({ sum: 6.5 });

    const progress: Progress[] = [];
    const slow = await client.callTool(
      { name: "slow_task", arguments: { steps: 3, delayMs: 50 } },
      { onprogress: (update) => progress.push(update) },
    );
    expect(slow.content).toEqual([{ type: "text", text: "completed 3 steps" }]);
    expect(progress).toEqual([1, 2, 3].map((step) => ({ progress: step, total: 3, message: `step ${step} of 3` })));

    const calls = log.received.filter((request) => methodOf(request) === "tools/call");
    expect(calls.map(({ headers }) => headers["mcp-name"])).toEqual(["echo", "add", "slow_task"]);
    expect(calls[2]?.body?.params?._meta).toHaveProperty("progressToken");
    expect(calls.map(({ contentType }) => contentType)).toEqual(["application/json", "application/json", "text/event-stream"]);
    expect(log.received.map(methodOf)).toEqual(["server/discover", "tools/list", "tools/call", "tools/call", "tools/call"]);
    expectStatelessWire(log);
  });

  it("reads demo://greeting and lists the resource templates", async () => {
    const { client, log } = await connect();

    expect(await client.readResource({ uri: "demo://greeting" })).toEqual({
      contents: [{ uri: "demo://greeting", mimeType: "text/plain", text: "Hello from durable-mcp" }],
      ...NO_CACHE,
      ...STAMP,
    });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      {
        name: "note",
        title: "Note",
        uriTemplate: "demo://notes/{id}",
        description: "A numbered demo note; read demo://notes/{id}.",
        mimeType: "text/plain",
      },
    ]);

    expect(log.received.find((request) => methodOf(request) === "resources/read")?.headers["mcp-name"]).toBe("demo://greeting");
    expect(log.received.map(methodOf)).toEqual(["server/discover", "resources/read", "resources/templates/list"]);
    expectStatelessWire(log);
  });

  it("gets the prompt greet and completes its style argument", async () => {
    const { client, log } = await connect();

    expect(await client.getPrompt({ name: "greet", arguments: { name: "Ada", style: "formal" } })).toEqual({
      description: "A formal greeting for Ada",
      messages: [{ role: "user", content: { type: "text", text: "Please write a formal greeting addressed to Ada." } }],
      ...STAMP,
    });
    const { completion } = await client.complete({
      ref: { type: "ref/prompt", name: "greet" },
      argument: { name: "style", value: "ca" },
    });
    expect(completion.values).toEqual(["casual"]);

    expect(log.received.map(methodOf)).toEqual(["server/discover", "prompts/get", "completion/complete"]);
    expectStatelessWire(log);
  });
});

describe("subscriptions/listen through the SDK v2 client", () => {
  it("delivers a list change another client's tools/call made, on either era, until the subscription is closed", async () => {
    const { client, log } = await connectV2(demo.server.url, { mode: "auto" });
    const changes: string[] = [];
    client.setNotificationHandler("notifications/tools/list_changed", () => void changes.push("tools"));
    const subscription = await client.listen({ toolsListChanged: true, promptsListChanged: true });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true, promptsListChanged: true });

    const v1 = await connectClient(demo.server.url);
    try {
      // The principal's switch, which every listener of the principal hears; a session's only its own.
      await v1.client.callTool({ name: "toggle_extra_tool", arguments: { scope: "principal" } });
      await expect.poll(() => changes).toEqual(["tools"]);
      const other = await connectV2(demo.server.url, { mode: "auto" });
      await other.client.callTool({ name: "toggle_extra_tool", arguments: {} });
      await expect.poll(() => changes).toEqual(["tools", "tools"]);
    } finally {
      await v1.client.close();
    }
    await subscription.close();
    expect(await subscription.closed).toBe("local");
    const listen = log.received.find((request) => methodOf(request) === "subscriptions/listen");
    expect(listen?.contentType).toBe("text/event-stream");
    // close() also posts notifications/cancelled, as it does on stdio: accepted, and nothing more.
    const cancelled = log.received.filter((request) => methodOf(request) === "notifications/cancelled");
    expect(cancelled.map(({ status }) => status)).toEqual([202]);
    log.received.splice(log.received.indexOf(cancelled[0]!), 1);
    expectStatelessWire(log);
  });
});

describe.each(MODERN_MODES)(
  "versionNegotiation %s: the demo's questions to the client, through input_required",
  (_name, versionNegotiation) => {
    it("answers elicitation, sampling and roots from the client's own handlers, one retry per question", async () => {
      const asking = { elicitation: { form: {} }, sampling: {}, roots: {} };
      const { client, transport, log } = v2Client(demo.server.url, versionNegotiation, asking);
      client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { confirm: true } }));
      client.setRequestHandler("sampling/createMessage", async () => ({
        role: "assistant",
        model: "e2e-model",
        content: { type: "text", text: "in short" },
      }));
      client.setRequestHandler("roots/list", async () => ({ roots: [{ uri: "file:///e2e" }] }));
      await client.connect(transport);

      const text = async (name: string, args: Record<string, unknown>) =>
        ((await client.callTool({ name, arguments: args })).content as { text: string }[])[0]?.text;
      expect(await text("confirm_action", { action: "deploy" })).toBe("confirmed");
      expect(await text("summarize", { text: "a long text" })).toBe("in short");
      expect(await text("list_roots", {})).toBe("file:///e2e");

      // Each call: a first round answered input_required, and the retry with the answer and the sealed state.
      const calls = log.received.filter((request) => methodOf(request) === "tools/call");
      expect(
        calls.map((request) => (request.answer as { result?: { resultType?: string } } | undefined)?.result?.resultType),
      ).toEqual(["input_required", "complete", "input_required", "complete", "input_required", "complete"]);
      for (const retry of calls.filter((_, index) => index % 2 === 1)) {
        expect(retry.body?.params).toMatchObject({
          inputResponses: expect.any(Object),
          requestState: expect.stringMatching(/^v1\./),
        });
      }
      expectStatelessWire(log);
    });
  },
);

describe("against a host without the 2026-07-28 lane (fixtures/session-era-only)", () => {
  it('"auto" probes, is refused, and falls back to initialize and a 2025 session', async () => {
    const { client, transport, log } = await connectV2(sessionEraOnly.server.url, { mode: "auto" });
    const result = await client.callTool({ name: "echo", arguments: { message: "hello, fallback" } });

    expect(result).toEqual({ content: [{ type: "text", text: "hello, fallback" }] });
    const [probe, ...session] = log.posts;
    expectDiscoverProbe(probe);
    expect(probe?.status).toBe(400);
    expect(probe?.answer).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    expect(session.map(methodOf)).toEqual(["initialize", "notifications/initialized", "tools/call"]);
    expectSessionOpening(session, transport.sessionId);
    expectSessionRequest(session[2]!, transport.sessionId);
    expect(client.getProtocolEra()).toBe("legacy");
    expect(client.getNegotiatedProtocolVersion()).toBe(SESSION_ERA);
  });

  it(`a pin to ${MODERN} fails to connect instead, after the one probe`, async () => {
    const { client, transport, log } = v2Client(sessionEraOnly.server.url, { mode: { pin: MODERN } });

    await expect(client.connect(transport)).rejects.toMatchObject({ code: SdkErrorCode.EraNegotiationFailed });
    expect(log.received).toHaveLength(1);
    expectDiscoverProbe(log.received[0]);
  });
});

describe("the SDK v1 client on the same server", () => {
  it("still gets a 2025 session", async () => {
    const { client, transport } = await connectClient(demo.server.url);
    try {
      expect(transport.sessionId).toMatch(UUID_V4);
    } finally {
      await client.close();
    }
  });
});
