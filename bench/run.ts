/**
 * `npm run bench [-- --quick]`: starts each system on 127.0.0.1 one after the other, runs the
 * scenarios against it, stops it by its process group, then prints the figures with their
 * ratios to (b) McpAgent and (d) the bare Worker and writes them to bench/results/<date>.json.
 * After them: the interleaved rounds of the goals, those of the 2026-07-28 lane ((e), (f) agents'
 * stateless handler, (d)), those of servers of 1 to 200 tools, and the idle session.
 * --quick is a short smoke run (fewer seconds, sessions and samples); its file ends in -quick.
 * --modern-only runs only the 2026-07-28 lane's interleaved rounds; its file ends in -modern.
 * --server-size runs only the server-size rounds (bench/lib/server-size.ts); its file ends in -server-size.
 * --soak runs only the soak (bench/lib/soak-run.ts), --soak-seconds=N shortens it; its file ends in -soak.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../test/e2e/helpers/wrangler-dev.ts";
import { goalLines, interleavedGoals, interleavedModernGoals, modernGoalLines } from "./lib/goals.ts";
import { idleActivity } from "./lib/idle-activity.ts";
import { listChangedLatency } from "./lib/list-changed.ts";
import { newSessions, toolsCall } from "./lib/load.ts";
import { openSession } from "./lib/mcp.ts";
import { measureIdleSessions, type MemoryFigure } from "./lib/memory.ts";
import { buildRows, markdownTable, type Measured, type SystemFigures } from "./lib/report.ts";
import { serverSizeGoalLines, serverSizeLines, serverSizeRounds } from "./lib/server-size.ts";
import { runSoak, SOAK_DEFAULT_SECONDS } from "./lib/soak-run.ts";
import { AGENTS_STATELESS, SYSTEMS, type RunningSystem, type SystemSpec } from "./lib/systems.ts";

const args = process.argv.slice(2);
const soakSecondsArg = args.find((arg) => arg.startsWith("--soak-seconds="));
const soakSeconds = soakSecondsArg === undefined ? SOAK_DEFAULT_SECONDS : Number(soakSecondsArg.split("=")[1]);
const known = (arg: string) => ["--quick", "--modern-only", "--server-size", "--soak"].includes(arg) || arg === soakSecondsArg;
if (
  args.some((arg) => !known(arg)) ||
  (args.includes("--modern-only") && args.includes("--server-size")) ||
  !(Number.isInteger(soakSeconds) && soakSeconds > 0 && soakSeconds <= SOAK_DEFAULT_SECONDS)
) {
  console.error(
    `usage: npm run bench [-- [--quick] [--modern-only | --server-size] | --soak [--soak-seconds=N (1-${SOAK_DEFAULT_SECONDS})]]`,
  );
  process.exit(2);
}
const quick = args.includes("--quick");
const modernOnly = args.includes("--modern-only");
const serverSizeOnly = args.includes("--server-size");
/** Neither flag that runs one scenario alone. */
const everything = !modernOnly && !serverSizeOnly;
if (args.includes("--soak")) {
  await runSoak(soakSeconds);
  process.exit(0);
}

const PLAN = quick
  ? {
      warmupS: 1,
      loadS: 2,
      sessions: 40,
      sessionConnections: 8,
      listChangedSamples: 10,
      idleSessions: 40,
      settleMs: 1000,
      idleS: 60,
      goalRounds: 3,
      goalRoundS: 2,
      serverSizeRounds: 3,
      serverSizeRoundS: 2,
    }
  : {
      warmupS: 3,
      loadS: 10,
      sessions: 200,
      sessionConnections: 8,
      listChangedSamples: 100,
      idleSessions: 200,
      settleMs: 2000,
      idleS: 120,
      goalRounds: 9,
      goalRoundS: 5,
      // 32 lanes (4 sizes × 2 schema placements × 2 methods × log line or not): 9 rounds of 5 s
      // would take 24 minutes; these take about 10 with the warm-up.
      serverSizeRounds: 5,
      serverSizeRoundS: 3,
    };

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function attempt<T extends object>(label: string, scenario: () => Promise<T>): Promise<Measured<T>> {
  try {
    const value = await scenario();
    console.log(`  ${label}: ${JSON.stringify(value)}`);
    return value;
  } catch (error) {
    const message = errorMessage(error);
    console.log(`  ${label}: FAILED ${message}`);
    return { unavailable: `failed: ${message}` };
  }
}

