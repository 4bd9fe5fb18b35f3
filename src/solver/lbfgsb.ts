/**
 * Bounded limited-memory quasi-Newton minimisation of a smooth scalar objective.
 *
 * What it is (honestly): a projected L-BFGS with a two-metric active set (Bertsekas 1982,
 * "Projected Newton methods for optimization problems with simple constraints"; the same family as
 * Kim, Sra & Dhillon's "Tackling box-constrained optimization via a new projected quasi-Newton
 * approach", 2010) — NOT the Byrd–Lu–Nocedal–Zhu L-BFGS-B code with its generalised Cauchy point
 * and subspace minimisation. Per iteration:
 * 1. Binding set `B`: parameters within `ε` of a bound whose gradient points out of the box
 *    (`ε = min(w, 1e-10·max(1,|bound|))`, `w = ‖x − P(x − g)‖∞`); the rest are free (`F`).
 * 2. Direction: `d_F = −H_F g_F` by the L-BFGS two-loop recursion on the free components of the
 *    stored pairs (pairs whose restricted curvature `s_Fᵀy_F` is not positive are skipped);
 *    `d_B = −γ g_B` (pushes the binding parameters onto their bounds).
 * 3. Line search along the projection arc `x(α) = P(x + α d)`: Armijo sufficient decrease
 *    `f(x(α)) <= f(x) + 1e-4·gᵀ(x(α) − x)` by safeguarded quadratic backtracking, with doubling of α
 *    while the arc is not clipped and the curvature condition `g(x(α))ᵀd >= 0.9·gᵀd` fails.
 *    Non-finite values count as failure. If no decrease is found, the memory is dropped and the
 *    projected steepest-descent direction is tried before giving up (`'line-search'`).
 * 4. The pair `(s, y)` is stored when `sᵀy > eps·yᵀy` (memory `m`, default 10).
 * For problems whose solution has no active bound this is exactly L-BFGS with a backtracking /
 * expanding line search. Convergence to a stationary point of the box-constrained problem follows
 * from the two-metric projection framework (descent direction + Armijo along the arc).
 */
import { checkStart, type NumericArray } from './bounds.ts';
import { EPS } from './linalg.ts';
import { defineOptions, opt, type OptionsInput, type OptionsOf, validateOptions } from '../core/index.ts';
import { boundsOption, callbackOption } from './options.ts';
import {
  boundStatus,
  briefReportOf,
  fullReportOf,
  isConverged,
  type BoundSide,
  type SummaryBase,
  type TerminationReason,
} from './summary.ts';

/** Objective with gradient: returns f(x) and writes ∇f(x) into `grad`. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

/** Summary of a scalar minimisation (`minimizeLBFGSB`, `minimizeNelderMead`). */
export interface MinimizeSummary extends SummaryBase {
  /** Gradient at `x` (L-BFGS-B); NaN entries for Nelder–Mead, which uses no derivatives. */
  readonly gradient: Float64Array;
  /** `‖x − P(x − ∇f)‖∞` (L-BFGS-B), NaN for Nelder–Mead. */
  readonly optimality: number;
}

/** The iteration callback of the scalar minimizers: `true` stops (`'user'`). */
export type MinimizerCallback = (info: {
  iteration: number;
  x: Float64Array;
  cost: number;
}) => boolean | void;

