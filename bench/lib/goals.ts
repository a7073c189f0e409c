/**
 * The issue's goals, measured so that machine noise cancels out: durable-mcp's (a) demo and
 * (e) bench server, (b) McpAgent and (d) the bare Worker run side by side, and short rounds of
 * tools/call at concurrency 16 alternate between them in a rotating order. Each round gives one
 * ratio per goal; the median over the rounds is what a goal is judged on, and the spread is
 * printed with it. Run one after the other, the same figure moved 2–3× between runs on a
 * 2-vCPU machine. The goals are judged on (e), which serves what (b) serves and, like (b),
 * logs nothing per request; (a)'s figures are printed beside them.
 *
 * Each round also reads the CPU time the system's workerd processes used (/proc), per answer:
 * the cost that throughput on a busy machine only shows through the noise.
 *
 * The 2026-07-28 lane has its own rounds, the same way: (e) on that lane, (f) agents' stateless
 * `createMcpHandler` on SDK v2 and (d) the bare Worker, each answering the same sessionless
 * tools/call; its goals are judged on (e)'s median ratios to (f) and (d).
 */
import { modernToolsCall, toolsCall } from "./load.ts";
import { openSession } from "./mcp.ts";
import type { Measured } from "./report.ts";
import {
  goal,
  medianCpuMs,
  medianReqPerSec,
  ratioOver,
  ratioText,
  rotate,
  type RatioFigure,
  type RoundFigure,
} from "./rounds.ts";
import type { RunningSystem, SystemKey, SystemSpec } from "./systems.ts";

type Compared = "a" | "e" | "b" | "d";
/** The systems measured against (b) and (d). */
type Candidate = "a" | "e";

export interface GoalFigures {
  rounds: number;
  secondsPerRound: number;
  /** Every round's figures, per system. */
  perRound: Record<Compared, RoundFigure[]>;
  ratios: Record<Candidate, GoalRatios>;
}

export interface GoalRatios {
  reqPerSecToB: RatioFigure;
  p99ToB: RatioFigure;
  reqPerSecToD: RatioFigure;
  cpuPerRequestToB: RatioFigure;
  cpuPerRequestToD: RatioFigure;
}

const COMPARED: Compared[] = ["a", "e", "b", "d"];

function findSpec(specs: SystemSpec[], key: SystemKey): SystemSpec {
  const found = specs.find((s) => s.key === key);
  if (!found) throw new Error(`no system (${key})`);
  return found;
}

export async function interleavedGoals(
  specs: SystemSpec[],
  rounds: number,
  secondsPerRound: number,
  warmupS: number,
): Promise<GoalFigures> {
  const running: Partial<Record<Compared, RunningSystem>> = {};
  try {
    for (const key of COMPARED) running[key] = await findSpec(specs, key).start();
    const lanes = await Promise.all(
      COMPARED.map(async (key) => {
        const { mcpUrl, pgid } = running[key]!;
        const sessionId = await openSession(mcpUrl);
        return { key, pgid, load: (seconds: number) => toolsCall(mcpUrl, sessionId, 16, seconds) };
      }),
    );
    for (const lane of lanes) await lane.load(warmupS);
    const perRound = await rotate(lanes, rounds, secondsPerRound);
    const ratiosOf = (key: Candidate): GoalRatios => ({
      reqPerSecToB: ratioOver(perRound, key, "b", (figure) => figure.reqPerSec),
      p99ToB: ratioOver(perRound, key, "b", (figure) => figure.p99Ms),
      reqPerSecToD: ratioOver(perRound, key, "d", (figure) => figure.reqPerSec),
      cpuPerRequestToB: ratioOver(perRound, key, "b", (figure) => figure.cpuMsPerRequest),
      cpuPerRequestToD: ratioOver(perRound, key, "d", (figure) => figure.cpuMsPerRequest),
    });
    return { rounds, secondsPerRound, perRound, ratios: { a: ratiosOf("a"), e: ratiosOf("e") } };
  } finally {
    for (const system of Object.values(running)) await system.stop();
  }
}

type ModernCompared = "e" | "f" | "d";
const MODERN_COMPARED: ModernCompared[] = ["e", "f", "d"];

export interface ModernGoalFigures {
  rounds: number;
  secondsPerRound: number;
  /** Every round's figures, per system, all on 2026-07-28 tools/call at c=16. */
  perRound: Record<ModernCompared, RoundFigure[]>;
  /** (e)'s ratios to (f) agents' stateless handler and (d) the bare Worker. */
  ratios: {
    reqPerSecToF: RatioFigure;
    reqPerSecToD: RatioFigure;
    p99ToF: RatioFigure;
    cpuPerRequestToF: RatioFigure;
    cpuPerRequestToD: RatioFigure;
  };
}

