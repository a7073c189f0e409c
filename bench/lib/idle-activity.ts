/**
 * What an idle session costs (issues 5 and 19): a client that keeps the standalone GET stream, as
 * MCP clients do, and sends nothing else for `seconds`. Three variants (`systems/idle/`), each in
 * its own `wrangler dev`, run at the same time: the demo with SSE polling on (the server ends the
 * stream after its lifetime and the client comes back after the `retry:` hint with
 * Last-Event-ID), the demo as shipped, polling off (the stream stays open; the Worker holds it,
 * bridged to the sleeping object over a hibernatable WebSocket), and Cloudflare's McpAgent
 * (the same kind of bridge).
 *
 * Measured, per variant:
 * - held: the time a GET stream was open (held by the Worker, in both systems);
 * - resident: the time the session object was in memory, read without touching it: workerd
 *   opens an object's SQLite file when it starts the object and closes it when it evicts it, so
 *   the harness samples the open files of the workerd processes (/proc/PID/fd) every
 *   SAMPLE_MS. A request would start the object again and a timer in it would keep it in
 *   memory (workerd counts pending timers as activity); reading its file handles does neither;
 * - evictions (that file closing) and the delay from the end of a stream to the eviction;
 * - restarts: starts of the object after the first, from its constructor's log line (each
 *   variant's object class logs one), a second look at the evictions;
 * - reconnects, and the stream lifetime and `retry:` hint the client saw;
 * - from those, the cost of 10,000 such clients for a day (./idle-cost.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { isResident, startedObject } from "../../test/e2e/helpers/object-files.ts";
import { startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";
import { openSession } from "./mcp.ts";
import { IDLE_CLIENTS, IDLE_PRICES, idleCost, oneStartUsd, type IdleCost } from "./idle-cost.ts";
import type { Measured } from "./report.ts";
import { percentile } from "./stats.ts";

/** How often the harness looks at workerd's open files. */
const SAMPLE_MS = 100;

/**
 * The longest window: node's fetch (undici) fails a response body that sends nothing for 300 s,
 * and McpAgent's idle GET stream sends nothing, so a longer window would time the client out.
 */
export const IDLE_MAX_SECONDS = 290;

export type IdleVariantKey = "polling" | "open" | "mcpAgent";

interface IdleVariant {
  key: IdleVariantKey;
  name: string;
  config: string;
  /** The class of the session object, whose `<id>.sqlite` workerd keeps under `v3/do/<worker>-<class>/`. */
  objectClass: string;
  /** Requests to the object of one GET, each billed beside the GET's Worker request. */
  objectRequestsPerGet: number;
}

/** durable-mcp's Worker makes one request per GET to the object, its stream request (src/sessions/worker/get.ts). */
const DURABLE_MCP_REQUESTS_PER_GET = 1;

export const IDLE_VARIANTS: readonly IdleVariant[] = [
  {
    key: "polling",
    name: "durable-mcp, SSE polling on (30 s / 30 s)",
    config: "bench/systems/idle/polling.toml",
    objectClass: "BenchSessionDO",
    objectRequestsPerGet: DURABLE_MCP_REQUESTS_PER_GET,
  },
  {
    key: "open",
    name: "durable-mcp, SSE polling off",
    config: "bench/systems/idle/open.toml",
    objectClass: "BenchSessionDO",
    objectRequestsPerGet: DURABLE_MCP_REQUESTS_PER_GET,
  },
  {
    key: "mcpAgent",
    name: "McpAgent",
    config: "bench/systems/idle/mcp-agent.toml",
    objectClass: "IdleMcpAgent",
    // agents 0.32's GET handler: the `__unsafe_ensureInitialized` and `getInitializeRequest`
    // RPCs, then the WebSocket upgrade (`dist/mcp/index.js`).
    objectRequestsPerGet: 3,
  },
];

/** The variant the costs are compared with: the baseline. */
const BASELINE: IdleVariantKey = "mcpAgent";

