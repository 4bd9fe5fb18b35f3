/**
 * Compiled kernels against hand-written Float64Array loops doing the same work, measured in the same run
 * (issue 2): values + full Jacobian of the 7-parameter rotated 2D Gaussian over 1e6 scattered points
 * (target: within 1.3x of the hand-written loop), the same on a 1000x1000 grid (x [1, 1000], y [1000, 1]:
 * loop-invariant hoisting), the axis-aligned Gaussian on that grid (exp(u(x) + v(y)) factored and tabulated),
 * and the warm compile time of the rotated Gaussian (parse, derivatives, simplify, CSE, code generation and
 * `new Function`: target < 5 ms).
 */
import { NdArray } from '../src/data/ndarray.ts';
import { compileModel } from '../src/compile/kernel.ts';
import { parseExpr } from '../src/syntax/parse.ts';
import type { BenchRow } from './types.ts';

/** Median and minimum wall time in ms of `reps` calls after `warmup` untimed ones. */
function timeMedian(fn: () => void, reps: number, warmup: number): { median: number; min: number } {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], min: t[0] };
}

export const ROTATED_GAUSSIAN =
  'A*exp(-((cos(theta)^2/(2*sx^2) + sin(theta)^2/(2*sy^2))*(x-x0)^2' +
  ' + 2*(-sin(2*theta)/(4*sx^2) + sin(2*theta)/(4*sy^2))*(x-x0)*(y-y0)' +
  ' + (sin(theta)^2/(2*sx^2) + cos(theta)^2/(2*sy^2))*(y-y0)^2)) + offset';
export const ROTATED_PARAMS = ['A', 'x0', 'y0', 'sx', 'sy', 'theta', 'offset'];
const AXIS_GAUSSIAN = 'A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + offset';
const AXIS_PARAMS = ['A', 'x0', 'y0', 'sx', 'sy', 'offset'];

/** Hand-written rotated Gaussian: values + 7-column Jacobian, manual CSE, params-only terms hoisted. */
function handRotated(
  p: Float64Array,
  x: Float64Array,
  y: Float64Array,
  out: Float64Array,
  jac: Float64Array,
): void {
  const A = p[0],
    x0 = p[1],
    y0 = p[2],
    sx = p[3],
    sy = p[4],
    th = p[5],
    off = p[6];
  const ct = Math.cos(th),
    st = Math.sin(th),
    s2 = Math.sin(2 * th),
    c2 = Math.cos(2 * th);
  const ix = 1 / (sx * sx),
    iy = 1 / (sy * sy);
  const a = (ct * ct * ix) / 2 + (st * st * iy) / 2;
  const b = (-s2 * ix) / 4 + (s2 * iy) / 4;
  const c = (st * st * ix) / 2 + (ct * ct * iy) / 2;
  const ix3 = 1 / (sx * sx * sx),
    iy3 = 1 / (sy * sy * sy);
  const dax = -ct * ct * ix3,
    dbx = s2 * ix3,
    dcx = -st * st * ix3; // dbx already doubled: 2 * s2 / (2 sx^3)
  const day = -st * st * iy3,
    dby = -s2 * iy3,
    dcy = -ct * ct * iy3;
  const dat = (s2 / 2) * (iy - ix),
    dbt = c2 * (iy - ix),
    dct = -dat;
  const a2 = 2 * a,
    b2 = 2 * b,
    c2c = 2 * c;
  const n = x.length;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - x0;
    const dy = y[i] - y0;
    const dx2 = dx * dx,
      dxy = dx * dy,
      dy2 = dy * dy;
    const E = Math.exp(-(a * dx2 + b2 * dxy + c * dy2));
    const AE = A * E;
    out[i] = AE + off;
    jac[o] = E;
    jac[o + 1] = AE * (a2 * dx + b2 * dy);
    jac[o + 2] = AE * (b2 * dx + c2c * dy);
    jac[o + 3] = -AE * (dax * dx2 + dbx * dxy + dcx * dy2);
    jac[o + 4] = -AE * (day * dx2 + dby * dxy + dcy * dy2);
    jac[o + 5] = -AE * (dat * dx2 + dbt * dxy + dct * dy2);
    jac[o + 6] = 1;
    o += 7;
  }
}