/** The 2026-07-28 lane's rounds: (e), (f) and (d) side by side, sessionless tools/call at c=16. */
export async function interleavedModernGoals(
  specs: SystemSpec[],
  rounds: number,
  secondsPerRound: number,
  warmupS: number,
): Promise<ModernGoalFigures> {
  const running: Partial<Record<ModernCompared, RunningSystem>> = {};
  try {
    for (const key of MODERN_COMPARED) running[key] = await findSpec(specs, key).start();
    const lanes = MODERN_COMPARED.map((key) => {
      const { mcpUrl, pgid } = running[key]!;
      return { key, pgid, load: (seconds: number) => modernToolsCall(mcpUrl, 16, seconds) };
    });
    for (const lane of lanes) await lane.load(warmupS);
    const perRound = await rotate(lanes, rounds, secondsPerRound);
    return {
      rounds,
      secondsPerRound,
      perRound,
      ratios: {
        reqPerSecToF: ratioOver(perRound, "e", "f", (figure) => figure.reqPerSec),
        reqPerSecToD: ratioOver(perRound, "e", "d", (figure) => figure.reqPerSec),
        p99ToF: ratioOver(perRound, "e", "f", (figure) => figure.p99Ms),
        cpuPerRequestToF: ratioOver(perRound, "e", "f", (figure) => figure.cpuMsPerRequest),
        cpuPerRequestToD: ratioOver(perRound, "e", "d", (figure) => figure.cpuMsPerRequest),
      },
    };
  } finally {
    for (const system of Object.values(running)) await system.stop();
  }
}

/** The goals, judged on the median ratio of the interleaved rounds: for (e), and for (a) beside it. */
export function goalLines(goals: Measured<GoalFigures>): string[] {
  if ("unavailable" in goals) return [`? goals: ${goals.unavailable}`];
  const cpuMs = (key: Compared) => medianCpuMs(goals.perRound[key]);
  const linesOf = (key: Candidate, title: string) => {
    const ratios = goals.ratios[key];
    return [
      `(${key}) ${title}:`,
      goal("req/s >= 2× McpAgent", ratios.reqPerSecToB, (ratio) => ratio >= 2),
      goal("p99 <= 0.5× McpAgent", ratios.p99ToB, (ratio) => ratio <= 0.5),
      goal("req/s >= 0.5× bare Worker", ratios.reqPerSecToD, (ratio) => ratio >= 0.5),
      `  workerd CPU per answer ${cpuMs(key)}: ${ratioText(ratios.cpuPerRequestToB)} of McpAgent's, ${ratioText(ratios.cpuPerRequestToD)} of the bare Worker's`,
    ];
  };
  return [
    `goals, from ${goals.rounds} interleaved rounds of ${goals.secondsPerRound} s per system at c=16:`,
    ...linesOf("e", "durable-mcp serving (b)'s tools, no request log (the goals are judged on it)"),
    ...linesOf(
      "a",
      "the demo as shipped (a dozen tools, resources and prompts built per POST after reading its state; the default request log)",
    ),
    `workerd CPU per answer of (b) ${cpuMs("b")}, (d) ${cpuMs("d")}`,
  ];
}

/** The 2026-07-28 lane's goals, judged on (e)'s median ratios over the rounds. */
export function modernGoalLines(goals: Measured<ModernGoalFigures>): string[] {
  if ("unavailable" in goals) return [`? 2026-07-28 goals: ${goals.unavailable}`];
  const { perRound, ratios } = goals;
  const figures = (key: ModernCompared) =>
    `${medianReqPerSec(perRound[key])}, workerd CPU per answer ${medianCpuMs(perRound[key])}`;
  return [
    `2026-07-28 tools/call (no session), from ${goals.rounds} interleaved rounds of ${goals.secondsPerRound} s per system at c=16 (medians):`,
    `  (e) durable-mcp: ${figures("e")}`,
    `  (f) agents createMcpHandler: ${figures("f")}`,
    `  (d) bare Worker: ${figures("d")}`,
    `(e) durable-mcp's 2026-07-28 lane (the goals are judged on it):`,
    goal("req/s >= 1.0× agents createMcpHandler", ratios.reqPerSecToF, (ratio) => ratio >= 1),
    goal("req/s >= 0.8× bare Worker", ratios.reqPerSecToD, (ratio) => ratio >= 0.8),
    `  p99: ${ratioText(ratios.p99ToF)} of agents createMcpHandler's`,
    `  workerd CPU per answer: ${ratioText(ratios.cpuPerRequestToF)} of agents createMcpHandler's, ${ratioText(ratios.cpuPerRequestToD)} of the bare Worker's`,
  ];
}
