// Resumable streams, SSE polling and idle expiry end to end (issue 5), against wrangler dev
// running test/e2e/fixtures/short-timings/: POST streams are handed to the session object after
// 1 s, the streams it holds end after 1.5 s with a 200 ms retry hint, and sessions expire after
// 6 s idle. Every stream is watched on the wire: the server really ends streams, the client
// really resumes them with Last-Event-ID, and no event id is ever delivered twice. The replay
// across a restart of wrangler dev is in restart.test.ts.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { expectJsonRpcError } from "../shared/expect.js";
import { callTool, mcpPost, mcpRequest, openSession, openStream, request, type AnyMessage } from "../shared/mcp.js";
import { readAllSseEvents, sseCursor, type SseEvent } from "../shared/sse.js";
import { useDevServer } from "./helpers/dev-server.js";

/** The fixture's timings (test/e2e/fixtures/short-timings/index.ts). */
const POST_STREAM_LIFETIME_MS = 1_000;
const STREAM_LIFETIME_MS = 1_500;
const IDLE_TIMEOUT_MS = 6_000;

const { endpoint } = useDevServer({ config: "test/e2e/fixtures/short-timings/wrangler.toml" });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `<stream>_<position>` → stream, position. */
const streamOf = (eventId: string) => eventId.slice(0, eventId.lastIndexOf("_"));
const positionOf = (eventId: string) => Number(eventId.slice(eventId.lastIndexOf("_") + 1));

const isProgress = (message: AnyMessage) => message.method === "notifications/progress";
const isResponseTo = (id: string | number | undefined) => (message: AnyMessage) =>
  message.method === undefined && message.id === id && (message.result !== undefined || message.error !== undefined);

/** One HTTP exchange of the SDK transport, with every SSE event of its answer as it arrived. */
interface Exchange {
  method: string;
  lastEventId: string | null;
  body: AnyMessage | undefined;
  status: number;
  /** Every event, priming events (empty data) included. */
  events: SseEvent[];
  /** The server ended the body. False while it is open, or when the client cancelled it. */
  endedByServer: boolean;
}

const dataEvents = (exchange: Exchange) => exchange.events.filter((event) => event.data !== "");
const messagesOf = (exchanges: Exchange[]) => exchanges.flatMap(dataEvents).map((event) => JSON.parse(event.data) as AnyMessage);

/** A fetch for the SDK transport that records every exchange; `before` may run first (and delay it). */
function recordingFetch(exchanges: Exchange[], before?: (method: string, lastEventId: string | null) => Promise<void>) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? "GET";
    const lastEventId = new Headers(init?.headers).get("last-event-id");
    await before?.(method, lastEventId);
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as AnyMessage) : undefined;
    const response = await fetch(input, init);
    const exchange: Exchange = { method, lastEventId, body, status: response.status, events: [], endedByServer: false };
    exchanges.push(exchange);
    if (!response.headers.get("content-type")?.startsWith("text/event-stream") || !response.body) return response;
    const decoder = new TextDecoder();
    const parser = createParser({
      onEvent: ({ id, data }) => exchange.events.push({ data, ...(id !== undefined && { id }) }),
    });
    const tapped = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          parser.feed(decoder.decode(chunk, { stream: true }));
          controller.enqueue(chunk);
        },
        flush() {
          exchange.endedByServer = true;
        },
      }),
    );
    return new Response(tapped, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The SDK client with a reconnection policy, on the polling endpoint, with its wire recorded. */
async function pollingClient(
  before?: (method: string, lastEventId: string | null) => Promise<void>,
  capabilities: ClientCapabilities = {},
) {
  const exchanges: Exchange[] = [];
  const errors: unknown[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
    reconnectionOptions: {
      maxRetries: 10,
      initialReconnectionDelay: 100,
      maxReconnectionDelay: 1_000,
      reconnectionDelayGrowFactor: 1.5,
    },
    fetch: recordingFetch(exchanges, before),
  });
  const client = new Client({ name: "resumability-e2e", version: "1.0.0" }, { capabilities });
  await client.connect(transport);
  client.onerror = (error) => errors.push(error);
  return { client, transport, exchanges, errors };
}

/** Polls `condition` every 50 ms; throws `what` after `timeoutMs`. */
async function until(condition: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await sleep(50);
  }
}

