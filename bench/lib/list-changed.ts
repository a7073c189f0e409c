/**
 * Notification latency: the time from sending a POST whose tool makes the server send
 * notifications/tools/list_changed to that notification's arrival on the session's standalone
 * GET stream (raw fetch, SSE parsed by eventsource-parser). One warm-up round first, which also
 * proves the stream is registered before anything is timed.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { isResult, openSession, parseMessages, postHeaders, REQUEST_TIMEOUT_MS, toolCallBody } from "./mcp.ts";
import { percentile } from "./stats.ts";

export interface LatencyFigure {
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LatencyRounds {
  /** The session to measure; a new one when absent. */
  sessionId?: string;
  /** Runs before each timed round (not the warm-up): to let the session object sleep first. */
  beforeRound?: () => Promise<void>;
}

export async function listChangedLatency(mcpUrl: string, samples: number, rounds: LatencyRounds = {}): Promise<LatencyFigure> {
  const sessionId = rounds.sessionId ?? (await openSession(mcpUrl));
  const reading = new AbortController();
  const stream = await fetch(mcpUrl, {
    headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": LATEST_PROTOCOL_VERSION },
    signal: reading.signal,
  });
  if (stream.status !== 200 || !stream.body) throw new Error(`GET stream answered ${stream.status}`);

  let arrived: ((at: number) => void) | undefined;
  const events = stream.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = (async () => {
    for await (const { data } of events) {
      const message = data ? (JSON.parse(data) as { method?: string }) : {};
      if (message.method === "notifications/tools/list_changed") arrived?.(performance.now());
    }
  })().catch(() => {}); // ends with the abort below

  let nextId = 1;
  const round = async (): Promise<number> => {
    const id = nextId++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrival = new Promise<number>((resolve, reject) => {
      arrived = resolve;
      timer = setTimeout(() => reject(new Error(`no list_changed within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    });
    arrival.catch(() => {}); // awaited below; must not count as unhandled while the POST runs
    try {
      const sent = performance.now();
      const response = await fetch(mcpUrl, {
        method: "POST",
        headers: postHeaders(sessionId),
        body: toolCallBody(id, "toggle_extra_tool"),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const messages = parseMessages(await response.text(), response.headers.get("content-type") ?? undefined);
      if (!isResult(messages, id)) throw new Error(`toggle_extra_tool failed: ${response.status} ${JSON.stringify(messages)}`);
      return (await arrival) - sent;
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    await round();
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await rounds.beforeRound?.();
      latencies.push(await round());
    }
    return { samples, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    reading.abort();
    await reader;
  }
}
