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

/** Copies a group's region into the stack; pixels in the Voronoi cell of a peak outside the group become NaN. */
export function fillRegion(
  stack: Float64Array,
  off: number,
  img: Float64Array,
  W: number,
  g: Group,
  peaks: PeakPixels,
): void {
  let k = off;
  if (g.others.length === 0) {
    for (let y = g.by; y < g.by + g.bh; y++) {
      const row = y * W;
      for (let x = g.bx; x < g.bx + g.bw; x++) {
        const v = img[row + x];
        stack[k++] = v - v === 0 ? v : NaN;
      }
    }
    return;
  }
  for (let y = g.by; y < g.by + g.bh; y++) {
    for (let x = g.bx; x < g.bx + g.bw; x++) {
      const v = img[y * W + x];
      const masked = !Number.isFinite(v) || (g.others.length > 0 && inOtherCell(x, y, g, peaks));
      stack[k++] = masked ? NaN : v;
    }
  }
}

/** Amplitude bounds: 4x each region's range (no joint fit can need more; it stops runaway steps). */
export function amplitudeCaps(stack: Float64Array, m: number, size: number): Float64Array {
  const amax = new Float64Array(m);
  for (let f = 0; f < m; f++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = f * size; k < (f + 1) * size; k++) {
      const v = stack[k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    amax[f] = hi > lo ? 4 * (hi - lo) + 1 : Infinity;
  }
  return amax;
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
