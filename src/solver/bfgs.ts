/**
 * Unconstrained BFGS (Nocedal & Wright, Algorithm 6.1) with a line search on the strong Wolfe conditions
 * (`c1 = 1e-4`, `c2 = 0.9`; bracketing and bisection-safeguarded cubic zoom, Algorithm 3.5/3.6).
 * - The inverse Hessian approximation starts as `I` and is rescaled after the first step by
 *   `sᵀy / yᵀy` (N&W eq. 6.20); an update is skipped when `sᵀy <= eps·‖s‖‖y‖`.
 * - Stops with `'gtol'` when `‖∇f‖∞ <= gtol` (scipy's BFGS test with `norm = inf`), with `'ftol'` when an
 *   iteration lowers f by no more than `ftol·max(1, |f|)` twice running, `'line-search'` when no Wolfe
 *   step is found along a descent direction even after a reset to steepest descent, `'maxiter'`,
 *   `'maxfev'`. Non-finite values at trial points count as a failed step.
 */
import { checkStart, type NumericArray } from './bounds.ts';
import {
  makeMinimizeSummary,
  type MinimizeSummary,
  type MinimizerCallback,
  type ObjectiveWithGradient,
} from './lbfgsb.ts';
import { defineOptions, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { callbackOption, gradientLimitSpecs } from './options.ts';
import type { TerminationReason } from './summary.ts';

/** The options of `minimizeBFGS`, declared once. */
export const bfgsSchema = defineOptions('BFGS', {
  /** Gradient test: stop `'gtol'` when `‖∇f‖∞ <= gtol`. Default `1e-10`. */
  gtol: opt.number({ doc: "Stop 'gtol' when ‖∇f‖∞ <= gtol", default: 1e-10, min: 0 }),
  /** Reduction test: stop `'ftol'` after two iterations each lowering f by <= `ftol·max(1, |f|)`. */
  ftol: opt.number({
    doc: "Stop 'ftol' after two iterations with f_k − f_{k+1} <= ftol·max(1,|f|)",
    default: 1e-15,
    min: 0,
    max: 1,
  }),
  ...gradientLimitSpecs,
  callback: callbackOption<MinimizerCallback>('Called after each iteration; true stops'),
});

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const infNorm = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** A point on the search line: step α, f, directional derivative, gradient. */
interface LinePoint {
  alpha: number;
  f: number;
  slope: number;
  g: Float64Array;
}

/** Evaluates f and ∇f at `x + α d`. */
type LineEval = (alpha: number) => LinePoint;

/** Strong-Wolfe line search (N&W Algorithm 3.5 with zoom 3.6); null when none was found. */
function wolfeSearch(at: LineEval, f0: number, slope0: number, maxEvals = 30): LinePoint | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  let prev: LinePoint = { alpha: 0, f: f0, slope: slope0, g: new Float64Array(0) };
  let alpha = 1;
  for (let i = 0; i < maxEvals; i++) {
    const p = at(alpha);
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * alpha * slope0 || (i > 0 && p.f >= prev.f)) {
      return zoom(at, prev, p, f0, slope0, maxEvals - i);
    }
    if (Math.abs(p.slope) <= -c2 * slope0) return p;
    if (p.slope >= 0) return zoom(at, p, prev, f0, slope0, maxEvals - i);
    prev = p;
    alpha *= 2;
  }
  return null;
}

function zoom(
  at: LineEval,
  lo: LinePoint,
  hi: LinePoint,
  f0: number,
  slope0: number,
  evals: number,
): LinePoint | null {
  for (let i = 0; i < evals; i++) {
    const alpha = trialStep(lo, hi);
    const p = at(alpha);
    if (!Number.isFinite(p.f) || p.f > f0 + 1e-4 * alpha * slope0 || p.f >= lo.f) hi = p;
    else {
      if (Math.abs(p.slope) <= -0.9 * slope0) return p;
      if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = p;
    }
    if (Math.abs(hi.alpha - lo.alpha) <= 1e-16 * Math.max(1, Math.abs(lo.alpha))) break;
  }
  return lo.alpha > 0 && lo.f < f0 ? lo : null;
}

/** The minimiser of the cubic through lo and hi (when finite), kept inside the middle 80% of the bracket. */
function trialStep(lo: LinePoint, hi: LinePoint): number {
  const a = lo.alpha;
  const b = hi.alpha;
  let t = NaN;
  if (Number.isFinite(hi.f) && hi.g.length) {
    const d1 = lo.slope + hi.slope - (3 * (lo.f - hi.f)) / (a - b);
    const d2 = Math.sign(b - a) * Math.sqrt(d1 * d1 - lo.slope * hi.slope);
    t = b - (b - a) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2));
  }
  const left = Math.min(a, b) + 0.1 * Math.abs(b - a);
  const right = Math.max(a, b) - 0.1 * Math.abs(b - a);
  return Number.isFinite(t) && t >= left && t <= right ? t : 0.5 * (a + b);
}

