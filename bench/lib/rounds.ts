/**
 * Interleaved rounds, the way the bench compares figures on a noisy machine: every lane (one
 * system, or one variant of a system) is warmed up, then runs its load once per round, in an
 * order shuffled anew each round, and a ratio between two lanes is taken within each round, then
 * summarised by its median and range. Not merely rotated: a rotation keeps every lane behind the
 * same one, and in one workerd a lane pays for the garbage its predecessor left: server-size's
 * 200-tool reuse lane, always behind its heaviest lane, measured 0.39× the req/s of the 1-tool
 * one, and 1.1× the built 200-tool server's when only those lanes ran. Each round also reads the
 * CPU time the lane's workerd processes used (/proc), per answer. goals.ts and server-size.ts
 * build their scenarios on these.
 */
import type { LoadFigure } from "./load.ts";
import { groupCpuMs } from "./processes.ts";
import { percentile } from "./stats.ts";

export interface RatioFigure {
  median: number;
  min: number;
  max: number;
}

export interface RoundFigure extends LoadFigure {
  /** workerd CPU time (user + system, every process of the system) per right answer. */
  cpuMsPerRequest: number;
}

export const median = (values: number[]) => percentile(values, 50);

export function spread(values: number[]): RatioFigure {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** One lane of the rounds: its process group (for its CPU time) and one round of its load. */
export interface Lane<K extends string> {
  key: K;
  pgid: number;
  load(seconds: number): Promise<LoadFigure>;
}

/** The items in a random order (Fisher–Yates). */
function shuffled<T>(items: T[]): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Every lane's load for `warmupS`, then `rounds` rounds, each running it once, in an order shuffled each round. */
export async function interleave<K extends string>(lanes: Lane<K>[], rounds: number, secondsPerRound: number, warmupS: number) {
  for (const lane of lanes) await lane.load(warmupS);
  const perRound = Object.fromEntries(lanes.map(({ key }) => [key, [] as RoundFigure[]])) as Record<K, RoundFigure[]>;
  for (let round = 0; round < rounds; round++) {
    for (const { key, pgid, load } of shuffled(lanes)) {
      const cpuBefore = groupCpuMs(pgid, "workerd");
      const figure = await load(secondsPerRound);
      const cpuMs = groupCpuMs(pgid, "workerd") - cpuBefore;
      if (figure.bad + figure.errors > 0)
        throw new Error(`(${key}) round ${round + 1}: ${figure.bad} bad, ${figure.errors} failed`);
      perRound[key].push({ ...figure, cpuMsPerRequest: cpuMs / figure.requests });
    }
  }
  return perRound;
}

/** Per round, a figure of `key` divided by the same figure of `base`: the median and range. */
export function ratioOver<K extends string>(
  perRound: Record<K, RoundFigure[]>,
  key: K,
  base: K,
  pick: (figure: RoundFigure) => number,
) {
  return spread(perRound[key].map((figure, round) => pick(figure) / pick(perRound[base][round]!)));
}

export const ratioText = ({ median, min, max }: RatioFigure) =>
  `median ${median.toFixed(2)}×, rounds ${min.toFixed(2)}–${max.toFixed(2)}×`;
/** A goal's line: met or not on the median ratio, with the ratio and its range. */
export const goal = (text: string, ratio: RatioFigure, ok: (ratio: number) => boolean) =>
  `  ${ok(ratio.median) ? "met" : "NOT met"}: ${text} (${ratioText(ratio)})`;
export const medianCpuMs = (figures: RoundFigure[]) => `${median(figures.map((round) => round.cpuMsPerRequest)).toFixed(2)} ms`;
export const medianReqPerSec = (figures: RoundFigure[]) => `${median(figures.map((round) => round.reqPerSec)).toFixed(0)} req/s`;
