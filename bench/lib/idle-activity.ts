/**
 * What an idle session costs (issue 5): a client that keeps the standalone GET stream, as MCP
 * clients do, and sends nothing else for `seconds`. With polling on, the server ends the stream
 * after its lifetime and the client comes back after the `retry:` hint with Last-Event-ID;
 * with polling off, the stream stays open. Two variants of the demo (`systems/idle/`), each in
 * its own `wrangler dev`, run at the same time.
 *
 * Measured, per variant:
 * - held: the time a GET stream was open (the object cannot be evicted while it holds one);
 * - resident: the time the session object was in memory, read without touching it: workerd
 *   opens an object's SQLite file when it starts the object and closes it when it evicts it, so
 *   the harness samples the open files of the workerd processes (/proc/PID/fd) every
 *   SAMPLE_MS. A request would start the object again and a timer in it would keep it in
 *   memory (workerd counts pending timers as activity); reading its file handles does neither;
 * - evictions (that file closing) and the delay from the end of a stream to the eviction;
 * - restarts: starts of the object after the first, from its constructor's log line (the
 *   bench's subclass of SessionDO logs one), a second look at the evictions;
 * - reconnects, and the stream lifetime and `retry:` hint the client saw.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";
import { openSession } from "./mcp.ts";
import { groupPids } from "./processes.ts";
import { percentile } from "./stats.ts";

/** How often the harness looks at workerd's open files. */
const SAMPLE_MS = 100;

export interface IdleFigure {
  /** Seconds per idle minute during which the session object held the client's GET stream. */
  heldSecondsPerMinute: number;
  /** Seconds per idle minute during which the session object was in memory (its SQLite file open). */
  residentSecondsPerMinute: number;
  /** GETs after the first within the window. */
  reconnects: number;
  /** Times the session object was evicted (its SQLite file closed) within the window. */
  evictions: number;
  /** Median seconds from the end of a stream to the eviction that followed; null without evictions. */
  evictionDelaySeconds: number | null;
  /** Starts of the session object within the window, from its constructor's log line: each follows an eviction. */
  restarts: number;
  /** Median seconds a stream lasted when the server ended it; null if none ended. */
  streamLifetimeSeconds: number | null;
  /** The last `retry:` hint the client got, in ms; null if none. */
  retryMs: number | null;
}

export interface IdleFigures {
  /** The idle window, in seconds; the figures are scaled to one minute. */
  seconds: number;
  /** Polling on: the library's defaults. */
  polling: IdleFigure;
  /** Polling off: `streamLifetimeMs: 0`. */
  open: IdleFigure;
  /** polling ÷ open. */
  ratio: { resident: number; held: number };
}

