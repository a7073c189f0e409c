/**
 * `npm run bench [-- --quick]`: starts each system on 127.0.0.1 one after the other, runs the
 * scenarios against it, stops it by its process group, then prints the figures with their
 * ratios to (b) McpAgent and (d) the bare Worker and writes them to bench/results/<date>.json.
 * After them: the interleaved rounds of the goals, those of the 2026-07-28 lane ((e), (f) agents'
 * stateless handler, (d)), those of servers of 1 to 200 tools, and the idle session (durable-mcp
 * with SSE polling on and off, and McpAgent, with what 10,000 idle clients cost per day).
 * --quick is a short smoke run (fewer seconds, sessions and samples); its file ends in -quick.
 * --goals runs only the interleaved rounds of the goals ((a), (e), (b), (d)); its file ends in -goals.
 * --modern-only runs only the 2026-07-28 lane's interleaved rounds; its file ends in -modern.
 * --server-size runs only the server-size rounds (bench/lib/server-size.ts); its file ends in -server-size.
 * --idle runs only the idle session (bench/lib/idle-activity.ts); its file ends in -idle.
 * --idle-seconds=N sets the idle window (default 120 s, --quick 60 s).
 * --soak runs only the soak (bench/lib/soak-run.ts), --soak-seconds=N shortens it; its file ends in -soak.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../test/e2e/helpers/wrangler-dev.ts";
import { goalLines, interleavedGoals, interleavedModernGoals, modernGoalLines } from "./lib/goals.ts";
import { IDLE_MAX_SECONDS, idleActivity, idleLines } from "./lib/idle-activity.ts";
import { listChangedLatency } from "./lib/list-changed.ts";
import { newSessions, toolsCall } from "./lib/load.ts";
import { openSession } from "./lib/mcp.ts";
import { measureIdleSessions, type MemoryFigure } from "./lib/memory.ts";
import { buildRows, markdownTable, type Measured, type SystemFigures } from "./lib/report.ts";
import { serverSizeGoalLines, serverSizeLines, serverSizeRounds } from "./lib/server-size.ts";
import { runSoak, SOAK_DEFAULT_SECONDS } from "./lib/soak-run.ts";
import { wakeLatency, wakeLines } from "./lib/wake-latency.ts";
import { AGENTS_STATELESS, SYSTEMS, type RunningSystem, type SystemSpec } from "./lib/systems.ts";

const args = process.argv.slice(2);
const soakSecondsArg = args.find((arg) => arg.startsWith("--soak-seconds="));
const soakSeconds = soakSecondsArg === undefined ? SOAK_DEFAULT_SECONDS : Number(soakSecondsArg.split("=")[1]);
const idleSecondsArg = args.find((arg) => arg.startsWith("--idle-seconds="));
const idleSeconds = idleSecondsArg === undefined ? undefined : Number(idleSecondsArg.split("=")[1]);
const ONLY_FLAGS = ["--goals", "--modern-only", "--server-size", "--idle"];
const known = (arg: string) =>
  ["--quick", "--soak", ...ONLY_FLAGS].includes(arg) || arg === soakSecondsArg || arg === idleSecondsArg;
const inRange = (seconds: number, max: number) => Number.isInteger(seconds) && seconds > 0 && seconds <= max;
if (
  args.some((arg) => !known(arg)) ||
  ONLY_FLAGS.filter((flag) => args.includes(flag)).length > 1 ||
  !inRange(soakSeconds, SOAK_DEFAULT_SECONDS) ||
  (idleSeconds !== undefined && !inRange(idleSeconds, IDLE_MAX_SECONDS)) ||
  // A window for an idle session that would not run.
  (idleSeconds !== undefined && ONLY_FLAGS.some((flag) => flag !== "--idle" && args.includes(flag)))
) {
  console.error(
    `usage: npm run bench [-- [--quick] [--goals | --modern-only | --server-size | --idle] [--idle-seconds=N (1-${IDLE_MAX_SECONDS})]` +
      ` | --soak [--soak-seconds=N (1-${SOAK_DEFAULT_SECONDS})]]`,
  );
  process.exit(2);
}
const quick = args.includes("--quick");
const goalsOnly = args.includes("--goals");
const modernOnly = args.includes("--modern-only");
const serverSizeOnly = args.includes("--server-size");
const idleOnly = args.includes("--idle");
/** No flag that runs one scenario alone. */
const everything = !goalsOnly && !modernOnly && !serverSizeOnly && !idleOnly;
const runsGoals = everything || goalsOnly;
const runsModern = everything || modernOnly;
const runsServerSize = everything || serverSizeOnly;
const runsIdle = everything || idleOnly;
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
      idleS: idleSeconds ?? 60,
      wakeSamples: 3,
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
      idleS: idleSeconds ?? 120,
      wakeSamples: 8,
      goalRounds: 9,
      goalRoundS: 5,
      // 64 lanes (4 sizes × 4 ways to get a server × 2 methods × log line or not): 9 rounds of 5 s
      // would take 48 minutes; these take about 17 with the warm-up.
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

