/**
 * Powell's derivative-free conjugate-direction method (Powell 1964, with the direction-replacement rule of
 * Numerical Recipes §10.7 / scipy's `fmin_powell`), with box bounds.
 * - Each iteration minimises f along every direction of the set in turn (a bounded Brent line
 *   minimisation on the segment of the line inside the box, bracketed by expansion when a side is
 *   unbounded), then along the overall displacement, which replaces the direction of largest decrease
 *   unless Powell's test says it would make the set degenerate.
 * - When an iteration gains nothing and the set is no longer the coordinate axes, the axes are restored
 *   once (a bound may block every remaining direction).
 * - Stops `'ftol'` when an iteration lowers f by no more than `ftol·(|f_start| + |f|)/2 + 1e-20`
 *   (scipy's test), `'maxiter'`, `'maxfev'`. Non-finite values count as `+Infinity`.
 */
import { checkStart, type NumericArray } from './bounds.ts';
import { makeMinimizeSummary, type MinimizeSummary } from './lbfgsb.ts';
import type { Objective } from './neldermead.ts';
import { defineOptions, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { boundsOption } from './options.ts';
import type { TerminationReason } from './summary.ts';

/** The options of `minimizePowell`, declared once. */
export const powellSchema = defineOptions('Powell', {
  lower: boundsOption('Lower bounds (-Infinity allowed)'),
  upper: boundsOption('Upper bounds (Infinity allowed)'),
  /** Relative decrease test per iteration (see module comment). Default `1e-12`. */
  ftol: opt.number({
    doc: "Stop 'ftol' when an iteration lowers f by <= ftol·(|f₀|+|f|)/2",
    default: 1e-12,
    min: 0,
    max: 1,
  }),
  /** Relative tolerance of each line minimisation on the step. Default `1e-8`. */
  xtol: opt.number({ doc: 'Relative tolerance of the line minimisations', default: 1e-8, gt: 0, max: 1 }),
  /** Most iterations; `'auto'` = `1000·n`. */
  maxIterations: opt.integer({
    doc: "Most iterations ('auto': 1000·n)",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /** Most objective evaluations; `'auto'` = `4000·(n + 1)`. */
  maxFunctionEvaluations: opt.integer({
    doc: "Most evaluations ('auto': 4000·(n+1))",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
});

const GOLD = 0.3819660112501051;

/** Brent's bounded minimisation of `phi` on [a, b] (scipy's fminbound), relative tolerance `xtol`. */
function brentBounded(
  phi: (t: number) => number,
  a: number,
  b: number,
  xtol: number,
): { t: number; f: number } {
  let x = a + GOLD * (b - a);
  let w = x;
  let v = x;
  let fx = phi(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let it = 0; it < 500; it++) {
    const m = 0.5 * (a + b);
    const tol1 = xtol * Math.abs(x) + 1e-12;
    const tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) break;
    let golden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      if (Math.abs(p) < Math.abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = x >= m ? a - x : b - x;
      d = GOLD * e;
    }
    const u = x + (Math.abs(d) >= tol1 ? d : d > 0 ? tol1 : -tol1);
    const fu = phi(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      [v, fv, w, fw, x, fx] = [w, fw, x, fx, u, fu];
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) [v, fv, w, fw] = [w, fw, u, fu];
      else if (fu <= fv || v === x || v === w) [v, fv] = [u, fu];
    }
  }
  return { t: x, f: fx };
}

/** The interval of steps t with lower <= x + t·u <= upper. */
function stepRange(
  x: Float64Array,
  u: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): [number, number] {
  let lo = -Infinity;
  let hi = Infinity;
  for (let j = 0; j < x.length; j++) {
    if (u[j] === 0) continue;
    const a = (lower[j] - x[j]) / u[j];
    const b = (upper[j] - x[j]) / u[j];
    lo = Math.max(lo, Math.min(a, b));
    hi = Math.min(hi, Math.max(a, b));
  }
  return [Math.min(lo, 0), Math.max(hi, 0)];
}

/** From 0 towards `limit` (sign of `sign`): steps 1, 2.618, ... until f rises; returns that step (or `limit`). */
function expand(phi: (t: number) => number, f0: number, sign: 1 | -1, limit: number): number {
  let t = sign * Math.min(1, Math.abs(limit));
  let fprev = f0;
  for (let i = 0; i < 60; i++) {
    const ft = phi(t);
    if (!(ft < fprev) || t === limit) return t;
    fprev = ft;
    t = Math.abs(t * 2.618) >= Math.abs(limit) ? limit : t * 2.618;
  }
  return t;
}

/** A finite interval [a, b] ∋ 0 of steps holding a minimum of phi on [lo, hi]. */
function bracket(phi: (t: number) => number, f0: number, lo: number, hi: number): [number, number] {
  return [lo < 0 ? expand(phi, f0, -1, lo) : 0, hi > 0 ? expand(phi, f0, 1, hi) : 0];
}

/** Minimises `f` by Powell's method within `lower <= x <= upper` (see the module comment). */
export function minimizePowell(
  f: Objective,
  x0: NumericArray,
  options: OptionsInput<typeof powellSchema> = {},
): MinimizeSummary {
  const o = validateOptions(powellSchema, options);
  const st = checkStart(x0, o.lower, o.upper);
  const { n, lower, upper } = st;
  const maxIter = o.maxIterations === 'auto' ? 1000 * Math.max(n, 1) : o.maxIterations;
  const maxFev = o.maxFunctionEvaluations === 'auto' ? 4000 * (n + 1) : o.maxFunctionEvaluations;
  let nfev = 0;
  const F = (x: Float64Array): number => {
    nfev++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  let x = st.x;
  let fx = F(x);
  const initialCost = fx;
  const dirs = Array.from({ length: n }, (_, j) =>
    Float64Array.from({ length: n }, (_, k) => (k === j ? 1 : 0)),
  );
  let iter = 0;
  let axes = true;
  const done = (termination: TerminationReason, message: string): MinimizeSummary =>
    makeMinimizeSummary({
      method: 'Powell (conjugate directions, bounded Brent line searches)',
      x,
      cost: fx,
      initialCost,
      termination,
      message,
      nfev,
      njev: 0,
      iterations: iter,
      x0Clipped: st.clipped,
      gradient: new Float64Array(n).fill(NaN),
      optimality: NaN,
      lower,
      upper,
    });
  if (!Number.isFinite(fx)) return done('non-finite', `f is not finite at the start point (f = ${fx}).`);
  const lineMin = (u: Float64Array): number => {
    const [lo, hi] = stepRange(x, u, lower, upper);
    const at = (t: number): Float64Array =>
      Float64Array.from(x, (v, j) => Math.min(upper[j], Math.max(lower[j], v + t * u[j])));
    const phi = (t: number): number => F(at(t));
    const [a, b] = bracket(phi, fx, lo, hi);
    if (a === b) return 0;
    const best = brentBounded(phi, a, b, o.xtol);
    if (!(best.f < fx)) return 0;
    const decrease = fx - best.f;
    x = at(best.t);
    fx = best.f;
    return decrease;
  };
  for (;;) {
    if (iter >= maxIter) return done('maxiter', `${iter} iterations (maxIterations).`);
    if (nfev >= maxFev) return done('maxfev', `${nfev} evaluations (maxFunctionEvaluations).`);
    iter++;
    const xStart = x;
    const fStart = fx;
    let biggest = 0;
    let index = 0;
    dirs.forEach((u, i) => {
      const dec = lineMin(u);
      if (dec > biggest) [biggest, index] = [dec, i];
    });
    if (2 * (fStart - fx) <= o.ftol * (Math.abs(fStart) + Math.abs(fx)) + 1e-20) {
      // the direction set may have lost a coordinate that a bound blocks: retry once along the axes
      if (!axes) {
        resetAxes(dirs);
        axes = true;
        continue;
      }
      return done(
        'ftol',
        `an iteration lowered f by ${(fStart - fx).toExponential(3)} <= ftol·(|f₀|+|f|)/2 (ftol = ${o.ftol}).`,
      );
    }
    if (replaceDirection(x, xStart, fStart, fx, biggest, index, dirs, F, lineMin, lower, upper)) axes = false;
  }
}

/** The coordinate directions again. */
function resetAxes(dirs: Float64Array[]): void {
  dirs.forEach((u, i) => u.forEach((_, k) => (u[k] = k === i ? 1 : 0)));
}

/**
 * Powell's rule: the displacement replaces the direction of largest decrease unless that would not help.
 * Returns whether the set changed.
 */
function replaceDirection(
  x: Float64Array,
  xStart: Float64Array,
  fStart: number,
  fx: number,
  biggest: number,
  index: number,
  dirs: Float64Array[],
  F: (x: Float64Array) => number,
  lineMin: (u: Float64Array) => number,
  lower: Float64Array,
  upper: Float64Array,
): boolean {
  const u = Float64Array.from(x, (v, j) => v - xStart[j]);
  const xe = Float64Array.from(x, (v, j) => Math.min(upper[j], Math.max(lower[j], v + u[j])));
  const fe = F(xe);
  if (fe >= fStart) return false;
  const t = 2 * (fStart - 2 * fx + fe) * (fStart - fx - biggest) ** 2 - biggest * (fStart - fe) ** 2;
  if (t >= 0) return false;
  lineMin(u);
  dirs[index] = dirs[dirs.length - 1];
  dirs[dirs.length - 1] = u;
  return true;
}
