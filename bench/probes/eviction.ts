/**
 * `npm run probe:eviction [-- seconds [config]]` (about three minutes; not part of `npm run
 * bench`). Starts bench/probes/eviction under `wrangler dev` (its wrangler.toml, or `flag.toml`,
 * which sets `durable_object_io_tasks_prevent_eviction`), asks one object to tick in a promise it
 * does not await and another in its alarm handler, sends neither anything for `seconds` (default
 * 150) and 20 s more, then reads how long each ticked and whether the instance that answers is
 * the one that ticked (docs/measurements/task-limits.md).
 */
import path from "node:path";
import { REPO_ROOT, startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";

const seconds = Number(process.argv[2] ?? "150");
const config = process.argv[3] ?? "wrangler.toml";
const AFTER_S = 20;

interface Read {
  ticks?: { instance: string; startedAt: number; lastTickAt: number; ticks: number };
  readBy: string;
}

const server = await startDevServer({ config: path.join(REPO_ROOT, "bench/probes/eviction", config) });
try {
  const modes = ["bare", "alarm"] as const;
  for (const mode of modes) {
    const started = await fetch(`${server.url}/start?mode=${mode}&id=${mode}&seconds=${seconds}`);
    if (!started.ok) throw new Error(`start ${mode}: ${started.status} ${await started.text()}`);
  }
  console.log(`both objects ticking for ${seconds} s; no request for ${seconds + AFTER_S} s`);
  await new Promise((resolve) => setTimeout(resolve, (seconds + AFTER_S) * 1000));
  for (const mode of modes) {
    const read = (await (await fetch(`${server.url}/read?id=${mode}`)).json()) as Read;
    const ticked = read.ticks ? (read.ticks.lastTickAt - read.ticks.startedAt) / 1000 : 0;
    const same = read.ticks?.instance === read.readBy;
    console.log(
      `${mode === "bare" ? "promise not awaited" : "awaited in alarm()"}: ticked ${ticked.toFixed(1)} s of ${seconds} s ` +
        `(${read.ticks?.ticks ?? 0} ticks); ${same ? "the same instance answered the read" : "a new instance answered the read (the ticking one was evicted)"}`,
    );
  }
} finally {
  await server.stop();
}