async function measure(spec: SystemSpec, system: RunningSystem): Promise<SystemFigures> {
  const loadAtStart = os.loadavg()[0] ?? NaN;
  const url = system.mcpUrl;
  const na = spec.notApplicable;
  // The first session also compiles the code paths; memory is read next, before any load has
  // grown the heap: slack left by the load scenarios would absorb the sessions' memory.
  const sessionId = await openSession(url);
  const memory: Measured<MemoryFigure> = na.memory
    ? { unavailable: na.memory }
    : await attempt("memory", () => measureIdleSessions(url, system.pgid, spec.memoryProcess, PLAN.idleSessions, PLAN.settleMs));
  await toolsCall(url, sessionId, 16, PLAN.warmupS);
  return {
    key: spec.key,
    name: spec.name,
    toolsCallC1: await attempt("tools/call c=1", () => toolsCall(url, sessionId, 1, PLAN.loadS)),
    toolsCallC16: await attempt("tools/call c=16", () => toolsCall(url, sessionId, 16, PLAN.loadS)),
    sessions: await attempt("new sessions", () => newSessions(url, PLAN.sessions, PLAN.sessionConnections)),
    listChanged: na.listChanged
      ? { unavailable: na.listChanged }
      : await attempt("list_changed", () => listChangedLatency(url, PLAN.listChangedSamples)),
    memory,
    loadAverage: [loadAtStart, os.loadavg()[0] ?? NaN],
  };
}

/** A system that did not start, or whose first session failed: every figure is unavailable. */
function failed(spec: SystemSpec, error: unknown): SystemFigures {
  const unavailable = { unavailable: `failed: ${errorMessage(error)}` };
  const load = os.loadavg()[0] ?? NaN;
  return {
    key: spec.key,
    name: spec.name,
    toolsCallC1: unavailable,
    toolsCallC16: unavailable,
    sessions: unavailable,
    listChanged: unavailable,
    memory: unavailable,
    loadAverage: [load, load],
  };
}

const date = new Date();
const figures: SystemFigures[] = [];
for (const spec of everything ? SYSTEMS : []) {
  console.log(`(${spec.key}) ${spec.name}: starting`);
  let system: RunningSystem | undefined;
  try {
    system = await spec.start();
    figures.push(await measure(spec, system));
  } catch (error) {
    console.log(`  FAILED: ${errorMessage(error)}`);
    figures.push(failed(spec, error));
  } finally {
    await system?.stop();
  }
}

const skipped = { unavailable: `not run (${modernOnly ? "--modern-only" : "--server-size"})` };
const rounds = `${PLAN.goalRounds} interleaved rounds of ${PLAN.goalRoundS} s at c=16`;
if (everything) console.log(`goals: (a), (e), (b) and (d) side by side, ${rounds}`);
const goalFigures = everything
  ? await attempt("goals", () => interleavedGoals(SYSTEMS, PLAN.goalRounds, PLAN.goalRoundS, PLAN.warmupS))
  : skipped;

if (!serverSizeOnly) console.log(`2026-07-28 tools/call: (e), (f) and (d) side by side, ${rounds}`);
const modernGoalFigures = serverSizeOnly
  ? skipped
  : await attempt("2026-07-28 goals", () =>
      interleavedModernGoals([...SYSTEMS, AGENTS_STATELESS], PLAN.goalRounds, PLAN.goalRoundS, PLAN.warmupS),
    );