const skipped = { unavailable: `not run (${ONLY_FLAGS.find((flag) => args.includes(flag))})` };
const rounds = `${PLAN.goalRounds} interleaved rounds of ${PLAN.goalRoundS} s at c=16`;
if (runsGoals) console.log(`goals: (a), (e), (b) and (d) side by side, ${rounds}, then new sessions the same way`);
const goalFigures = runsGoals
  ? await attempt("goals", () => interleavedGoals(SYSTEMS, PLAN.goalRounds, PLAN.goalRoundS, PLAN.warmupS))
  : skipped;

if (runsModern) console.log(`2026-07-28 tools/call: (e), (f) and (d) side by side, ${rounds}`);
const modernGoalFigures = runsModern
  ? await attempt("2026-07-28 goals", () =>
      interleavedModernGoals([...SYSTEMS, AGENTS_STATELESS], PLAN.goalRounds, PLAN.goalRoundS, PLAN.warmupS),
    )
  : skipped;

const sizeRounds = `${PLAN.serverSizeRounds} interleaved rounds of ${PLAN.serverSizeRoundS} s per lane at c=16`;
if (runsServerSize)
  console.log(
    `server size: 1, 12, 50 and 200 tools, built per request (schemas per isolate or per request) or reused, tools/call and tools/list, log line or not, ${sizeRounds}`,
  );
const serverSize = runsServerSize
  ? await attempt("server size", () => serverSizeRounds(PLAN.serverSizeRounds, PLAN.serverSizeRoundS, PLAN.warmupS))
  : skipped;

// An idle minute needs a minute: the three variants at once, each in its own wrangler dev, and
// beside them the delivery latency from a sleeping object (each sample waits for an eviction).
if (runsIdle) console.log(`idle session, durable-mcp with SSE polling on and off (the default), and McpAgent: ${PLAN.idleS} s`);
if (runsIdle)
  console.log(`delivery to a held stream from a sleeping and an awake session object: ${PLAN.wakeSamples} samples each`);
const [idle, wake] = runsIdle
  ? await Promise.all([
      attempt("idle session", () => idleActivity(PLAN.idleS)),
      attempt("wake latency", () => wakeLatency(PLAN.wakeSamples)),
    ])
  : [skipped, skipped];

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
const goals = runsGoals ? goalLines(goalFigures) : [];
const modernGoals = runsModern ? modernGoalLines(modernGoalFigures) : [];
const serverSizeGoals = runsServerSize ? serverSizeGoalLines(serverSize) : [];
const where = `${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, wrangler ${machine.wrangler}`;
const flags = [quick && "--quick", ...ONLY_FLAGS.filter((flag) => args.includes(flag)), idleSecondsArg].filter(Boolean).join(" ");
console.log(`\n${date.toISOString()}${flags ? ` (${flags})` : ""}: ${where}\n`);
if (everything) console.log(`${table}\n`);
if (runsGoals) console.log(`${goals.join("\n")}\n`);
if (runsModern) console.log(modernGoals.join("\n"));
if (runsServerSize) console.log(`\n${serverSizeLines(serverSize).join("\n")}\n\n${serverSizeGoals.join("\n")}`);
if (runsIdle) console.log(`\n${idleLines(idle).join("\n")}\n${wakeLines(wake).join("\n")}`);
const resultsDir = path.join(REPO_ROOT, "bench/results");
mkdirSync(resultsDir, { recursive: true });
const suffix = `${quick ? "-quick" : ""}${goalsOnly ? "-goals" : ""}${modernOnly ? "-modern" : ""}${serverSizeOnly ? "-server-size" : ""}${idleOnly ? "-idle" : ""}`;
const file = path.join(resultsDir, `${date.toISOString().replace(/[:.]/g, "-")}${suffix}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: date.toISOString(),
      quick,
      goalsOnly,
      modernOnly,
      serverSizeOnly,
      idleOnly,
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
      wake,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten: ${path.relative(REPO_ROOT, file)}`);
