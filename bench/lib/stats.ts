// Percentiles of the harness's own timings (autocannon's histogram rounds to whole milliseconds).

/** Nearest-rank percentile `p` (0-100) of `values`; NaN when empty. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