/** The same on a grid (rows y, columns x), with the row terms hoisted out of the inner loop by hand. */
function handRotatedGrid(
  p: Float64Array,
  xs: Float64Array,
  ys: Float64Array,
  out: Float64Array,
  jac: Float64Array,
): void {
  const A = p[0],
    x0 = p[1],
    y0 = p[2],
    sx = p[3],
    sy = p[4],
    th = p[5],
    off = p[6];
  const ct = Math.cos(th),
    st = Math.sin(th),
    s2 = Math.sin(2 * th),
    c2 = Math.cos(2 * th);
  const ix = 1 / (sx * sx),
    iy = 1 / (sy * sy);
  const a = (ct * ct * ix) / 2 + (st * st * iy) / 2;
  const b = (-s2 * ix) / 4 + (s2 * iy) / 4;
  const c = (st * st * ix) / 2 + (ct * ct * iy) / 2;
  const ix3 = 1 / (sx * sx * sx),
    iy3 = 1 / (sy * sy * sy);
  const dax = -ct * ct * ix3,
    dbx = s2 * ix3,
    dcx = -st * st * ix3;
  const day = -st * st * iy3,
    dby = -s2 * iy3,
    dcy = -ct * ct * iy3;
  const dat = (s2 / 2) * (iy - ix),
    dbt = c2 * (iy - ix),
    dct = -dat;
  const a2 = 2 * a,
    b2 = 2 * b,
    c2c = 2 * c;
  const nx = xs.length,
    ny = ys.length;
  let k = 0,
    o = 0;
  for (let r = 0; r < ny; r++) {
    const dy = ys[r] - y0;
    const dy2 = dy * dy;
    const cdy2 = c * dy2,
      b2dy = b2 * dy,
      c2dy = c2c * dy;
    const dcxy = dcx * dy2,
      dcyy = dcy * dy2,
      dcty = dct * dy2;
    for (let q = 0; q < nx; q++) {
      const dx = xs[q] - x0;
      const dx2 = dx * dx,
        dxy = dx * dy;
      const E = Math.exp(-(a * dx2 + b2 * dxy + cdy2));
      const AE = A * E;
      out[k++] = AE + off;
      jac[o] = E;
      jac[o + 1] = AE * (a2 * dx + b2dy);
      jac[o + 2] = AE * (b2 * dx + c2dy);
      jac[o + 3] = -AE * (dax * dx2 + dbx * dxy + dcxy);
      jac[o + 4] = -AE * (day * dx2 + dby * dxy + dcyy);
      jac[o + 5] = -AE * (dat * dx2 + dbt * dxy + dcty);
      jac[o + 6] = 1;
      o += 7;
    }
  }
}

/** Hand-written axis-aligned Gaussian on a grid: the obvious per-pixel loop (one exp per pixel). */
function handAxisGrid(
  p: Float64Array,
  xs: Float64Array,
  ys: Float64Array,
  out: Float64Array,
  jac: Float64Array,
): void {
  const A = p[0],
    x0 = p[1],
    y0 = p[2],
    sx = p[3],
    sy = p[4],
    off = p[5];
  const kx = 1 / (2 * sx * sx),
    ky = 1 / (2 * sy * sy);
  const gx = 1 / (sx * sx),
    gy = 1 / (sy * sy);
  const hx = 1 / (sx * sx * sx),
    hy = 1 / (sy * sy * sy);
  const nx = xs.length,
    ny = ys.length;
  let k = 0,
    o = 0;
  for (let r = 0; r < ny; r++) {
    const dy = ys[r] - y0;
    const dy2 = dy * dy;
    const qy = dy2 * ky;
    for (let q = 0; q < nx; q++) {
      const dx = xs[q] - x0;
      const dx2 = dx * dx;
      const E = Math.exp(-(dx2 * kx + qy));
      const AE = A * E;
      out[k++] = AE + off;
      jac[o] = E;
      jac[o + 1] = AE * dx * gx;
      jac[o + 2] = AE * dy * gy;
      jac[o + 3] = AE * dx2 * hx;
      jac[o + 4] = AE * dy2 * hy;
      jac[o + 5] = 1;
      o += 6;
    }
  }
}

/** Largest |a - b| relative to the largest |b| (a scale-aware comparison of two result arrays). */
function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= d)) d = e;
    if (Math.abs(b[i]) > scale) scale = Math.abs(b[i]);
  }
  return d / scale;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** Interleaves two timed functions rep by rep (so drift and turbo affect both alike); medians. */