export async function idleActivity(seconds: number): Promise<IdleFigures> {
  const [polling, open] = await Promise.all(
    ["polling", "open"].map((variant) => idleSession(`bench/systems/idle/${variant}.toml`, seconds)),
  );
  const ratio = (pick: (figure: IdleFigure) => number) => round(pick(polling!) / pick(open!), 2);
  return {
    seconds,
    polling: polling!,
    open: open!,
    ratio: { resident: ratio((f) => f.residentSecondsPerMinute), held: ratio((f) => f.heldSecondsPerMinute) },
  };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => (values.length > 0 ? round(percentile(values, 50) / 1000) : null);

async function idleSession(config: string, seconds: number): Promise<IdleFigure> {
  // Our own state directory, so that the object's SQLite file can be recognised by its path.
  const persistTo = await mkdtemp(path.join(tmpdir(), "durable-mcp-bench-idle-"));
  try {
    const server = await startDevServer({ config, logLevel: "log", persistTo, readyTimeoutMs: 60_000 });
    try {
      const mcpUrl = `${server.url}/mcp`;
      const sessionId = await openSession(mcpUrl);
      const objectFile = new ObjectFile(server.pid, persistTo);

      const reloadsBefore = reloads(server.output());
      const start = Date.now();
      const deadline = start + seconds * 1000;
      const samples: Sample[] = [{ at: start, resident: objectFile.isOpen() }];
      const sampler = setInterval(() => samples.push({ at: Date.now(), resident: objectFile.isOpen() }), SAMPLE_MS);

      const streams: { opened: number; ended: number; byServer: boolean }[] = [];
      let lastEventId: string | undefined;
      let retryMs: number | null = null;
      try {
        while (Date.now() < deadline) {
          const opened = Date.now();
          const signal = AbortSignal.timeout(Math.max(1, deadline - opened));
          const response = await fetch(mcpUrl, {
            headers: {
              accept: "text/event-stream",
              "mcp-session-id": sessionId,
              "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
              ...(lastEventId && { "last-event-id": lastEventId }),
            },
            signal,
          }).catch((error: unknown) => {
            if (signal.aborted) return undefined; // reconnecting as the window closed
            throw error;
          });
          if (!response) break;
          if (response.status !== 200 || !response.body) throw new Error(`GET answered ${response.status}`);
          const events = response.body
            .pipeThrough(new TextDecoderStream())
            .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (retryMs = ms) }));
          let byServer = true;
          try {
            for await (const event of events) if (event.id) lastEventId = event.id;
          } catch {
            byServer = false; // the deadline aborted the read
          }
          const ended = Math.min(Date.now(), deadline);
          streams.push({ opened, ended, byServer: byServer && ended < deadline });
          const wait = Math.min(retryMs ?? 0, deadline - Date.now());
          if (wait > 0) await sleep(wait);
        }
      } finally {
        clearInterval(sampler);
      }
      // wrangler dev watches the Worker's sources: an edit under src/ reloads it, which ends
      // the streams and drops every object; such a window measures the edit, not polling.
      if (reloads(server.output()) > reloadsBefore) {
        throw new Error("wrangler dev reloaded the Worker during the idle window (a source file changed)");
      }
      const inWindow = samples.filter((sample) => sample.at <= deadline);

      const perMinute = (ms: number) => round((ms / 1000) * (60 / seconds));
      const evictedAt = evictions(inWindow);
      const delays = evictedAt.flatMap((at) => {
        const ended = streams.filter((stream) => stream.ended <= at).at(-1)?.ended;
        return ended === undefined ? [] : [at - ended];
      });
      return {
        heldSecondsPerMinute: perMinute(streams.reduce((sum, s) => sum + (s.ended - s.opened), 0)),
        residentSecondsPerMinute: perMinute(residentMs(inWindow, deadline)),
        reconnects: streams.length - 1,
        evictions: evictedAt.length,
        evictionDelaySeconds: median(delays),
        restarts: objectStarts(server.output()).filter((at) => at >= start && at <= deadline).length,
        streamLifetimeSeconds: median(streams.filter((s) => s.byServer).map((s) => s.ended - s.opened)),
        retryMs,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await rm(persistTo, { recursive: true, force: true });
  }
}

interface Sample {
  at: number;
  resident: boolean;
}

/** Milliseconds resident from the first sample to `end`, each sample holding until the next one. */
function residentMs(samples: Sample[], end: number): number {
  let total = 0;
  samples.forEach((sample, i) => {
    const until = Math.min(samples[i + 1]?.at ?? end, end);
    if (sample.resident && until > sample.at) total += until - sample.at;
  });
  return total;
}

/** When the object was evicted: the first sample that saw its file closed after one that saw it open. */
function evictions(samples: Sample[]): number[] {
  return samples.flatMap((sample, i) => (i > 0 && samples[i - 1]!.resident && !sample.resident ? [sample.at] : []));
}

/** How often wrangler dev has reloaded the Worker since it started. */
function reloads(output: string): number {
  return output.split("Reloading local server").length - 1;
}

/** `at` of each `do_start` line the bench's session object logged (see systems/idle/). */
function objectStarts(output: string): number[] {
  return output.split("\n").flatMap((line) => {
    const json = line.slice(line.indexOf("{"));
    if (!json.includes('"event":"do_start"')) return [];
    try {
      return [(JSON.parse(json) as { at: number }).at];
    } catch {
      return [];
    }
  });
}

/**
 * The session object's SQLite file among the open files of the workerd processes of a `wrangler
 * dev` group: open exactly while workerd holds the object in memory. Found right after the
 * session's initialize, when the object has just started; the bench runs one session per server.
 */
class ObjectFile {
  readonly #pids: string[];
  readonly #file: string;

  constructor(pgid: number, persistTo: string) {
    this.#pids = groupPids(pgid, "workerd");
    const files = [...new Set(this.#openFiles())].filter(
      (file) => file.startsWith(persistTo) && /\/v3\/do\/[^/]+-BenchSessionDO\/[0-9a-f]{64}\.sqlite$/.test(file),
    );
    if (files.length !== 1) {
      throw new Error(`expected the session object's SQLite file open in workerd, found ${JSON.stringify(files)}`);
    }
    this.#file = files[0]!;
  }

  isOpen(): boolean {
    return this.#openFiles().includes(this.#file);
  }

  #openFiles(): string[] {
    const files: string[] = [];
    for (const pid of this.#pids) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue; // the process is gone
      }
      for (const fd of fds) {
        try {
          files.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
        } catch {
          // closed between readdir and readlink
        }
      }
    }
    return files;
  }
}