/** The options of `minimizeLBFGSB`, declared once. */
export const lbfgsbSchema = defineOptions('L-BFGS-B', {
  /** Lower bounds (`-Infinity` allowed). */
  lower: boundsOption('Lower bounds (-Infinity allowed)'),
  /** Upper bounds (`Infinity` allowed). */
  upper: boundsOption('Upper bounds (Infinity allowed)'),
  /** Number of stored correction pairs. Default `10`. */
  memory: opt.integer({ doc: 'Stored correction pairs', default: 10, min: 1 }),
  /**
   * Projected-gradient test: stop with `'gtol'` when `‖x − P(x − ∇f)‖∞ <= gtol · max(1, |f|)`.
   * Default `1e-12`.
   */
  gtol: opt.number({ doc: 'Projected-gradient tolerance', default: 1e-12, min: 0 }),
  /**
   * Relative reduction test: stop with `'ftol'` after an iteration with
   * `f_k − f_{k+1} <= ftol · max(|f_k|, |f_{k+1}|, 1)`. Default `1e-15` (scipy's `factr = 10`
   * "extremely high accuracy" setting is 2.2e-15). Note that any test on f alone locates x only to
   * about `sqrt(ftol)` along weakly curved directions; the gradient test is the precise one.
   * Steps whose predicted decrease is below the rounding level of f,
   * `|gᵀ(x(α) − x)| <= 1000·eps·max(1, |f|)`, are accepted on the gradient alone (see the line
   * search) and are not subject to this test; when even that fails, the run ends with `'ftol'`
   * ("no decrease measurable").
   */
  ftol: opt.number({ doc: 'Relative reduction tolerance', default: 1e-15, min: 0, max: 1 }),
  /** Step test: stop with `'xtol'` when `‖x_{k+1} − x_k‖∞ <= xtol · (1 + ‖x_k‖∞)`. Default `1e-15`. */
  xtol: opt.number({ doc: 'Step tolerance', default: 1e-15, min: 0, max: 1 }),
  /** Maximum iterations (line searches). Default `10000`. */
  maxIterations: opt.integer({ doc: 'Most iterations (line searches)', default: 10000, min: 1 }),
  /** Maximum objective+gradient evaluations. Default `20000`. */
  maxFunctionEvaluations: opt.integer({
    doc: 'Most objective+gradient evaluations',
    default: 20000,
    min: 1,
  }),
  /** Called after each iteration with the iteration number, x and f; `true` stops (`'user'`). */
  callback: callbackOption<MinimizerCallback>('Called after each iteration; true stops'),
});

/** The validated L-BFGS-B options (defaults filled in). */
export type LbfgsbOptions = OptionsOf<typeof lbfgsbSchema>;

/** Validates L-BFGS-B options and fills in the defaults (throws `ExprfitError('option')`). */
export function validateLbfgsbOptions(partial: OptionsInput<typeof lbfgsbSchema> = {}): LbfgsbOptions {
  return validateOptions(lbfgsbSchema, partial);
}

export const DEFAULT_LBFGSB_OPTIONS: Readonly<LbfgsbOptions> = Object.freeze(validateLbfgsbOptions());

/** Builds a `MinimizeSummary` object with report methods. */
export function makeMinimizeSummary(
  fields: Omit<MinimizeSummary, 'briefReport' | 'fullReport' | 'success' | 'activeMask' | 'atBound'> & {
    lower: Float64Array;
    upper: Float64Array;
  },
): MinimizeSummary {
  const { lower, upper, ...rest } = fields;
  const { activeMask, atBound } = boundStatus(fields.x, lower, upper);
  const base = {
    ...rest,
    activeMask,
    atBound: atBound as BoundSide[],
    success: isConverged(fields.termination),
  };
  return {
    ...base,
    briefReport: () => briefReportOf(base),
    fullReport: (names?: readonly string[]) =>
      fullReportOf(
        base,
        Number.isNaN(fields.optimality) ? [] : [['Projected gradient (inf)', fields.optimality]],
        names,
      ),
  };
}

/**
 * Minimises `f` subject to `lower <= x <= upper` (see the module comment for the algorithm).
 * Never throws on non-convergence; throws `ExprfitError` for invalid options, start point or bounds.
 * A start point outside the bounds is clipped (`x0Clipped`).
 */