function timePair(f: () => void, g: () => void, reps = 15, warmup = 3): [number, number] {
  for (let i = 0; i < warmup; i++) {
    f();
    g();
  }
  const tf: number[] = [];
  const tg: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t0 = performance.now();
    f();
    tf.push(performance.now() - t0);
    t0 = performance.now();
    g();
    tg.push(performance.now() - t0);
  }
  const med = (t: number[]): number => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
  return [med(tf), med(tg)];
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const rnd = lcg(12345);
  const p = Float64Array.from([100, 0.3, -0.2, 1.3, 0.8, 0.4, 5]);

  // --- 1e6 scattered points
  const N = 1_000_000;
  const x = new Float64Array(N);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    x[i] = rnd() * 8 - 4;
    y[i] = rnd() * 8 - 4;
  }
  const kernel = compileModel(parseExpr(ROTATED_GAUSSIAN), { params: ROTATED_PARAMS, variables: ['x', 'y'] });
  const bound = kernel.bind({ x: new NdArray(x), y: new NdArray(y) });
  const out = new Float64Array(N);
  const jac = new Float64Array(N * 7);
  const out2 = new Float64Array(N);
  const jac2 = new Float64Array(N * 7);
  const none = new Float64Array(0);
  const [tk, th] = timePair(
    () => bound.valuesAndJacobian(p, none, out, jac),
    () => handRotated(p, x, y, out2, jac2),
  );
  const diff = Math.max(maxRelDiff(out, out2), maxRelDiff(jac, jac2));
  rows.push({
    name: 'rotated 2D Gaussian, values + 7-col Jacobian, 1e6 points',
    ms: tk,
    baselineMs: th,
    ratio: tk / th,
    note: `baseline: hand-written Float64Array loop; target ratio <= 1.3; max rel diff ${diff.toExponential(1)}`,
  });

  // --- 1000 x 1000 grid
  const M = 1000;
  const xs = new Float64Array(M);
  const ys = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    xs[i] = -4 + (8 * i) / (M - 1);
    ys[i] = -4 + (8 * i) / (M - 1);
  }
  const grid = kernel.bind({ x: new NdArray(xs, [1, M]), y: new NdArray(ys, [M, 1]) });
  const [tg, thg] = timePair(
    () => grid.valuesAndJacobian(p, none, out, jac),
    () => handRotatedGrid(p, xs, ys, out2, jac2),
  );
  const diffG = Math.max(maxRelDiff(out, out2), maxRelDiff(jac, jac2));
  rows.push({
    name: 'rotated 2D Gaussian, values + Jacobian, 1000x1000 grid',
    ms: tg,
    baselineMs: thg,
    ratio: tg / thg,
    note: `baseline: hand-written grid loop with row terms hoisted; scattered kernel ${tk.toFixed(1)} ms; max rel diff ${diffG.toExponential(1)}`,
  });

  // --- axis-aligned Gaussian on the grid: exp(u(x) + v(y)) = exp(u(x)) * exp(v(y)), tabulated
  const pa = Float64Array.from([100, 0.3, -0.2, 1.3, 0.8, 5]);
  const axis = compileModel(parseExpr(AXIS_GAUSSIAN), { params: AXIS_PARAMS, variables: ['x', 'y'] });
  const axisGrid = axis.bind({ x: new NdArray(xs, [1, M]), y: new NdArray(ys, [M, 1]) });
  const jac6 = new Float64Array(N * 6);
  const jac6b = new Float64Array(N * 6);
  const [ta, tha] = timePair(
    () => axisGrid.valuesAndJacobian(pa, none, out, jac6),
    () => handAxisGrid(pa, xs, ys, out2, jac6b),
  );
  const diffA = Math.max(maxRelDiff(out, out2), maxRelDiff(jac6, jac6b));
  rows.push({
    name: 'axis-aligned 2D Gaussian, values + Jacobian, 1000x1000 grid',
    ms: ta,
    baselineMs: tha,
    ratio: ta / tha,
    note: `baseline: hand-written per-pixel loop (one exp per pixel); kernel factors exp and tabulates; max rel diff ${diffA.toExponential(1)}`,
  });

  // --- compile time, warm
  const small = { x: new NdArray(x.subarray(0, 16)), y: new NdArray(y.subarray(0, 16)) };
  const o16 = new Float64Array(16);
  const j16 = new Float64Array(16 * 7);
  const compileOnce = (): void => {
    const k = compileModel(parseExpr(ROTATED_GAUSSIAN), { params: ROTATED_PARAMS, variables: ['x', 'y'] });
    k.bind(small).valuesAndJacobian(p, none, o16, j16);
  };
  // The parser, simplifier and code generator need ~100 runs before V8 has optimized them ("warm").
  const tc = timeMedian(compileOnce, 51, 150);
  const tp = timeMedian(() => parseExpr(ROTATED_GAUSSIAN), 51, 50);
  rows.push({
    name: 'compile rotated 2D Gaussian (parse..new Function, 1st call)',
    ms: tc.median,
    baselineMs: 5,
    ratio: tc.median / 5,
    note: `baseline: the 5 ms target; min ${tc.min.toFixed(2)} ms; parse alone ${tp.median.toFixed(3)} ms; source ${kernel.source.length} chars`,
  });
  return rows;
}
