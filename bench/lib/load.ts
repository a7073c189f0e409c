/**
 * The load scenarios, driven by autocannon on keep-alive connections. Every response is parsed
 * (JSON or SSE) and checked for the right JSON-RPC result under the request's own id; a wrong
 * status or body counts as `bad`, connection errors and timeouts as `errors`. Each run is
 * bounded in time and in request count.
 */
import autocannon, { type Options, type Result } from "autocannon";
import {
  echoCallBody,
  initializeBody,
  isEchoResult,
  isModernEchoResult,
  isResult,
  modernEchoCallBody,
  modernEchoHeaders,
  parseMessages,
  postHeaders,
  type JsonRpcMessage,
} from "./mcp.ts";
import { percentile } from "./stats.ts";

export interface LoadFigure {
  connections: number;
  requests: number;
  bad: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SessionsFigure {
  connections: number;
  /** Sessions whose initialize and tools/call both answered right. */
  sessions: number;
  bad: number;
  errors: number;
  sessionsPerSec: number;
}

/** Far above what a local server answers within one scenario: only a runaway guard. */
const MAX_REQUESTS = 2_000_000;
const REQUEST_TIMEOUT_S = 10;

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry === undefined ? undefined : [entry[1]].flat()[0];
}

interface Run {
  result: Result;
  latenciesMs: number[];
  /** From the start to the last response: autocannon itself notices the end only on its 1 s tick. */
  seconds: number;
}

/** Runs autocannon, stopping it after `capMs` whatever its own bound says. */
function run(options: Options, capMs: number): Promise<Run> {
  const started = performance.now();
  let last = started;
  const latenciesMs: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: REQUEST_TIMEOUT_S, ...options }, (error, result) => {
      clearTimeout(cap);
      if (error) reject(error);
      else resolve({ result, latenciesMs, seconds: (last - started) / 1000 });
    });
    instance.on("response", (_client, _status, _bytes, responseTimeMs) => {
      latenciesMs.push(responseTimeMs);
      last = performance.now();
    });
    const cap = setTimeout(() => instance.stop(), capMs);
  });
}

/** One kind of request, sent again and again: its headers, its body for an id, and its check. */
export interface Call {
  headers: Record<string, string>;
  body(id: number): string;
  isRight(messages: JsonRpcMessage[], id: number): boolean;
}

/** `call` again and again, `connections` at a time, for `seconds`; every answer checked. */
export async function callLoad(mcpUrl: string, call: Call, connections: number, seconds: number): Promise<LoadFigure> {
  let nextId = 1;
  let bad = 0;
  const {
    result,
    latenciesMs,
    seconds: elapsed,
  } = await run(
    {
      url: mcpUrl,
      connections,
      duration: seconds,
      maxOverallRequests: MAX_REQUESTS,
      requests: [
        {
          method: "POST",
          headers: call.headers,
          setupRequest: (request, context) => {
            context.id = nextId++;
            return { ...request, body: call.body(context.id as number) };
          },
          onResponse: (status, body, context, headers) => {
            const messages = parseMessages(body, header(headers, "content-type"));
            if (status !== 200 || !call.isRight(messages, context.id as number)) bad++;
          },
        },
      ],
    },
    (seconds + 2 * REQUEST_TIMEOUT_S) * 1000,
  );
  return {
    connections,
    requests: latenciesMs.length,
    bad,
    errors: result.errors + result.timeouts,
    reqPerSec: (latenciesMs.length - bad) / elapsed,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
  };
}

/** tools/call echo on one session, `connections` at a time, for `seconds`. */
export function toolsCall(mcpUrl: string, sessionId: string, connections: number, seconds: number): Promise<LoadFigure> {
  return callLoad(mcpUrl, { headers: postHeaders(sessionId), body: echoCallBody, isRight: isEchoResult }, connections, seconds);
}

/**
 * tools/call echo on the 2026-07-28 revision, no session: every request carries its version and
 * client capabilities in `params._meta` and the MCP-Protocol-Version, Mcp-Method and Mcp-Name
 * headers; every answer must be a complete result with the echo text.
 */
export function modernToolsCall(mcpUrl: string, connections: number, seconds: number): Promise<LoadFigure> {
  const call = { headers: modernEchoHeaders(), body: modernEchoCallBody, isRight: isModernEchoResult };
  return callLoad(mcpUrl, call, connections, seconds);
}

interface SessionCycles {
  /** Sessions whose initialize and tools/call both answered right. */
  done: number;
  bad: number;
  result: Result;
  latenciesMs: number[];
  seconds: number;
}

/** initialize, then tools/call echo on the session it opened, again and again on every connection. */
function sessionCycles(mcpUrl: string, connections: number, bound: Pick<Options, "amount" | "duration">, capMs: number) {
  let done = 0;
  let bad = 0;
  return run(
    {
      url: mcpUrl,
      connections,
      ...bound,
      requests: [
        {
          method: "POST",
          headers: postHeaders(),
          body: initializeBody(0),
          onResponse: (status, body, context, headers) => {
            const sessionId = header(headers, "mcp-session-id");
            const ok = status === 200 && sessionId && isResult(parseMessages(body, header(headers, "content-type")), 0);
            if (ok) context.sessionId = sessionId;
            else bad++;
          },
        },
        {
          method: "POST",
          // Without a session id (its initialize failed) the server's 400 counts as bad below.
          setupRequest: (request, context) => ({
            ...request,
            headers: postHeaders(context.sessionId as string | undefined),
            body: echoCallBody(1),
          }),
          onResponse: (status, body, _context, headers) => {
            if (status === 200 && isEchoResult(parseMessages(body, header(headers, "content-type")), 1)) done++;
            else bad++;
          },
        },
      ],
    },
    capMs,
  ).then((ran): SessionCycles => ({ ...ran, done, bad }));
}

/** `sessions` new sessions, each initialize then tools/call echo on its own session id. */
export async function newSessions(mcpUrl: string, sessions: number, connections: number): Promise<SessionsFigure> {
  // autocannon spreads `amount` evenly over the connections: each must end on a whole session.
  if (sessions % connections !== 0) throw new Error(`${sessions} sessions do not split over ${connections} connections`);
  const capMs = (sessions * 2 * REQUEST_TIMEOUT_S * 1000) / connections;
  const { done, bad, result, seconds } = await sessionCycles(mcpUrl, connections, { amount: sessions * 2 }, capMs);
  return { connections, sessions: done, bad, errors: result.errors + result.timeouts, sessionsPerSec: done / seconds };
}

/**
 * New sessions for `seconds`, as a round of the interleaved goals takes it: `requests` counts
 * whole sessions (initialize + tools/call), so req/s is sessions/s and the CPU per answer is per
 * session; the latencies are those of both requests.
 */
export async function sessionsLoad(mcpUrl: string, connections: number, seconds: number): Promise<LoadFigure> {
  const capMs = (seconds + 2 * REQUEST_TIMEOUT_S) * 1000;
  const {
    done,
    bad,
    result,
    latenciesMs,
    seconds: elapsed,
  } = await sessionCycles(mcpUrl, connections, { duration: seconds }, capMs);
  return {
    connections,
    requests: done,
    bad,
    errors: result.errors + result.timeouts,
    reqPerSec: done / elapsed,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
  };
}