export function minimizeLBFGSB(
  f: ObjectiveWithGradient,
  x0: NumericArray,
  options: OptionsInput<typeof lbfgsbSchema> = {},
): MinimizeSummary {
  const o = validateLbfgsbOptions(options);
  const st = checkStart(x0, o.lower, o.upper);
  const { n, lower, upper } = st;
  const method = 'L-BFGS-B (projected two-metric L-BFGS)';
  let x: Float64Array = st.x;
  let g: Float64Array = new Float64Array(n);
  let xn: Float64Array = new Float64Array(n);
  let gn: Float64Array = new Float64Array(n);
  const d = new Float64Array(n);
  const freeMask = new Uint8Array(n);
  const mem = o.memory;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const alphaBuf = new Float64Array(mem);
  const rhoBuf = new Float64Array(mem);
  let nfev = 0;
  let iter = 0;

  const evalAt = (xx: Float64Array, gg: Float64Array): number => {
    nfev++;
    const v = f(xx, gg);
    if (typeof v !== 'number' || Number.isNaN(v)) return NaN;
    for (let j = 0; j < n; j++) if (!Number.isFinite(gg[j])) return NaN;
    return v;
  };
  const projGradNorm = (xx: Float64Array, gg: Float64Array): number => {
    let w = 0;
    for (let j = 0; j < n; j++) {
      let v = xx[j] - gg[j];
      if (v < lower[j]) v = lower[j];
      else if (v > upper[j]) v = upper[j];
      w = Math.max(w, Math.abs(xx[j] - v));
    }
    return w;
  };

  let fx = evalAt(x, g);
  const initialCost = fx;
  const done = (termination: TerminationReason, message: string): MinimizeSummary =>
    makeMinimizeSummary({
      method,
      x: Float64Array.from(x),
      cost: fx,
      initialCost,
      termination,
      message,
      nfev,
      njev: nfev,
      iterations: iter,
      x0Clipped: st.clipped,
      gradient: Float64Array.from(g),
      optimality: Number.isFinite(fx) ? projGradNorm(x, g) : NaN,
      lower,
      upper,
    });
  if (!Number.isFinite(fx)) {
    return done('non-finite', `The objective or its gradient is not finite at the start point (f = ${fx}).`);
  }
  if (n === 0) return done('gtol', 'No free parameters: nothing to minimise.');

  let gamma = 1;
  let firstDecrease = NaN;
  let lastRounding = false;
  for (;;) {
    const w = projGradNorm(x, g);
    if (w <= o.gtol * Math.max(1, Math.abs(fx))) {
      return done('gtol', `Projected gradient ${w.toExponential(3)} <= gtol·max(1,|f|).`);
    }
    if (iter >= o.maxIterations)
      return done('maxiter', `Reached the maximum of ${o.maxIterations} iterations.`);
    if (nfev >= o.maxFunctionEvaluations) {
      return done('maxfev', `Reached the maximum of ${o.maxFunctionEvaluations} function evaluations.`);
    }
    iter++;
    // free / binding sets
    for (let j = 0; j < n; j++) {
      const epsL = Math.min(w, 1e-10 * Math.max(1, Math.abs(lower[j])));
      const epsU = Math.min(w, 1e-10 * Math.max(1, Math.abs(upper[j])));
      const bindL = x[j] - lower[j] <= epsL && g[j] > 0;
      const bindU = upper[j] - x[j] <= epsU && g[j] < 0;
      freeMask[j] = bindL || bindU || lower[j] === upper[j] ? 0 : 1;
    }
    let usedMemory = S.length > 0;
    let ok = false;
    let fNew = NaN;
    firstDecrease = NaN;
    for (let attempt = 0; attempt < 2 && !ok; attempt++) {
      if (attempt === 1) {
        if (!usedMemory) break;
        S.length = 0;
        Y.length = 0;
        usedMemory = false;
      }
      direction(d, g, freeMask, S, Y, alphaBuf, rhoBuf, gamma, n);
      let gd = 0;
      for (let j = 0; j < n; j++) gd += g[j] * d[j];
      if (!(gd < 0)) {
        // not a descent direction (rounding in the memory): steepest descent
        S.length = 0;
        Y.length = 0;
        usedMemory = false;
        for (let j = 0; j < n; j++) d[j] = -g[j] * (freeMask[j] ? 1 : gamma);
      }
      // initial step: 1, or 1/‖g‖∞-scaled on the very first steepest-descent step
      let alpha = 1;
      if (S.length === 0) {
        let dmax = 0;
        for (let j = 0; j < n; j++) dmax = Math.max(dmax, Math.abs(d[j]));
        if (iter === 1 && dmax > 0) alpha = Math.min(1, 1 / dmax);
      }
      const ls = lineSearch(alpha);
      if (ls !== null) {
        ok = true;
        fNew = ls;
      }
    }
    if (!ok) {
      if (nfev >= o.maxFunctionEvaluations) {
        return done('maxfev', `Reached the maximum of ${o.maxFunctionEvaluations} function evaluations.`);
      }
      if (Math.abs(firstDecrease) <= 1000 * EPS * Math.max(1, Math.abs(fx))) {
        return done(
          'ftol',
          `No decrease measurable: the predicted decrease ${Math.abs(firstDecrease).toExponential(3)} of the step is at rounding level.`,
        );
      }
      return done(
        'line-search',
        `No decrease found along the projected steepest-descent direction (projected gradient ${w.toExponential(3)}): ` +
          'the objective is at its rounding level or the gradient is inconsistent with it.',
      );
    }
    // update memory
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    let yy = 0;
    let smax = 0;
    let xmax = 0;
    for (let j = 0; j < n; j++) {
      s[j] = xn[j] - x[j];
      y[j] = gn[j] - g[j];
      sy += s[j] * y[j];
      yy += y[j] * y[j];
      smax = Math.max(smax, Math.abs(s[j]));
      xmax = Math.max(xmax, Math.abs(x[j]));
    }
    if (sy > EPS * yy && yy > 0) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
      }
      S.push(s);
      Y.push(y);
      gamma = sy / yy;
    }
    const fOld = fx;
    let t = x;
    x = xn;
    xn = t;
    t = g;
    g = gn;
    gn = t;
    fx = fNew;
    const cb = o.callback;
    if (cb && cb({ iteration: iter, x, cost: fx }) === true) return done('user', 'Stopped by the callback.');
    // (a step judged by its gradient in the rounding regime says nothing about f's reduction)
    if (!lastRounding && fOld - fx <= o.ftol * Math.max(Math.abs(fOld), Math.abs(fx), 1)) {
      return done(
        'ftol',
        `Relative reduction ${((fOld - fx) / Math.max(Math.abs(fOld), 1)).toExponential(3)} <= ftol.`,
      );
    }
    if (smax <= o.xtol * (1 + xmax)) return done('xtol', `Step ${smax.toExponential(3)} <= xtol·(1 + ‖x‖∞).`);
  }

  /**
   * Line search along P(x + α d); on success xn/gn hold the new point and its f is returned.
   * When the predicted decrease is below the rounding level of f (`|gᵀ(x(α) − x)| <= tolR`), f
   * cannot tell a better point from a worse one, and a trial point is judged by its gradient
   * instead (strong-Wolfe curvature `|g(x(α))ᵀd| <= 0.9·|gᵀd|`, with f not above `f + tolR`).
   */
  function lineSearch(alpha0: number): number | null {
    let alpha = alpha0;
    let best: { alpha: number; f: number } | null = null;
    let expanded = 0;
    const tolR = 1000 * EPS * Math.max(1, Math.abs(fx));
    // directional derivatives over the free components (the binding ones are clipped onto their bounds)
    let gd = 0;
    for (let j = 0; j < n; j++) if (freeMask[j]) gd += g[j] * d[j];
    lastRounding = false;
    for (let trial = 0; trial < 60; trial++) {
      if (nfev >= o.maxFunctionEvaluations) break;
      let clipped = false;
      let dec = 0;
      for (let j = 0; j < n; j++) {
        let v = x[j] + alpha * d[j];
        if (v < lower[j]) {
          v = lower[j];
          if (freeMask[j]) clipped = true;
        } else if (v > upper[j]) {
          v = upper[j];
          if (freeMask[j]) clipped = true;
        }
        xn[j] = v;
        dec += g[j] * (v - x[j]);
      }
      if (trial === 0) firstDecrease = dec;
      if (dec === 0 && trial > 0) break; // the step vanished
      const ft = evalAt(xn, gn);
      let gnd = 0;
      for (let j = 0; j < n; j++) if (freeMask[j]) gnd += gn[j] * d[j];
      if (Math.abs(dec) <= tolR && !best) {
        // rounding regime: judge by the gradient
        if (Number.isFinite(ft) && ft <= fx + tolR && Math.abs(gnd) <= 0.9 * Math.abs(gd)) {
          lastRounding = true;
          return ft;
        }
        if (!Number.isFinite(ft) || trial > 20) {
          alpha *= 0.25;
          continue;
        }
        alpha *= 0.5;
        continue;
      }
      const armijo = Number.isFinite(ft) && ft <= fx + 1e-4 * dec;
      if (armijo) {
        if (best && !(ft < best.f)) {
          // expansion stopped helping: go back to the best point
          alpha = best.alpha;
          recompute(alpha);
          return best.f;
        }
        // curvature: still steep along d and not clipped → try a longer step
        if (!clipped && gnd < 0.9 * gd && expanded < 10 && nfev < o.maxFunctionEvaluations) {
          best = { alpha, f: ft };
          alpha *= 2;
          expanded++;
          continue;
        }
        return ft;
      }
      if (best) {
        alpha = best.alpha;
        recompute(alpha);
        return best.f;
      }
      // backtrack: minimiser of the quadratic through φ(0), φ'(0)·α, φ(α), kept in [0.1α, 0.5α]
      let next = 0.5 * alpha;
      if (Number.isFinite(ft) && dec < 0) {
        const slope = dec / alpha;
        const q = -(slope * alpha * alpha) / (2 * (ft - fx - slope * alpha));
        if (Number.isFinite(q)) next = Math.min(0.5 * alpha, Math.max(0.1 * alpha, q));
      } else if (!Number.isFinite(ft)) {
        next = 0.25 * alpha;
      }
      alpha = next;
    }
    return null;
  }

  function recompute(alpha: number): void {
    for (let j = 0; j < n; j++) {
      let v = x[j] + alpha * d[j];
      if (v < lower[j]) v = lower[j];
      else if (v > upper[j]) v = upper[j];
      xn[j] = v;
    }
    evalAt(xn, gn);
  }
}

