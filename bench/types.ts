/**
 * Shared benchmark types and helpers for bench/*.bench.ts modules (driven by bench/run.ts).
 */

/** One benchmark measurement: `ms` for exprfit, `baselineMs` for the named baseline, `ratio = ms / baselineMs`. */
export interface BenchRow {
  name: string;
  ms: number;
  baselineMs: number;
  /** ms / baselineMs: below 1 means exprfit is faster than the baseline. */
  ratio: number;
  note?: string;
}

/** Median wall time in ms of `runs` calls of `fn`, after `warmup` untimed calls. */
export function timeMedian(fn: () => unknown, runs = 15, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts.length % 2 ? ts[ts.length >> 1] : (ts[ts.length / 2 - 1] + ts[ts.length / 2]) / 2;
}
