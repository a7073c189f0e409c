/**
 * What an idle session costs (issue 5): a client that keeps the standalone GET stream, as MCP
 * clients do, and sends nothing else for `seconds`. With polling on, the server ends the stream
 * after its lifetime and the client comes back after the `retry:` hint with Last-Event-ID;
 * with polling off, the stream stays open. Measured: the seconds per idle minute during which
 * the session object held a stream (it cannot be evicted then), the reconnects, and the times
 * the object was started again after an eviction (its constructor logs each start).
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { startDevServer, type DevServer } from "../../test/e2e/helpers/wrangler-dev.ts";
import { openSession } from "./mcp.ts";

export interface IdleFigure {
  /** Seconds per minute during which the session object held the client's stream. */
  heldSecondsPerMinute: number;
  reconnects: number;
  /** Starts of the session object after the first: each follows an eviction. */
  restarts: number;
}

export async function idleActivity(seconds: number): Promise<{ polling: IdleFigure; open: IdleFigure }> {
  const [polling, open] = await Promise.all(
    ["polling", "open"].map((variant) => idleSession(`bench/systems/idle/${variant}.toml`, seconds)),
  );
  return { polling: polling!, open: open! };
}

async function idleSession(config: string, seconds: number): Promise<IdleFigure> {
  const server: DevServer = await startDevServer({ config, logLevel: "log" });
  try {
    const mcpUrl = `${server.url}/mcp`;
    const sessionId = await openSession(mcpUrl);
    const startsBefore = countStarts(server.output());
    const deadline = Date.now() + seconds * 1000;
    let held = 0;
    let reconnects = -1;
    let lastEventId: string | undefined;
    let retryMs = 0;
    while (Date.now() < deadline) {
      reconnects++;
      const opened = Date.now();
      const response = await fetch(mcpUrl, {
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": sessionId,
          "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
          ...(lastEventId && { "last-event-id": lastEventId }),
        },
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      if (response.status !== 200 || !response.body) throw new Error(`GET answered ${response.status}`);
      const events = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (retryMs = ms) }));
      try {
        for await (const event of events) if (event.id) lastEventId = event.id;
      } catch {
        // The deadline aborted the read.
      }
      held += Math.min(Date.now(), deadline) - opened;
      const wait = Math.min(retryMs, deadline - Date.now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return {
      heldSecondsPerMinute: Math.round((held / 1000) * (60 / seconds) * 10) / 10,
      reconnects,
      restarts: countStarts(server.output()) - startsBefore,
    };
  } finally {
    await server.stop();
  }
}

function countStarts(output: string): number {
  return output.split("\n").filter((line) => line.includes('"event":"do_start"')).length;
}