/** d = −H g on the free components (two-loop recursion), −γ g on the binding ones. */
function direction(
  d: Float64Array,
  g: Float64Array,
  free: Uint8Array,
  S: Float64Array[],
  Y: Float64Array[],
  alpha: Float64Array,
  rho: Float64Array,
  gamma: number,
  n: number,
): void {
  for (let j = 0; j < n; j++) d[j] = free[j] ? g[j] : 0;
  const k = S.length;
  let gam = gamma;
  let haveGamma = false;
  for (let i = k - 1; i >= 0; i--) {
    const s = S[i];
    const y = Y[i];
    let sy = 0;
    let yy = 0;
    for (let j = 0; j < n; j++) {
      if (!free[j]) continue;
      sy += s[j] * y[j];
      yy += y[j] * y[j];
    }
    if (!(sy > EPS * yy) || yy === 0) {
      rho[i] = 0;
      alpha[i] = 0;
      continue;
    }
    if (!haveGamma) {
      gam = sy / yy;
      haveGamma = true;
    }
    rho[i] = 1 / sy;
    let sq = 0;
    for (let j = 0; j < n; j++) if (free[j]) sq += s[j] * d[j];
    alpha[i] = rho[i] * sq;
    for (let j = 0; j < n; j++) if (free[j]) d[j] -= alpha[i] * y[j];
  }
  for (let j = 0; j < n; j++) d[j] *= gam;
  for (let i = 0; i < k; i++) {
    if (rho[i] === 0) continue;
    const s = S[i];
    const y = Y[i];
    let yr = 0;
    for (let j = 0; j < n; j++) if (free[j]) yr += y[j] * d[j];
    const beta = rho[i] * yr;
    for (let j = 0; j < n; j++) if (free[j]) d[j] += s[j] * (alpha[i] - beta);
  }
  for (let j = 0; j < n; j++) d[j] = free[j] ? -d[j] : -gamma * g[j];
}
