/**
 * The fitted regions: a group's bounding box around its peaks (clipped at the image edge), copied into the
 * stack that `fitMany` fits, with pixels in the Voronoi cells of peaks outside the group masked out.
 */
import { NdArray } from '../../data/index.ts';

/** Spots fitted together, and their region. */
export interface Group {
  readonly members: number[];
  readonly bx: number;
  readonly by: number;
  readonly bw: number;
  readonly bh: number;
  /** Peaks outside the group whose Voronoi cells are masked out of the region. */
  readonly others: number[];
  readonly clipped: boolean;
}

/** Peak pixels: column and row of each peak. */
export interface PeakPixels {
  readonly px: Int32Array;
  readonly py: Int32Array;
}

/**
 * The indices 0..n-1 ordered by row (a counting sort; the same row in index order). Spots visited in this order
 * read the image a band of rows at a time (in cache) rather than all over it in peak order: several times
 * faster for a large image, and the same numbers.
 */
export function rowOrder(n: number, rowOf: (k: number) => number, H: number): Int32Array {
  const start = new Int32Array(H + 1);
  for (let k = 0; k < n; k++) start[rowOf(k) + 1]++;
  for (let y = 0; y < H; y++) start[y + 1] += start[y];
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[start[rowOf(k)]++] = k;
  return order;
}

export function clampInt(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

export function regionHasNaN(img: Float64Array, W: number, g: Group): boolean {
  for (let y = g.by; y < g.by + g.bh; y++) {
    for (let x = g.bx; x < g.bx + g.bw; x++) if (!Number.isFinite(img[y * W + x])) return true;
  }
  return false;
}

/** Whether pixel (x, y) is nearer to a peak outside the group than to every member. */
function inOtherCell(x: number, y: number, g: Group, { px, py }: PeakPixels): boolean {
  let dm = Infinity;
  for (const i of g.members) dm = Math.min(dm, (x - px[i]) ** 2 + (y - py[i]) ** 2);
  for (const j of g.others) if ((x - px[j]) ** 2 + (y - py[j]) ** 2 < dm) return true;
  return false;
}

/** Amplitude bound of a region of values in [lo, hi]: 4x its range (no joint fit can need more; it stops runaway steps). */
function amplitudeCap(lo: number, hi: number): number {
  return hi > lo ? 4 * (hi - lo) + 1 : Infinity;
}

/** Copies an unmasked region into the stack (non-finite values as NaN); its amplitude bound. */
function copyRegion(stack: Float64Array, off: number, img: Float64Array, W: number, g: Group): number {
  const { bx, by, bw, bh } = g;
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < bh; y++) {
    const row = (by + y) * W + bx;
    const k = off + y * bw;
    for (let x = 0; x < bw; x++) {
      const v = img[row + x];
      const finite = v - v === 0;
      stack[k + x] = finite ? v : NaN;
      if (finite && v < lo) lo = v;
      if (finite && v > hi) hi = v;
    }
  }
  return amplitudeCap(lo, hi);
}

/**
 * Copies a group's region into the stack; pixels in the Voronoi cell of a peak outside the group become NaN.
 * Returns the amplitude bound of the region (from the range of the values copied, NaN aside).
 */
export function fillRegion(
  stack: Float64Array,
  off: number,
  img: Float64Array,
  W: number,
  g: Group,
  peaks: PeakPixels,
): number {
  if (g.others.length === 0) return copyRegion(stack, off, img, W, g);
  let k = off;
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = g.by; y < g.by + g.bh; y++) {
    for (let x = g.bx; x < g.bx + g.bw; x++) {
      const v = img[y * W + x];
      const masked = !Number.isFinite(v) || inOtherCell(x, y, g, peaks);
      stack[k++] = masked ? NaN : v;
      if (masked) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return amplitudeCap(lo, hi);
}

/** The pixel coordinates of a bw x bh region: x as a row [1, bw], y as a column [bh, 1]. */
export function regionAxes(bw: number, bh: number): { x: NdArray; y: NdArray } {
  return {
    x: new NdArray(
      Float64Array.from({ length: bw }, (_v, i) => i),
      [1, bw],
    ),
    y: new NdArray(
      Float64Array.from({ length: bh }, (_v, i) => i),
      [bh, 1],
    ),
  };
}