/** Minimises `f` by BFGS (see the module comment). Never throws on non-convergence. */
export function minimizeBFGS(
  f: ObjectiveWithGradient,
  x0: NumericArray,
  options: OptionsInput<typeof bfgsSchema> = {},
): MinimizeSummary {
  const o = validateOptions(bfgsSchema, options);
  const st = checkStart(x0, undefined, undefined);
  const n = st.n;
  const maxIter = o.maxIterations === 'auto' ? 200 * Math.max(n, 1) : o.maxIterations;
  let x: Float64Array = st.x;
  let g: Float64Array = new Float64Array(n);
  let nfev = 1;
  let fx = f(x, g);
  const initialCost = fx;
  const Hinv = identity(n);
  let iter = 0;
  let small = 0;
  const done = (termination: TerminationReason, message: string): MinimizeSummary =>
    makeMinimizeSummary({
      method: 'BFGS (strong Wolfe line search)',
      x,
      cost: fx,
      initialCost,
      termination,
      message,
      nfev,
      njev: nfev,
      iterations: iter,
      x0Clipped: false,
      gradient: g,
      optimality: infNorm(g),
      lower: st.lower,
      upper: st.upper,
    });
  if (!Number.isFinite(fx) || !g.every(Number.isFinite))
    return done('non-finite', `f is not finite at the start point (f = ${fx}).`);
  const d = new Float64Array(n);
  for (;;) {
    if (infNorm(g) <= o.gtol)
      return done('gtol', `‖∇f‖∞ = ${infNorm(g).toExponential(3)} <= gtol = ${o.gtol}.`);
    if (iter >= maxIter) return done('maxiter', `${iter} iterations (maxIterations).`);
    if (nfev >= o.maxFunctionEvaluations)
      return done('maxfev', `${nfev} evaluations (maxFunctionEvaluations).`);
    iter++;
    let step = searchAlong(f, x, fx, g, Hinv, d, n);
    nfev += step.evals;
    if (!step.point) {
      resetTo(Hinv, 1);
      step = searchAlong(f, x, fx, g, Hinv, d, n);
      nfev += step.evals;
      if (!step.point)
        return done(
          'line-search',
          'no step satisfying the Wolfe conditions along steepest descent (rounding level reached?).',
        );
    }
    const p = step.point!;
    const s = Float64Array.from(d, (v) => p.alpha * v);
    const y = Float64Array.from(p.g, (v, j) => v - g[j]);
    const decrease = fx - p.f;
    x = Float64Array.from(x, (v, j) => v + s[j]);
    g = p.g;
    fx = p.f;
    updateInverse(Hinv, s, y, n, iter === 1);
    small = decrease <= o.ftol * Math.max(1, Math.abs(fx)) ? small + 1 : 0;
    if (small >= 2) return done('ftol', `two iterations lowered f by <= ftol·max(1,|f|) (ftol = ${o.ftol}).`);
    if (o.callback?.({ iteration: iter, x, cost: fx }) === true)
      return done('user', 'the callback asked to stop.');
  }
}

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let j = 0; j < n; j++) I[j * n + j] = 1;
  return I;
}

function resetTo(H: Float64Array, scale: number): void {
  const n = Math.round(Math.sqrt(H.length));
  H.fill(0);
  for (let j = 0; j < n; j++) H[j * n + j] = scale;
}

/** d = −H g and a Wolfe step along it. */
function searchAlong(
  f: ObjectiveWithGradient,
  x: Float64Array,
  fx: number,
  g: Float64Array,
  H: Float64Array,
  d: Float64Array,
  n: number,
): { point: LinePoint | null; evals: number } {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s -= H[i * n + j] * g[j];
    d[i] = s;
  }
  let slope = dot(d, g);
  if (!(slope < 0)) {
    for (let i = 0; i < n; i++) d[i] = -g[i];
    slope = dot(d, g);
  }
  let evals = 0;
  const xt = new Float64Array(n);
  const at: LineEval = (alpha) => {
    evals++;
    for (let j = 0; j < n; j++) xt[j] = x[j] + alpha * d[j];
    const gt = new Float64Array(n);
    const ft = f(xt, gt);
    return {
      alpha,
      f: Number.isFinite(ft) && gt.every(Number.isFinite) ? ft : NaN,
      slope: dot(gt, d),
      g: gt,
    };
  };
  return { point: wolfeSearch(at, fx, slope), evals };
}

/** The BFGS update of the inverse Hessian (skipped without positive curvature); rescaled on the first step. */
function updateInverse(H: Float64Array, s: Float64Array, y: Float64Array, n: number, first: boolean): void {
  const sy = dot(s, y);
  if (!(sy > 2.2e-16 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
  if (first) resetTo(H, sy / dot(y, y));
  const rho = 1 / sy;
  const Hy = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hy[i] += H[i * n + j] * y[j];
  const yHy = dot(y, Hy);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      H[i * n + j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
}
