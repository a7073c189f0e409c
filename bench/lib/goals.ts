/**
 * The issue's goals, measured so that machine noise cancels out: durable-mcp's (a) demo and
 * (e) bench server, (b) McpAgent and (d) the bare Worker run side by side, and short rounds of
 * tools/call at concurrency 16 alternate between them in an order shuffled each round. Each
 * round gives one ratio per goal; the median over the rounds is what a goal is judged on, and
 * the spread is printed with it. Run one after the other, the same figure moved 2–3× between runs on a
 * 2-vCPU machine. The goals are judged on (e), which serves what (b) serves and, like (b),
 * logs nothing per request; (a)'s figures are printed beside them.
 *
 * Each round also reads the CPU time the system's workerd processes used (/proc), per answer:
 * the cost that throughput on a busy machine only shows through the noise. New sessions
 * (initialize + tools/call) have rounds of their own the same way, after the tools/call rounds.
 *
 * The 2026-07-28 lane has its own rounds, the same way: (e) on that lane, (f) agents' stateless
 * `createMcpHandler` on SDK v2 and (d) the bare Worker, each answering the same sessionless
 * tools/call; its goals are judged on (e)'s median ratios to (f) and (d).
 */
import { modernToolsCall, sessionsLoad, toolsCall } from "./load.ts";
import { openSession } from "./mcp.ts";
import type { Measured } from "./report.ts";
import {
  goal,
  medianCpuMs,
  medianReqPerSec,
  median,
  ratioOver,
  ratioText,
  interleave,
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
  /** The new-session rounds: per round, sessions per second and workerd CPU per session. */
  sessions: {
    connections: number;
    perRound: Record<Compared, RoundFigure[]>;
    ratios: Record<Candidate, SessionRatios>;
  };
}

export interface SessionRatios {
  sessionsPerSecToB: RatioFigure;
  sessionsPerSecToD: RatioFigure;
  cpuPerSessionToB: RatioFigure;
}

export interface GoalRatios {
  reqPerSecToB: RatioFigure;
  p99ToB: RatioFigure;
  reqPerSecToD: RatioFigure;
  cpuPerRequestToB: RatioFigure;
  cpuPerRequestToD: RatioFigure;
}

const COMPARED: Compared[] = ["a", "e", "b", "d"];
/** As the sequential new-sessions scenario (run.ts): sessions opened this many at a time. */
const SESSION_CONNECTIONS = 8;

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
    const perRound = await interleave(lanes, rounds, secondsPerRound, warmupS);
    const ratiosOf = (key: Candidate): GoalRatios => ({
      reqPerSecToB: ratioOver(perRound, key, "b", (figure) => figure.reqPerSec),
      p99ToB: ratioOver(perRound, key, "b", (figure) => figure.p99Ms),
      reqPerSecToD: ratioOver(perRound, key, "d", (figure) => figure.reqPerSec),
      cpuPerRequestToB: ratioOver(perRound, key, "b", (figure) => figure.cpuMsPerRequest),
      cpuPerRequestToD: ratioOver(perRound, key, "d", (figure) => figure.cpuMsPerRequest),
    });
    const sessionLanes = COMPARED.map((key) => {
      const { mcpUrl, pgid } = running[key]!;
      return { key, pgid, load: (seconds: number) => sessionsLoad(mcpUrl, SESSION_CONNECTIONS, seconds) };
    });
    const sessionRounds = await interleave(sessionLanes, rounds, secondsPerRound, warmupS);
    const sessionRatiosOf = (key: Candidate): SessionRatios => ({
      sessionsPerSecToB: ratioOver(sessionRounds, key, "b", (figure) => figure.reqPerSec),
      sessionsPerSecToD: ratioOver(sessionRounds, key, "d", (figure) => figure.reqPerSec),
      cpuPerSessionToB: ratioOver(sessionRounds, key, "b", (figure) => figure.cpuMsPerRequest),
    });
    return {
      rounds,
      secondsPerRound,
      perRound,
      ratios: { a: ratiosOf("a"), e: ratiosOf("e") },
      sessions: {
        connections: SESSION_CONNECTIONS,
        perRound: sessionRounds,
        ratios: { a: sessionRatiosOf("a"), e: sessionRatiosOf("e") },
      },
    };
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
    const perRound = await interleave(lanes, rounds, secondsPerRound, warmupS);
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

/**
 * The goals, judged on the median ratio of the interleaved rounds, each with its issue: issue 8's
 * and issue 18's like-for-like ones on (e), issue 18's for the demo as shipped on (a).
 */
export function goalLines(goals: Measured<GoalFigures>): string[] {
  if ("unavailable" in goals) return [`? goals: ${goals.unavailable}`];
  const cpuMs = (key: Compared) => medianCpuMs(goals.perRound[key]);
  const sessionCpuMs = (key: Compared) => medianCpuMs(goals.sessions.perRound[key]);
  const cpuLine = (key: Candidate) => {
    const ratios = goals.ratios[key];
    return `  workerd CPU per answer ${cpuMs(key)}: ${ratioText(ratios.cpuPerRequestToB)} of McpAgent's, ${ratioText(ratios.cpuPerRequestToD)} of the bare Worker's`;
  };
  const sessionLine = (key: Candidate) => {
    const ratios = goals.sessions.ratios[key];
    return `  new sessions: ${median(goals.sessions.perRound[key].map((round) => round.reqPerSec)).toFixed(0)} sessions/s, ${ratioText(ratios.sessionsPerSecToD)} of the bare Worker's; workerd CPU per session ${sessionCpuMs(key)}, ${ratioText(ratios.cpuPerSessionToB)} of McpAgent's`;
  };
  const e = goals.ratios.e;
  const a = goals.ratios.a;
  return [
    `goals, from ${goals.rounds} interleaved rounds of ${goals.secondsPerRound} s per system: tools/call at c=16, then new sessions (initialize + tools/call) ${goals.sessions.connections} at a time:`,
    `(e) durable-mcp serving (b)'s tools, no request log (the like-for-like goals are judged on it):`,
    goal("issue 8: req/s >= 2× McpAgent", e.reqPerSecToB, (ratio) => ratio >= 2),
    goal("issue 8: p99 <= 0.5× McpAgent", e.p99ToB, (ratio) => ratio <= 0.5),
    goal("issue 8: req/s >= 0.5× bare Worker", e.reqPerSecToD, (ratio) => ratio >= 0.5),
    goal("issue 18: req/s >= 0.7× bare Worker", e.reqPerSecToD, (ratio) => ratio >= 0.7),
    goal("issue 18: sessions/s >= 3× McpAgent", goals.sessions.ratios.e.sessionsPerSecToB, (ratio) => ratio >= 3),
    cpuLine("e"),
    sessionLine("e"),
    `(a) the demo as shipped (a dozen tools, resources and prompts built per POST after reading its state; the default request log):`,
    goal("issue 18: req/s >= 2× McpAgent", a.reqPerSecToB, (ratio) => ratio >= 2),
    `  p99: ${ratioText(a.p99ToB)} of McpAgent's; req/s: ${ratioText(a.reqPerSecToD)} of the bare Worker's; sessions/s: ${ratioText(goals.sessions.ratios.a.sessionsPerSecToB)} of McpAgent's`,
    cpuLine("a"),
    sessionLine("a"),
    `workerd CPU per answer of (b) ${cpuMs("b")}, (d) ${cpuMs("d")}; per new session (b) ${sessionCpuMs("b")}, (d) ${sessionCpuMs("d")}`,
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
