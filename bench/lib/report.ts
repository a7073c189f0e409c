/**
 * The figures table: every figure with its ratio to (b) McpAgent and (d) the bare Worker of
 * the same run, as Markdown (the README quotes it). The goals are judged in goals.ts.
 */
import type { LatencyFigure } from "./list-changed.ts";
import type { LoadFigure, SessionsFigure } from "./load.ts";
import type { MemoryFigure } from "./memory.ts";
import type { SystemKey } from "./systems.ts";

/** A figure, or why there is none (not applicable, or the scenario failed). */
export type Measured<T extends object> = T | { unavailable: string };

export interface SystemFigures {
  key: SystemKey;
  name: string;
  toolsCallC1: Measured<LoadFigure>;
  toolsCallC16: Measured<LoadFigure>;
  sessions: Measured<SessionsFigure>;
  listChanged: Measured<LatencyFigure>;
  memory: Measured<MemoryFigure>;
  /** The machine's 1-minute load average when the system started and when it stopped. */
  loadAverage: [number, number];
}

/** The systems of the table: (f) keeps no sessions and runs only in the 2026-07-28 rounds. */
type TableKey = Exclude<SystemKey, "f">;

export interface Row {
  metric: string;
  /** Per system: the value and its ratios to (b) and (d); null where unavailable. */
  cells: Record<TableKey, { value: number; toB: number | null; toD: number | null } | null>;
}

const figure = <T extends object>(measured: Measured<T>, pick: (value: T) => number): number | undefined =>
  "unavailable" in measured ? undefined : pick(measured);

const METRICS: { metric: string; digits: number; ratios: boolean; of: (f: SystemFigures) => number | undefined }[] = [
  { metric: "tools/call, 1 session, c=1: req/s", digits: 0, ratios: true, of: (f) => figure(f.toolsCallC1, (x) => x.reqPerSec) },
  { metric: "tools/call, 1 session, c=1: p50 ms", digits: 1, ratios: true, of: (f) => figure(f.toolsCallC1, (x) => x.p50Ms) },
  { metric: "tools/call, 1 session, c=1: p99 ms", digits: 1, ratios: true, of: (f) => figure(f.toolsCallC1, (x) => x.p99Ms) },
  {
    metric: "tools/call, 1 session, c=16: req/s",
    digits: 0,
    ratios: true,
    of: (f) => figure(f.toolsCallC16, (x) => x.reqPerSec),
  },
  { metric: "tools/call, 1 session, c=16: p50 ms", digits: 1, ratios: true, of: (f) => figure(f.toolsCallC16, (x) => x.p50Ms) },
  { metric: "tools/call, 1 session, c=16: p99 ms", digits: 1, ratios: true, of: (f) => figure(f.toolsCallC16, (x) => x.p99Ms) },
  {
    metric: "new sessions (initialize + tools/call): sessions/s",
    digits: 0,
    ratios: true,
    of: (f) => figure(f.sessions, (x) => x.sessionsPerSec),
  },
  {
    metric: "list_changed, POST → GET stream: p50 ms",
    digits: 1,
    ratios: true,
    of: (f) => figure(f.listChanged, (x) => x.p50Ms),
  },
  {
    metric: "list_changed, POST → GET stream: p99 ms",
    digits: 1,
    ratios: true,
    of: (f) => figure(f.listChanged, (x) => x.p99Ms),
  },
  {
    metric: "memory per idle session (process RSS delta / sessions): KiB",
    digits: 1,
    ratios: true,
    of: (f) => figure(f.memory, (x) => x.perSessionKiB),
  },
  {
    metric: "bad or failed responses, all load scenarios",
    digits: 0,
    ratios: false,
    of: (f) => [f.toolsCallC1, f.toolsCallC16, f.sessions].reduce((sum, m) => sum + (figure(m, (x) => x.bad + x.errors) ?? 0), 0),
  },
];

const KEYS: TableKey[] = ["a", "b", "c", "d", "e"];

export function buildRows(figures: SystemFigures[]): Row[] {
  const byKey = new Map(figures.map((f) => [f.key, f]));
  return METRICS.map(({ metric, ratios, of }) => {
    const value = (key: TableKey) => {
      const f = byKey.get(key);
      return f && of(f);
    };
    const ratio = (v: number, base: number | undefined) => (ratios && base ? v / base : null);
    const cells = Object.fromEntries(
      KEYS.map((key) => {
        const v = value(key);
        return [key, v === undefined ? null : { value: v, toB: ratio(v, value("b")), toD: ratio(v, value("d")) }];
      }),
    ) as Row["cells"];
    return { metric, cells };
  });
}

export function markdownTable(figures: SystemFigures[], rows: Row[]): string {
  const names = KEYS.map((key) => `(${key}) ${figures.find((f) => f.key === key)?.name ?? "?"}`);
  const lines = [`| figure | ${names.join(" | ")} |`, `|---|${KEYS.map(() => "---").join("|")}|`];
  for (const [i, row] of rows.entries()) {
    const digits = METRICS[i]?.digits ?? 1;
    const cell = (key: TableKey) => {
      const c = row.cells[key];
      if (!c) return "n/a";
      const ratio = (r: number | null) => (r === null ? "–" : `${r.toFixed(2)}×`);
      const shown = c.value.toFixed(digits);
      return c.toB === null && c.toD === null ? shown : `${shown} (b ${ratio(c.toB)}, d ${ratio(c.toD)})`;
    };
    lines.push(`| ${row.metric} | ${KEYS.map(cell).join(" | ")} |`);
  }
  const reasons = figures.flatMap((f) =>
    (["toolsCallC1", "toolsCallC16", "sessions", "listChanged", "memory"] as const).flatMap((scenario) => {
      const m = f[scenario];
      return "unavailable" in m ? [`- n/a (${f.key}) ${scenario}: ${m.unavailable}`] : [];
    }),
  );
  const load = figures.map(({ key, loadAverage: [start, end] }) => `(${key}) ${start.toFixed(1)} → ${end.toFixed(1)}`);
  return [...lines, "", ...reasons, `- 1-minute load average during each system: ${load.join(", ")}`].join("\n");
}
