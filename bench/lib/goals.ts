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
 */
import { toolsCall, type LoadFigure } from "./load.ts";
import { openSession } from "./mcp.ts";
import { groupCpuMs } from "./processes.ts";
import { percentile } from "./stats.ts";
import type { Measured } from "./report.ts";
import type { RunningSystem, SystemKey, SystemSpec } from "./systems.ts";

type Compared = "a" | "e" | "b" | "d";
/** The systems measured against (b) and (d). */
type Candidate = "a" | "e";

export interface RatioFigure {
  median: number;
  min: number;
  max: number;
}

export interface RoundFigure extends LoadFigure {
  /** workerd CPU time (user + system, every process of the system) per right answer. */
  cpuMsPerRequest: number;
}

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

const median = (values: number[]) => percentile(values, 50);

function spread(values: number[]): RatioFigure {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export async function interleavedGoals(
  specs: SystemSpec[],
  rounds: number,
  secondsPerRound: number,
  warmupS: number,
): Promise<GoalFigures> {
  const spec = (key: SystemKey) => {
    const found = specs.find((s) => s.key === key);
    if (!found) throw new Error(`no system (${key})`);
    return found;
  };
  const running: Partial<Record<Compared, RunningSystem>> = {};
  try {
    for (const key of COMPARED) running[key] = await spec(key).start();
    const targets = Object.fromEntries(
      await Promise.all(
        COMPARED.map(async (key) => {
          const url = running[key]!.mcpUrl;
          return [key, { url, sessionId: await openSession(url) }] as const;
        }),
      ),
    ) as Record<Compared, { url: string; sessionId: string }>;
    for (const key of COMPARED) await toolsCall(targets[key].url, targets[key].sessionId, 16, warmupS);

    const perRound: Record<Compared, RoundFigure[]> = { a: [], e: [], b: [], d: [] };
    for (let round = 0; round < rounds; round++) {
      const shift = round % COMPARED.length;
      const order = [...COMPARED.slice(shift), ...COMPARED.slice(0, shift)];
      for (const key of order) {
        const pgid = running[key]!.pgid;
        const cpuBefore = groupCpuMs(pgid, "workerd");
        const figure = await toolsCall(targets[key].url, targets[key].sessionId, 16, secondsPerRound);
        const cpuMs = groupCpuMs(pgid, "workerd") - cpuBefore;
        if (figure.bad + figure.errors > 0)
          throw new Error(`(${key}) round ${round + 1}: ${figure.bad} bad, ${figure.errors} failed`);
        perRound[key].push({ ...figure, cpuMsPerRequest: cpuMs / figure.requests });
      }
    }
    const ratiosOf = (key: Candidate): GoalRatios => {
      const ratios = (pick: (figure: RoundFigure) => number, base: Compared) =>
        spread(perRound[key].map((figure, round) => pick(figure) / pick(perRound[base][round]!)));
      return {
        reqPerSecToB: ratios((figure) => figure.reqPerSec, "b"),
        p99ToB: ratios((figure) => figure.p99Ms, "b"),
        reqPerSecToD: ratios((figure) => figure.reqPerSec, "d"),
        cpuPerRequestToB: ratios((figure) => figure.cpuMsPerRequest, "b"),
        cpuPerRequestToD: ratios((figure) => figure.cpuMsPerRequest, "d"),
      };
    };
    return { rounds, secondsPerRound, perRound, ratios: { a: ratiosOf("a"), e: ratiosOf("e") } };
  } finally {
    for (const system of Object.values(running)) await system.stop();
  }
}

/** The goals, judged on the median ratio of the interleaved rounds: for (e), and for (a) beside it. */
export function goalLines(goals: Measured<GoalFigures>): string[] {
  if ("unavailable" in goals) return [`? goals: ${goals.unavailable}`];
  const ratioText = ({ median, min, max }: RatioFigure) =>
    `median ${median.toFixed(2)}×, rounds ${min.toFixed(2)}–${max.toFixed(2)}×`;
  const goal = (text: string, ratio: RatioFigure, ok: (ratio: number) => boolean) =>
    `  ${ok(ratio.median) ? "met" : "NOT met"}: ${text} (${ratioText(ratio)})`;
  const cpuMs = (key: Compared) => `${median(goals.perRound[key].map((round) => round.cpuMsPerRequest)).toFixed(2)} ms`;
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
    ...linesOf("a", "the demo as shipped (a dozen tools, resources and prompts built per POST; a log line per request)"),
    `workerd CPU per answer of (b) ${cpuMs("b")}, (d) ${cpuMs("d")}`,
  ];
}