describe("the SDK client under SSE polling", () => {
  it("gets every progress notification and the result exactly once while the server ends its streams every second or so", async () => {
    const { client, exchanges, errors } = await pollingClient();
    const progress: number[] = [];
    const result = await client.callTool({ name: "slow_task", arguments: { steps: 20, delayMs: 300 } }, undefined, {
      onprogress: ({ progress: step }) => progress.push(step),
      resetTimeoutOnProgress: true,
      timeout: 10_000,
      maxTotalTimeout: 40_000,
    });
    expect(result.content).toEqual([{ type: "text", text: "completed 20 steps" }]);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));

    // The POST stream: primed with `<stream>_0`, then ended by the server before the result.
    const post = exchanges.find((exchange) => exchange.method === "POST" && exchange.body?.method === "tools/call");
    expect(post).toBeDefined();
    const requestId = post!.body!.id;
    const primingId = post!.events[0]?.id;
    expect(post!.events[0]).toEqual({ id: expect.stringMatching(/_0$/), data: "" });
    const stream = streamOf(primingId!);
    expect(post!.endedByServer).toBe(true);
    expect(messagesOf([post!]).some(isResponseTo(requestId))).toBe(false);

    // The client resumed it through GET at least twice, each time from the last event it had.
    const resumes = exchanges.filter(
      (exchange) => exchange.method === "GET" && exchange.lastEventId !== null && streamOf(exchange.lastEventId) === stream,
    );
    expect(resumes.length).toBeGreaterThanOrEqual(2);
    const chain = [post!, ...resumes];
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i]!.status).toBe(200);
      expect(chain[i]!.lastEventId).toBe(chain[i - 1]!.events.at(-1)?.id);
      expect(chain[i]!.events[0]).toEqual({ id: chain[i]!.lastEventId, data: "" });
    }
    // All but the last ended by the server without the result (polling, not a failure).
    for (const exchange of chain.slice(0, -1)) {
      expect(exchange.endedByServer).toBe(true);
      expect(messagesOf([exchange]).some(isResponseTo(requestId))).toBe(false);
    }

    // On the wire: positions 1..21 (20 progress, then the result), each exactly once.
    const ids = chain.flatMap(dataEvents).map((event) => event.id!);
    expect(ids.map(streamOf).every((id) => id === stream)).toBe(true);
    expect(ids.map(positionOf)).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
    const wire = messagesOf(chain);
    expect(wire.filter(isProgress).map((message) => message.params?.progress)).toEqual(progress);
    expect(messagesOf(exchanges).filter(isResponseTo(requestId))).toHaveLength(1);
    expect(wire.at(-1)).toMatchObject({ id: requestId, result: { content: [{ type: "text", text: "completed 20 steps" }] } });
    expect(errors).toEqual([]);
    await client.close();
  });

  it("answers an elicitation after its POST stream was handed over: the tool gets the answer, the client the result", async () => {
    const { client, exchanges, errors } = await pollingClient(undefined, { elicitation: { form: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => {
      await sleep(3 * POST_STREAM_LIFETIME_MS); // the user takes their time
      return { action: "accept", content: { confirm: true } };
    });
    const result = await client.callTool({ name: "confirm_action", arguments: { action: "deploy" } });
    expect(result.content).toEqual([{ type: "text", text: "confirmed" }]);

    // The request came on the POST stream, which the server then ended; the result came on a resume.
    const post = exchanges.find((exchange) => exchange.method === "POST" && exchange.body?.method === "tools/call")!;
    expect(messagesOf([post]).map((message) => message.method)).toEqual(["elicitation/create"]);
    expect(post.endedByServer).toBe(true);
    const stream = streamOf(post.events[0]!.id!);
    const resumes = exchanges.filter((exchange) => exchange.lastEventId !== null && streamOf(exchange.lastEventId) === stream);
    expect(messagesOf(resumes).filter(isResponseTo(post.body!.id))).toHaveLength(1);
    expect(errors).toEqual([]);
    await client.close();
  });

  it("gets every notification published between standalone polls exactly once, across several stream lifetimes", async () => {
    let sessionId: string | undefined;
    let standalone: string | undefined;
    let producing = false;
    let betweenPolls = 0;
    let reconnects = 0;
    const { client, transport, exchanges, errors } = await pollingClient(async (method, lastEventId) => {
      if (method !== "GET" || lastEventId === null || streamOf(lastEventId) !== standalone) return;
      reconnects++;
      // The standalone stream has ended and the client has not reconnected yet: publish now.
      if (producing && sessionId) {
        await callTool(endpoint, sessionId, "toggle_extra_tool");
        betweenPolls++;
      }
    });
    sessionId = transport.sessionId!;
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    const standaloneGet = () => exchanges.find((exchange) => exchange.method === "GET" && exchange.lastEventId === null);
    await until(
      () => standaloneGet()?.events[0]?.id !== undefined,
      () => "the standalone stream's priming event",
    );
    standalone = streamOf(standaloneGet()!.events[0]!.id!);

    producing = true;
    let live = 0;
    const started = Date.now();
    while ((Date.now() - started < 2 * STREAM_LIFETIME_MS + 500 || betweenPolls < 2) && Date.now() - started < 15_000) {
      await client.callTool({ name: "toggle_extra_tool" });
      live++;
      await sleep(250);
    }
    producing = false;
    const published = live + betweenPolls;
    expect(betweenPolls).toBeGreaterThanOrEqual(2);
    await until(
      () => changed >= published,
      () => `${published} notifications, got ${changed}`,
    );
    // A duplicate would come with the next poll: wait for one more reconnect after the last toggle.
    const reconnectsSoFar = reconnects;
    await until(
      () => reconnects > reconnectsSoFar,
      () => "one more standalone poll",
      STREAM_LIFETIME_MS + 3_000,
    );
    await sleep(500);
    expect(changed).toBe(published);

    const polls = exchanges.filter(
      (exchange) => exchange.method === "GET" && (exchange.lastEventId === null || streamOf(exchange.lastEventId) === standalone),
    );
    expect(polls.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < polls.length; i++) {
      expect(polls[i - 1]!.endedByServer).toBe(true);
      expect(polls[i]!.status).toBe(200);
      expect(polls[i]!.lastEventId).toBe(polls[i - 1]!.events.at(-1)?.id);
    }
    const ids = polls.flatMap(dataEvents).map((event) => event.id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.map(streamOf).every((id) => id === standalone)).toBe(true);
    const positions = ids.map(positionOf);
    expect(positions).toEqual(Array.from({ length: positions.length }, (_, index) => (positions[0] ?? 1) + index));
    const onStandalone = messagesOf(polls);
    expect(onStandalone.filter((message) => message.method === "notifications/tools/list_changed")).toHaveLength(published);
    expect(errors).toEqual([]);
    await client.close();
  });
});

