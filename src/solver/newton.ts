/**
 * Trust-region Newton with the exact Hessian (scipy's `trust-ncg`; Nocedal & Wright Algorithm 4.1 with the
 * Steihaug–Toint truncated conjugate-gradient subproblem, Algorithm 7.2). Unconstrained.
 * - Subproblem: CG on `H p = −g` from `p = 0`, stopped at the trust radius `Δ`, along a direction of
 *   non-positive curvature (to the boundary), or when `‖r‖ <= min(0.5, √‖g‖)·‖g‖` (superlinear).
 * - Radius: `ρ = (f(x) − f(x+p)) / (−gᵀp − ½pᵀHp)`; `ρ < 0.25` shrinks `Δ` by 4, `ρ > 0.75` with a step on
 *   the boundary doubles it (at most `maxRadius`); the step is taken when `ρ > 0.15`.
 * - Stops `'gtol'` when `‖∇f‖∞ <= gtol`, `'xtol'` when `Δ <= xtol·(1 + ‖x‖₂)`, `'maxiter'`, `'maxfev'`.
 */
import { checkStart, type NumericArray } from './bounds.ts';
import { makeMinimizeSummary, type MinimizeSummary, type ObjectiveWithGradient } from './lbfgsb.ts';
import { defineOptions, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { gradientLimitSpecs } from './options.ts';
import type { TerminationReason } from './summary.ts';

/** Writes the Hessian at x (row-major `n x n`). */
export type HessianFunction = (x: Float64Array, H: Float64Array) => void;

/** The options of `minimizeTrustNewton`, declared once. */
export const trustNewtonSchema = defineOptions('trust-region Newton', {
  /** Gradient test: stop `'gtol'` when `‖∇f‖∞ <= gtol`. */
  gtol: opt.number({ doc: "Stop 'gtol' when ‖∇f‖∞ <= gtol", default: 1e-10, min: 0 }),
  /** Radius test: stop `'xtol'` when `Δ <= xtol·(1 + ‖x‖₂)`. */
  xtol: opt.number({ doc: "Stop 'xtol' when Δ <= xtol·(1 + ‖x‖)", default: 1e-15, min: 0, max: 1 }),
  /** Initial trust radius. */
  initialRadius: opt.number({ doc: 'Initial trust radius Δ₀', default: 1, gt: 0 }),
  /** Largest trust radius. */
  maxRadius: opt.number({ doc: 'Largest trust radius', default: 1000, gt: 0 }),
  ...gradientLimitSpecs,
});

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function matVec(H: Float64Array, v: Float64Array, out: Float64Array): void {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += H[i * n + j] * v[j];
    out[i] = s;
  }
}

/** τ >= 0 with ‖z + τd‖ = Δ. */
function toBoundary(z: Float64Array, d: Float64Array, radius: number): number {
  const a = dot(d, d);
  const b = 2 * dot(z, d);
  const c = dot(z, z) - radius * radius;
  return (-b + Math.sqrt(Math.max(b * b - 4 * a * c, 0))) / (2 * a);
}

/** Steihaug–Toint CG for min gᵀp + ½pᵀHp, ‖p‖ <= Δ. Returns p and whether it reached the boundary. */
function steihaug(g: Float64Array, H: Float64Array, radius: number): { p: Float64Array; boundary: boolean } {
  const n = g.length;
  const z = new Float64Array(n);
  const r = Float64Array.from(g);
  const d = Float64Array.from(g, (v) => -v);
  const Hd = new Float64Array(n);
  const gnorm = Math.sqrt(dot(g, g));
  const tol = Math.min(0.5, Math.sqrt(gnorm)) * gnorm;
  if (gnorm === 0) return { p: z, boundary: false };
  for (let it = 0; it < 2 * n + 10; it++) {
    matVec(H, d, Hd);
    const dHd = dot(d, Hd);
    const along = (t: number): Float64Array => Float64Array.from(z, (v, j) => v + t * d[j]);
    if (dHd <= 0) return { p: along(toBoundary(z, d, radius)), boundary: true };
    const rr = dot(r, r);
    const alpha = rr / dHd;
    const zn = along(alpha);
    if (Math.sqrt(dot(zn, zn)) >= radius) return { p: along(toBoundary(z, d, radius)), boundary: true };
    z.set(zn);
    for (let j = 0; j < n; j++) r[j] += alpha * Hd[j];
    const rn = dot(r, r);
    if (Math.sqrt(rn) < tol) break;
    for (let j = 0; j < n; j++) d[j] = -r[j] + (rn / rr) * d[j];
  }
  return { p: z, boundary: false };
}

/** Minimises `f` by trust-region Newton with the Hessian `hess` (see the module comment). */
export function minimizeTrustNewton(
  f: ObjectiveWithGradient,
  hess: HessianFunction,
  x0: NumericArray,
  options: OptionsInput<typeof trustNewtonSchema> = {},
): MinimizeSummary {
  const o = validateOptions(trustNewtonSchema, options);
  const st = checkStart(x0, undefined, undefined);
  const n = st.n;
  const maxIter = o.maxIterations === 'auto' ? 200 * Math.max(n, 1) : o.maxIterations;
  let x = st.x;
  let g = new Float64Array(n);
  const H = new Float64Array(n * n);
  const Hp = new Float64Array(n);
  let fx = f(x, g);
  const initialCost = fx;
  let nfev = 1;
  let njev = 0;
  let iter = 0;
  let radius = o.initialRadius;
  const gmax = (): number => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const done = (termination: TerminationReason, message: string): MinimizeSummary =>
    makeMinimizeSummary({
      method: 'trust-region Newton (Steihaug CG, exact Hessian)',
      x,
      cost: fx,
      initialCost,
      termination,
      message,
      nfev,
      njev,
      iterations: iter,
      x0Clipped: false,
      gradient: g,
      optimality: gmax(),
      lower: st.lower,
      upper: st.upper,
    });
  if (!Number.isFinite(fx) || !g.every(Number.isFinite))
    return done('non-finite', `f is not finite at the start point (f = ${fx}).`);
  let fresh = true;
  for (;;) {
    if (gmax() <= o.gtol) return done('gtol', `‖∇f‖∞ = ${gmax().toExponential(3)} <= gtol = ${o.gtol}.`);
    if (radius <= o.xtol * (1 + Math.sqrt(dot(x, x))))
      return done('xtol', `trust radius ${radius.toExponential(3)} <= xtol·(1 + ‖x‖).`);
    if (iter >= maxIter) return done('maxiter', `${iter} iterations (maxIterations).`);
    if (nfev >= o.maxFunctionEvaluations)
      return done('maxfev', `${nfev} evaluations (maxFunctionEvaluations).`);
    iter++;
    if (fresh) {
      hess(x, H);
      njev++;
    }
    const { p, boundary } = steihaug(g, H, radius);
    matVec(H, p, Hp);
    const predicted = -(dot(g, p) + 0.5 * dot(p, Hp));
    const xt = Float64Array.from(x, (v, j) => v + p[j]);
    const gt = new Float64Array(n);
    const ft = f(xt, gt);
    nfev++;
    const ratio =
      Number.isFinite(ft) && gt.every(Number.isFinite) && predicted > 0 ? (fx - ft) / predicted : -Infinity;
    if (ratio < 0.25) radius = 0.25 * Math.sqrt(dot(p, p));
    else if (ratio > 0.75 && boundary) radius = Math.min(2 * radius, o.maxRadius);
    fresh = ratio > 0.15;
    if (fresh) {
      x = xt;
      g = gt;
      fx = ft;
    }
  }
}
