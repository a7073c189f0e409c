/**
 * `npm run bench -- --soak [--soak-seconds=N]`: the soak (soak.ts) against system (e), once with
 * the library's default request log line and once without it, each in a fresh wrangler dev, so
 * that what the line costs in memory under wrangler dev shows. Results go to
 * bench/results/<date>-soak.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";
import { soak, type SoakFigures, type SoakPlan } from "./soak.ts";

/** Issue 20 bounds the soak at 5 minutes per run; --soak-seconds may shorten it. */
export const SOAK_DEFAULT_SECONDS = 300;
/** Sessions that each hold a GET stream, and tool calls in flight at once. */
const SOAK_SESSIONS = 200;
const SOAK_CONCURRENCY = 16;

const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;

function print(label: string, figures: SoakFigures): void {
  console.log(
    `  ${label}: ${figures.answers} right answers (${figures.answersPerSecond}/s), ${figures.errors} errors, ` +
      `${figures.getResumes} GET resumes`,
  );
  for (const sample of figures.errorSamples) console.log(`    error: ${sample}`);
  for (const { pid, name, role, startKiB, endKiB, peakKiB } of figures.processes) {
    console.log(`    ${name} ${pid} (${role}): RSS ${mib(startKiB)} → ${mib(endKiB)}, peak ${mib(peakKiB)}`);
  }
}

export async function runSoak(seconds: number): Promise<void> {
  const plan: SoakPlan = { sessions: SOAK_SESSIONS, seconds, concurrency: SOAK_CONCURRENCY };
  const config = path.join(REPO_ROOT, "bench/systems/durable-mcp/wrangler.toml");
  const runs: Record<string, SoakFigures> = {};
  for (const requestLog of ["on", "off"]) {
    const label = `request log ${requestLog}`;
    console.log(
      `soak, (e) with ${label}: ${plan.sessions} sessions holding GET, ${plan.concurrency} tool calls at once, ${seconds} s`,
    );
    const server = await startDevServer({ config, readyTimeoutMs: 60_000, vars: { REQUEST_LOG: requestLog } });
    try {
      runs[label] = await soak(`${server.url}/mcp`, server.pid, plan);
      print(label, runs[label]);
    } finally {
      await server.stop();
    }
  }
  const date = new Date();
  const resultsDir = path.join(REPO_ROOT, "bench/results");
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${date.toISOString().replace(/[:.]/g, "-")}-soak.json`);
  writeFileSync(file, `${JSON.stringify({ date: date.toISOString(), plan, runs }, null, 2)}\n`);
  console.log(`\nwritten: ${path.relative(REPO_ROOT, file)}`);
}
