/**
 * Delivery from a sleeping session object (issue 19): the demo under `wrangler dev`, a client
 * holding its GET stream, and the list_changed latency (./list-changed.ts) measured twice on the
 * same session: awake (rounds back to back) and asleep (before each round the harness waits
 * until workerd has evicted the object, read from its open SQLite file without touching it,
 * test/e2e/helpers/object-files.ts, so the round's POST wakes it).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startedObject, untilEvicted } from "../../test/e2e/helpers/object-files.ts";
import { startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";
import { listChangedLatency, type LatencyFigure } from "./list-changed.ts";
import { openSession } from "./mcp.ts";
import type { Measured } from "./report.ts";

/** workerd evicts an idle object about 10 s after its last event; a loaded machine may take longer. */
const EVICTION_WAIT_MS = 60_000;

export interface WakeLatency {
  awake: LatencyFigure;
  asleep: LatencyFigure;
  /** Asleep rounds whose publish found the object evicted (all of them, or the harness failed). */
  woken: number;
}

export async function wakeLatency(samples: number): Promise<WakeLatency> {
  const persistTo = await mkdtemp(path.join(tmpdir(), "durable-mcp-bench-wake-"));
  try {
    const server = await startDevServer({ persistTo, readyTimeoutMs: 60_000 });
    try {
      const url = `${server.url}/mcp`;
      const { result: sessionId, file } = await startedObject(server, "SessionDO", () => openSession(url));

      const awake = await listChangedLatency(url, samples, { sessionId });
      let woken = 0;
      const asleep = await listChangedLatency(url, samples, {
        sessionId,
        beforeRound: async () => {
          try {
            await untilEvicted(server, "SessionDO", file, EVICTION_WAIT_MS);
            woken++;
          } catch {
            // Still resident: the round goes on, and is not counted as a wake.
          }
        },
      });
      return { awake, asleep, woken };
    } finally {
      await server.stop();
    }
  } finally {
    await rm(persistTo, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${Math.round(value * 10) / 10} ms`;

export function wakeLines(wake: Measured<WakeLatency>): string[] {
  if ("unavailable" in wake) return [`delivery from a sleeping session object: ${wake.unavailable}`];
  const { awake, asleep, woken } = wake;
  return [
    `delivery to a held GET stream (POST of toggle_extra_tool → its list_changed on the stream), demo, ${asleep.samples} samples each:`,
    `  session object asleep (evicted before each round; ${woken} of ${asleep.samples} woken by the publish): p50 ${ms(asleep.p50Ms)}, p99 ${ms(asleep.p99Ms)}`,
    `  awake: p50 ${ms(awake.p50Ms)}, p99 ${ms(awake.p99Ms)}; asleep ÷ awake at p50 ${Math.round((asleep.p50Ms / awake.p50Ms) * 100) / 100}×`,
  ];
}
