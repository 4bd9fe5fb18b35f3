/**
 * Order statistics of large arrays without copying them: the k-th smallest finite value (or of |v − centre|)
 * by histogram refinement — count the values into bins, keep the bin holding rank k, narrow the range to it,
 * and repeat until the bin is small enough to copy and finish with quickselect, or holds one value. Each round
 * is two passes over the data; integer-valued images (counts) end after one or two. The results are exact.
 */

const BINS = 4096;
/** A bin this small is copied and finished with quickselect. */
const SMALL = 65_536;

/** The k-th smallest value (0-based) of `a` (reordered in place). */
export function quickselect(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median of `a` (all finite, at least one), reordering it in place. */
export function medianInPlace(a: Float64Array): number {
  const h = a.length >> 1;
  const hiV = quickselect(a, h);
  if (a.length % 2) return hiV;
  let loV = -Infinity;
  for (let i = 0; i < h; i++) if (a[i] > loV) loV = a[i];
  return (loV + hiV) / 2;
}

/**
 * The values an order statistic ranks: the finite values, or their distances |v − centre| from a centre
 * (`centre` NaN: the values themselves).
 */
interface Ranked {
  readonly values: ArrayLike<number>;
  readonly centre: number;
}

/** Count, minimum and maximum of the finite ranked values. */
function finiteRange(r: Ranked): { n: number; lo: number; hi: number } {
  const { values, centre } = r;
  const abs = centre === centre;
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = abs ? Math.abs(values[i] - centre) : values[i];
    if (!(v - v === 0)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { n, lo, hi };
}

/** A range [lo, hi] of values, the rank sought among the values in it, and the largest value below it. */
interface Window {
  lo: number;
  hi: number;
  rank: number;
  below: number;
}

/** Bin counts of the values in [lo, hi], and each bin's smallest and largest value. */
function histogram(
  r: Ranked,
  w: Window,
  scale: number,
): { counts: Int32Array; min: Float64Array; max: Float64Array } {
  const counts = new Int32Array(BINS);
  const min = new Float64Array(BINS).fill(Infinity);
  const max = new Float64Array(BINS).fill(-Infinity);
  const { lo, hi } = w;
  const { values, centre } = r;
  const abs = centre === centre;
  for (let i = 0; i < values.length; i++) {
    const v = abs ? Math.abs(values[i] - centre) : values[i];
    if (!(v >= lo && v <= hi)) continue;
    const b = Math.min(BINS - 1, Math.floor((v - lo) * scale));
    counts[b]++;
    if (v < min[b]) min[b] = v;
    if (v > max[b]) max[b] = v;
  }
  return { counts, min, max };
}

/** The values in [lo, hi], copied (few). */
function valuesIn(r: Ranked, lo: number, hi: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const { values, centre } = r;
  const abs = centre === centre;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = abs ? Math.abs(values[i] - centre) : values[i];
    if (v >= lo && v <= hi) out[k++] = v;
  }
  return out;
}

/** Narrows the window to the values of the bin of its rank; returns their count. */
function narrow(r: Ranked, w: Window): number {
  const { counts, min, max } = histogram(r, w, BINS / (w.hi - w.lo));
  let b = 0;
  while (w.rank >= counts[b]) {
    if (counts[b]) w.below = max[b];
    w.rank -= counts[b++];
  }
  w.lo = min[b];
  w.hi = max[b];
  return counts[b];
}

/** The finite ranked values of ranks k − 1 and k (0-based; NaN below rank 0), `range.n` of them. */
function ranks(r: Ranked, k: number, range: FiniteRange): [number, number] {
  const w: Window = { lo: range.lo, hi: range.hi, rank: k, below: NaN };
  let count = range.n;
  while (w.lo < w.hi && count > SMALL) count = narrow(r, w);
  if (w.lo === w.hi) return [w.rank > 0 ? w.lo : w.below, w.lo];
  const a = valuesIn(r, w.lo, w.hi, count);
  const v = quickselect(a, w.rank);
  return [w.rank > 0 ? quickselect(a, w.rank - 1) : w.below, v];
}

interface FiniteRange {
  readonly n: number;
  readonly lo: number;
  readonly hi: number;
}

function medianOf(r: Ranked, range: FiniteRange): number {
  if (range.n === 0) return NaN;
  const [lo, hi] = ranks(r, range.n >> 1, range);
  return range.n % 2 ? hi : (lo + hi) / 2;
}

/** Median of the finite values (NaN when none); nothing copied. */
export function largeMedian(values: ArrayLike<number>): number {
  const r = { values, centre: NaN };
  return medianOf(r, finiteRange(r));
}

/** Median of the finite values and their median absolute deviation from it; nothing copied. */
export function largeRobust(values: ArrayLike<number>): { median: number; mad: number } {
  const range = finiteRange({ values, centre: NaN });
  const median = medianOf({ values, centre: NaN }, range);
  const spread = { n: range.n, lo: 0, hi: Math.max(median - range.lo, range.hi - median) };
  return { median, mad: range.n ? medianOf({ values, centre: median }, spread) : NaN };
}
