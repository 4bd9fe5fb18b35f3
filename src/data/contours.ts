/**
 * Density contours of 2-D samples, for the off-diagonal panels of a corner plot (as corner.py draws them): the
 * samples binned on a grid, smoothed by a Gaussian of 0.7 bin, and for each level the density above which that
 * fraction of the samples lies; the contour lines of the grid at those densities (marching squares, linear
 * interpolation along the cell edges) are the regions' borders. The default levels hold 1 − exp(−k²/2) of the
 * samples, k = 1, 2: the 1σ and 2σ regions of a 2-D Gaussian (39.3% and 86.5%).
 */

/** One straight piece of a contour line, at the level (fraction of the samples inside) it borders. */
export interface ContourSegment {
  readonly level: number;
  readonly x: number;
  readonly y: number;
  readonly x2: number;
  readonly y2: number;
}

/** The 1σ and 2σ levels of a 2-D Gaussian: the fractions of the samples inside. */
export const SIGMA_LEVELS_2D: readonly number[] = [1, 2].map((k) => 1 - Math.exp(-(k * k) / 2));

/** The width of the smoothing Gaussian, in bins. */
const SMOOTHING = 0.7;

/** A grid of values at the centres `xs` × `ys`: `z[i * xs.length + j]` at (xs[j], ys[i]). */
interface Grid {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly z: Float64Array;
}

function rangeOf(v: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  return lo < hi ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

/** Bin centres spanning [lo, hi] with `pad` empty bins on either side (closed contours). */
function centres(lo: number, hi: number, bins: number, pad: number): Float64Array {
  const w = (hi - lo) / bins;
  return Float64Array.from({ length: bins + 2 * pad }, (_, k) => lo + (k - pad + 0.5) * w);
}

/** The 2-D histogram of the finite samples, `pad` empty bins around it. */
function histogram2d(x: ArrayLike<number>, y: ArrayLike<number>, bins: number, pad: number): Grid {
  const [x0, x1] = rangeOf(x);
  const [y0, y1] = rangeOf(y);
  const xs = centres(x0, x1, bins, pad);
  const ys = centres(y0, y1, bins, pad);
  const z = new Float64Array(xs.length * ys.length);
  const binOf = (v: number, lo: number, hi: number): number =>
    pad + Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k]) || !Number.isFinite(y[k])) continue;
    z[binOf(y[k], y0, y1) * xs.length + binOf(x[k], x0, x1)]++;
  }
  return { xs, ys, z };
}

/** The grid smoothed by a Gaussian of `sigma` bins along each axis in turn (zero beyond the edges). */
function smooth(g: Grid, sigma: number): Grid {
  const r = Math.ceil(3 * sigma);
  const w = Float64Array.from({ length: 2 * r + 1 }, (_, k) =>
    Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)),
  );
  const nx = g.xs.length;
  const ny = g.ys.length;
  const pass = (src: Float64Array, along: 'x' | 'y'): Float64Array => {
    const out = new Float64Array(src.length);
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) {
        let s = 0;
        for (let k = -r; k <= r; k++) {
          const [ii, jj] = along === 'x' ? [i, j + k] : [i + k, j];
          if (ii >= 0 && ii < ny && jj >= 0 && jj < nx) s += w[k + r] * src[ii * nx + jj];
        }
        out[i * nx + j] = s;
      }
    }
    return out;
  };
  return { ...g, z: pass(pass(g.z, 'x'), 'y') };
}

/**
 * The density at which to draw the border of the region holding `fraction` of the grid's mass: halfway between
 * the smallest value inside the region and the next smaller one (so that no node lies on the line).
 */
function thresholdFor(z: Float64Array, fraction: number): number {
  const sorted = Float64Array.from(z).sort().reverse();
  const total = sorted.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (let k = 0; k < sorted.length; k++) {
    sum += sorted[k];
    if (sum < fraction * total) continue;
    let next = k + 1;
    while (next < sorted.length && sorted[next] === sorted[k]) next++;
    return next < sorted.length ? (sorted[k] + sorted[next]) / 2 : sorted[k] / 2;
  }
  return sorted[sorted.length - 1] / 2;
}

/** Where the level crosses the edge from node a to node b, or undefined where it does not. */
function crossing(
  level: number,
  a: { x: number; y: number; z: number },
  b: { x: number; y: number; z: number },
): { x: number; y: number } | undefined {
  if (a.z >= level === b.z >= level) return undefined;
  const t = (level - a.z) / (b.z - a.z);
  return { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
}

/** The contour pieces of one cell (lower-left node at column j, row i). */
function cellSegments(g: Grid, i: number, j: number, threshold: number) {
  const nx = g.xs.length;
  const node = (ii: number, jj: number) => ({ x: g.xs[jj], y: g.ys[ii], z: g.z[ii * nx + jj] });
  const corners = [node(i, j), node(i, j + 1), node(i + 1, j + 1), node(i + 1, j)];
  const points = corners
    .map((c, k) => crossing(threshold, c, corners[(k + 1) % 4]))
    .filter((p) => p !== undefined);
  if (points.length === 2) return [[points[0], points[1]]];
  if (points.length !== 4) return [];
  // a saddle: the centre's side decides which crossings join
  const centre = corners.reduce((s, c) => s + c.z, 0) / 4;
  const joinFirst = centre >= threshold === corners[0].z >= threshold;
  return joinFirst
    ? [
        [points[0], points[1]],
        [points[2], points[3]],
      ]
    : [
        [points[3], points[0]],
        [points[1], points[2]],
      ];
}

/** The contour lines of the grid at `threshold`, as segments. */
function marchingSquares(g: Grid, threshold: number, level: number): ContourSegment[] {
  const out: ContourSegment[] = [];
  for (let i = 0; i + 1 < g.ys.length; i++) {
    for (let j = 0; j + 1 < g.xs.length; j++) {
      for (const [a, b] of cellSegments(g, i, j, threshold))
        out.push({ level, x: a.x, y: a.y, x2: b.x, y2: b.y });
    }
  }
  return out;
}

/**
 * The contour lines of values on a grid (`z[i * xs.length + j]` at (xs[j], ys[i]), axes increasing) at each
 * threshold, each segment tagged with its threshold as `level`.
 */
export function gridContours(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  z: ArrayLike<number>,
  thresholds: readonly number[],
): ContourSegment[] {
  const grid = { xs: Float64Array.from(xs), ys: Float64Array.from(ys), z: Float64Array.from(z) };
  return thresholds.flatMap((t) => marchingSquares(grid, t, t));
}

/**
 * The borders of the smallest regions holding each `levels` fraction of the samples (x[k], y[k]), from their
 * smoothed 2-D histogram of `bins` × `bins` (module comment). No segments for fewer than 10 finite samples.
 */
export function densityContours(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  levels: readonly number[] = SIGMA_LEVELS_2D,
  bins = 40,
): ContourSegment[] {
  const histogram = histogram2d(x, y, bins, 3);
  if (histogram.z.reduce((a, b) => a + b, 0) < 10) return [];
  const grid = smooth(histogram, SMOOTHING);
  return levels.flatMap((level) => marchingSquares(grid, thresholdFor(grid.z, level), level));
}