describe("raw resumption", () => {
  it("a POST stream dropped after 2 progress events goes on through GET + Last-Event-ID: exactly the rest, then the result", async () => {
    const sessionId = await openSession(endpoint);
    const call = request("drop-me", "tools/call", {
      name: "slow_task",
      arguments: { steps: 10, delayMs: 100 },
      _meta: { progressToken: "drop" },
    });
    const posted = await mcpPost(endpoint, call, { sessionId });
    expect(posted.status).toBe(200);
    const dropped = sseCursor(posted);
    const priming = await dropped.event();
    const first = await dropped.event();
    const second = await dropped.event();
    await dropped.cancel();
    expect(priming).toMatchObject({ id: expect.stringMatching(/_0$/), data: "" });
    const stream = streamOf(priming.id!);
    expect([first.id, second.id]).toEqual([`${stream}_1`, `${stream}_2`]);
    expect([first, second].map((event) => (JSON.parse(event.data) as AnyMessage).params?.progress)).toEqual([1, 2]);

    const received: SseEvent[] = [];
    let lastEventId = second.id!;
    for (let attempt = 0; attempt < 10; attempt++) {
      const resumed = await openStream(endpoint, sessionId, { "last-event-id": lastEventId });
      expect(resumed.status).toBe(200);
      const events = await readAllSseEvents(resumed);
      expect(events[0]).toMatchObject({ id: lastEventId, data: "" });
      received.push(...events.filter((event) => event.data !== ""));
      lastEventId = events.at(-1)!.id!;
      if (received.some((event) => isResponseTo("drop-me")(JSON.parse(event.data) as AnyMessage))) break;
      await sleep(200); // the retry hint
    }
    expect(received.map((event) => event.id)).toEqual(Array.from({ length: 9 }, (_, index) => `${stream}_${index + 3}`));
    const messages = received.map((event) => JSON.parse(event.data) as AnyMessage);
    expect(messages.filter(isProgress).map((message) => message.params?.progress)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(messages.at(-1)).toEqual({
      jsonrpc: "2.0",
      id: "drop-me",
      result: { content: [{ type: "text", text: "completed 10 steps" }] },
    });
  });

  it("a tool that ends right after its client left, before the server noticed: the rest comes from the log", async () => {
    const sessionId = await openSession(endpoint);
    // Both steps and the result are out well before the POST stream's lifetime would hand it over.
    const delayMs = POST_STREAM_LIFETIME_MS / 4;
    const call = request("quick-drop", "tools/call", {
      name: "slow_task",
      arguments: { steps: 2, delayMs },
      _meta: { progressToken: "quick" },
    });
    const dropped = sseCursor(await mcpPost(endpoint, call, { sessionId }));
    const priming = await dropped.event();
    const first = await dropped.event();
    await dropped.cancel();
    // The tool writes step 2 and its result to the gone client, and ends.
    await sleep(3 * delayMs);

    const resumed = await openStream(endpoint, sessionId, { "last-event-id": first.id! });
    expect(resumed.status).toBe(200);
    const events = await readAllSseEvents(resumed);
    const stream = streamOf(priming.id!);
    expect(events.map((event) => event.id)).toEqual([first.id, `${stream}_2`, `${stream}_3`]);
    const [, progress, result] = events.map((event) => (event.data === "" ? undefined : (JSON.parse(event.data) as AnyMessage)));
    expect(progress?.params?.progress).toBe(2);
    expect(result).toEqual({
      jsonrpc: "2.0",
      id: "quick-drop",
      result: { content: [{ type: "text", text: "completed 2 steps" }] },
    });
  });

  it("a resume of a POST stream that was answered at once is refused with 400, not kept open and empty", async () => {
    const sessionId = await openSession(endpoint);
    const call = request("at-once", "tools/call", {
      name: "slow_task",
      arguments: { steps: 1, delayMs: 0 },
      _meta: { progressToken: "n" },
    });
    const answered = await readAllSseEvents(await mcpPost(endpoint, call, { sessionId }));
    expect(answered.map((event) => positionOf(event.id!))).toEqual([0, 1, 2]);
    await expectJsonRpcError(await openStream(endpoint, sessionId, { "last-event-id": answered[1]!.id! }), 400, {
      mentioning: "Last-Event-ID",
    });
  });
});

describe("idle expiry", () => {
  it("deletes a session by alarm after the idle timeout with no request: POST, GET and DELETE then answer 404", async () => {
    const sessionId = await openSession(endpoint);
    const echo = await callTool(endpoint, sessionId, "echo", { message: "last use" });
    expect(echo.result).toEqual({ content: [{ type: "text", text: "last use" }] });
    let lastRequest = Date.now();
    // Every probe is a request, which postpones expiry: probe at most once per idle timeout.
    let status = 0;
    for (let probe = 0; probe < 3 && status !== 404; probe++) {
      await sleep(lastRequest + IDLE_TIMEOUT_MS + 1_000 - Date.now());
      const response = await mcpPost(endpoint, request(9, "ping"), { sessionId });
      lastRequest = Date.now();
      status = response.status;
      if (status === 404) await expectJsonRpcError(response, 404, { mentioning: "Session not found" });
      else await response.body?.cancel();
    }
    expect(status).toBe(404);
    await expectJsonRpcError(await openStream(endpoint, sessionId), 404, { mentioning: "Session not found" });
    await expectJsonRpcError(await mcpRequest(endpoint, "DELETE", { sessionId }), 404, { mentioning: "Session not found" });
  });
});

describe("Last-Event-ID of no stream of this session", () => {
  it("is refused with 400 and a JSON-RPC error, and changes nothing", async () => {
    const [mine, other] = await Promise.all([openSession(endpoint), openSession(endpoint)]);
    const theirStandalone = sseCursor(await openStream(endpoint, other));
    const theirPriming = await theirStandalone.event();
    await theirStandalone.cancel();
    const theirPostEvents = await readAllSseEvents(
      await mcpPost(
        endpoint,
        request(1, "tools/call", { name: "slow_task", arguments: { steps: 1, delayMs: 0 }, _meta: { progressToken: 1 } }),
        {
          sessionId: other,
        },
      ),
    );
    const theirPostEvent = theirPostEvents.find((event) => event.data !== "")!;
    expect(theirPostEvent.id).toMatch(/_1$/);

    const foreign = [
      theirPriming.id!,
      theirPostEvent.id!,
      `${crypto.randomUUID()}_3`,
      "nonsense",
      "_4",
      `${streamOf(theirPriming.id!)}_x`,
    ];
    for (const lastEventId of foreign) {
      await expectJsonRpcError(await openStream(endpoint, mine, { "last-event-id": lastEventId }), 400, {
        mentioning: "Last-Event-ID",
      });
    }

    // Both sessions are as before: mine opens its stream, theirs still replays after its own id.
    const own = sseCursor(await openStream(endpoint, mine));
    expect((await own.event()).id).toMatch(/_0$/);
    await own.cancel();
    const theirs = await openStream(endpoint, other, { "last-event-id": theirPriming.id! });
    expect(theirs.status).toBe(200);
    const resumed = sseCursor(theirs);
    expect(await resumed.event()).toMatchObject({ id: theirPriming.id, data: "" });
    await resumed.cancel();
  });
});