const sizeRounds = `${PLAN.serverSizeRounds} interleaved rounds of ${PLAN.serverSizeRoundS} s per lane at c=16`;
if (!modernOnly)
  console.log(
    `server size: 1, 12, 50 and 200 tools, schemas per isolate or per request, tools/call and tools/list, log line or not, ${sizeRounds}`,
  );
const serverSize = modernOnly
  ? skipped
  : await attempt("server size", () => serverSizeRounds(PLAN.serverSizeRounds, PLAN.serverSizeRoundS, PLAN.warmupS));

// An idle minute needs a minute: both variants at once, each in its own wrangler dev.
if (everything) console.log(`durable-mcp idle session, SSE polling on (defaults) and off: ${PLAN.idleS} s`);
const idle = everything ? await attempt("idle session", () => idleActivity(PLAN.idleS)) : skipped;

const cpus = os.cpus();
const wranglerPackage = path.join(REPO_ROOT, "node_modules/wrangler/package.json");
const { version: wranglerVersion } = JSON.parse(readFileSync(wranglerPackage, "utf8")) as { version: string };
const machine = {
  cpu: `${cpus[0]?.model ?? "unknown"} × ${cpus.length}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  wrangler: wranglerVersion,
};
const rows = buildRows(figures);
const table = markdownTable(figures, rows);
const goals = everything ? goalLines(goalFigures) : [];
const modernGoals = serverSizeOnly ? [] : modernGoalLines(modernGoalFigures);
const serverSizeGoals = modernOnly ? [] : serverSizeGoalLines(serverSize);
const where = `${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, wrangler ${machine.wrangler}`;
const flags = [quick && "--quick", modernOnly && "--modern-only", serverSizeOnly && "--server-size"].filter(Boolean).join(" ");
console.log(`\n${date.toISOString()}${flags ? ` (${flags})` : ""}: ${where}\n`);
if (everything) console.log(`${table}\n\n${goals.join("\n")}\n`);
if (!serverSizeOnly) console.log(modernGoals.join("\n"));
if (!modernOnly) console.log(`\n${serverSizeLines(serverSize).join("\n")}\n\n${serverSizeGoals.join("\n")}`);
if (!("unavailable" in idle)) {
  const { polling: on, open: off, ratio } = idle;
  const delay = on.evictionDelaySeconds === null ? "" : `, ${on.evictionDelaySeconds} s after the stream ended`;
  console.log(
    `\nidle session (durable-mcp, ${idle.seconds} s, scaled to one minute), SSE polling on (defaults) vs off:\n` +
      `  object resident (its SQLite file open in workerd): ${on.residentSecondsPerMinute} s vs ${off.residentSecondsPerMinute} s (${ratio.resident}×)\n` +
      `  GET stream held: ${on.heldSecondsPerMinute} s vs ${off.heldSecondsPerMinute} s (${ratio.held}×)\n` +
      `  in ${idle.seconds} s: reconnects ${on.reconnects} vs ${off.reconnects}; evictions ${on.evictions} vs ${off.evictions}${delay}; ` +
      `object restarts ${on.restarts} vs ${off.restarts}`,
  );
}

const resultsDir = path.join(REPO_ROOT, "bench/results");
mkdirSync(resultsDir, { recursive: true });
const suffix = `${quick ? "-quick" : ""}${modernOnly ? "-modern" : ""}${serverSizeOnly ? "-server-size" : ""}`;
const file = path.join(resultsDir, `${date.toISOString().replace(/[:.]/g, "-")}${suffix}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: date.toISOString(),
      quick,
      modernOnly,
      serverSizeOnly,
      machine,
      plan: PLAN,
      systems: figures,
      rows,
      goals,
      goalFigures,
      modernGoals,
      modernGoalFigures,
      serverSizeGoals,
      serverSize,
      idle,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten: ${path.relative(REPO_ROOT, file)}`);