export interface IdleFigure {
  /** Seconds per idle minute during which the session object held the client's GET stream. */
  heldSecondsPerMinute: number;
  /** Seconds per idle minute during which the session object was in memory (its SQLite file open). */
  residentSecondsPerMinute: number;
  /**
   * The same from the object's first eviction to the end of the window, per minute of that span:
   * an idle client's steady state, without the start every variant pays once; null without an eviction.
   */
  settledResidentSecondsPerMinute: number | null;
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

export interface IdleVariantFigures extends IdleFigure {
  name: string;
  /** 10,000 clients like this one for a day, at the marginal prices (./idle-cost.ts). */
  cost: IdleCost;
  /** cost ÷ McpAgent's, from the same run; null when McpAgent's is 0. */
  costToMcpAgent: number | null;
  /**
   * When the object was evicted while the client held its one stream and never started again,
   * its residency was its start alone, which the per-day cost scales to every minute: this is
   * that start paid once, as by a client that holds its stream all day. Null otherwise.
   */
  oneStartUsd: number | null;
}

export interface IdleFigures {
  /** The idle window, in seconds; the figures are scaled to one minute. */
  seconds: number;
  /** How many clients the costs are for, and the prices they are at, with their sources. */
  clients: number;
  prices: typeof IDLE_PRICES;
  variants: Record<IdleVariantKey, IdleVariantFigures>;
}

export async function idleActivity(seconds: number): Promise<IdleFigures> {
  const measured = await Promise.all(IDLE_VARIANTS.map((variant) => idleSession(variant, seconds)));
  const costs = IDLE_VARIANTS.map((variant, i) => {
    const figure = measured[i]!;
    return idleCost(figure.residentSecondsPerMinute, (figure.reconnects * 60) / seconds, variant.objectRequestsPerGet);
  });
  const baseline = costs[IDLE_VARIANTS.findIndex((variant) => variant.key === BASELINE)]!.usdPerDay.total;
  const entries = IDLE_VARIANTS.map((variant, i) => {
    const figure = measured[i]!;
    const cost = costs[i]!;
    const startOnly = figure.evictions > 0 && figure.restarts === 0 && figure.streamLifetimeSeconds === null;
    return [
      variant.key,
      {
        name: variant.name,
        ...figure,
        cost,
        costToMcpAgent: baseline > 0 ? round(cost.usdPerDay.total / baseline, 2) : null,
        oneStartUsd: startOnly ? oneStartUsd((figure.residentSecondsPerMinute * seconds) / 60) : null,
      },
    ] as const;
  });
  const variants = Object.fromEntries(entries) as Record<IdleVariantKey, IdleVariantFigures>;
  return { seconds, clients: IDLE_CLIENTS, prices: IDLE_PRICES, variants };
}

/** The printed figures: a line per variant, then the ones whose residency was their start alone, then the prices. */
export function idleLines(figures: Measured<IdleFigures>): string[] {
  if ("unavailable" in figures) return [`? idle session: ${figures.unavailable}`];
  const variants = IDLE_VARIANTS.map(({ key }) => [key, figures.variants[key]] as const);
  const { usdPerMillionGbSeconds, objectGb, usdPerMillionObjectRequests, usdPerMillionWorkerRequests, sources } = figures.prices;
  return [
    `idle session, the ${variants.length} variants at once for ${figures.seconds} s, scaled to one idle minute; ` +
      `$ per ${figures.clients.toLocaleString("en")} idle clients per day at the Paid plan's marginal prices (allowances left out):`,
    ...variants.map(([, figure]) => `  ${variantLine(figure)}`),
    ...variants.flatMap(([key, figure]) =>
      figure.oneStartUsd === null
        ? []
        : [
            `  ${figure.name}: resident only while it started (evicted with its stream held, never started again), which the $ per day scales to ` +
              `every minute; a day of one held stream pays it once, ${usd(figure.oneStartUsd)}` +
              (key === BASELINE ? ", so the ratios to it are lower bounds" : ""),
          ],
    ),
    `  prices: ${usd(usdPerMillionGbSeconds)} per million GB-s at ${objectGb * 1024} MB per object and ` +
      `${usd(usdPerMillionObjectRequests)} per million object requests (${sources[0]}), ` +
      `${usd(usdPerMillionWorkerRequests)} per million Worker requests (${sources[1]})`,
  ];
}

function variantLine(figure: IdleVariantFigures): string {
  const delay = figure.evictionDelaySeconds === null ? "" : ` (${figure.evictionDelaySeconds} s after a stream ended)`;
  const { duration, requests, total } = figure.cost.usdPerDay;
  const ratio = figure.costToMcpAgent === null ? "n/a" : `${figure.costToMcpAgent.toFixed(2)}×`;
  return (
    `${figure.name}: resident ${figure.residentSecondsPerMinute} s/min (after it first slept ${figure.settledResidentSecondsPerMinute ?? "n/a"} s/min), GET held ${figure.heldSecondsPerMinute} s/min, ` +
    `reconnects ${figure.reconnects}, evictions ${figure.evictions}${delay}, restarts ${figure.restarts}: ` +
    `${usd(total)}/day (duration ${usd(duration)}, requests ${usd(requests)}), ${ratio} McpAgent's`
  );
}

const usd = (value: number) => `$${value.toFixed(2)}`;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => (values.length > 0 ? round(percentile(values, 50) / 1000) : null);

async function idleSession(variant: IdleVariant, seconds: number): Promise<IdleFigure> {
  // Our own state directory, so that the object's SQLite file can be recognised by its path.
  const persistTo = await mkdtemp(path.join(tmpdir(), "durable-mcp-bench-idle-"));
  try {
    // Three wrangler devs start at once on a 2-vCPU machine: give them time.
    const server = await startDevServer({ config: variant.config, logLevel: "log", persistTo, readyTimeoutMs: 60_000 });
    try {
      const mcpUrl = `${server.url}/mcp`;
      // The session object's SQLite file, open exactly while workerd holds the object in memory.
      const { result: sessionId, file } = await startedObject(server, variant.objectClass, () => openSession(mcpUrl));
      const object = { isOpen: () => isResident(server, variant.objectClass, file) };

      const reloadsBefore = reloads(server.output());
      const start = Date.now();
      const deadline = start + seconds * 1000;
      const samples: Sample[] = [{ at: start, resident: object.isOpen() }];
      const sampler = setInterval(() => samples.push({ at: Date.now(), resident: object.isOpen() }), SAMPLE_MS);

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
          } catch (error) {
            if (!signal.aborted) throw error; // a broken stream is a failure, not a reconnect
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
        settledResidentSecondsPerMinute: settled(inWindow, evictedAt[0], deadline),
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

/** Seconds resident per minute from `from` (the first eviction) to `end`. */
function settled(samples: Sample[], from: number | undefined, end: number): number | null {
  if (from === undefined || end <= from) return null;
  return round(
    (residentMs(
      samples.filter((sample) => sample.at >= from),
      end,
    ) /
      1000) *
      (60_000 / (end - from)),
  );
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
