/**
 * Derivative-free Nelder–Mead simplex minimisation with box bounds, the fallback for objectives
 * without (reliable) derivatives.
 *
 * - Adaptive coefficients (Gao & Han 2012): reflection 1, expansion `1 + 2/n`, contraction
 *   `0.75 − 1/(2n)`, shrink `1 − 1/n` (the classical 1, 2, ½, ½ with `adaptive: false`).
 * - Bounds: every trial point is clipped into the box (as scipy ≥ 1.7); an initial vertex that
 *   would leave the box is reflected to the other side of the start point.
 * - Non-finite objective values count as `+Infinity` (the simplex moves away from them).
 * - Stops when the simplex is small in both x and f (scipy's test, made relative):
 *   `max_i ‖x_i − x_best‖∞ <= xtol · max(1, ‖x_best‖∞)` and
 *   `max_i |f_i − f_best| <= ftol · max(1, |f_best|)`; then restarts from the best vertex with a
 *   fresh simplex (at most `restarts` times) while a restart still lowers f by more than the `ftol`
 *   margin, which guards against the simplex collapsing away from a minimum (McKinnon's examples).
 */
import { checkStart, type NumericArray } from './bounds.ts';
import { makeMinimizeSummary, type MinimizeSummary, type MinimizerCallback } from './lbfgsb.ts';
import { defineOptions, opt, type OptionsInput, type OptionsOf, validateOptions } from '../core/index.ts';
import { boundsOption, callbackOption } from './options.ts';
import type { TerminationReason } from './summary.ts';

/** Objective without derivatives. */
export type Objective = (x: Float64Array) => number;

/** The options of `minimizeNelderMead`, declared once. */
export const nelderMeadSchema = defineOptions('Nelder–Mead', {
  lower: boundsOption('Lower bounds (-Infinity allowed)'),
  upper: boundsOption('Upper bounds (Infinity allowed)'),
  /** Relative size of the initial simplex: vertex j moves `x_j` by `initialStep·x_j` (`0.00025` if `x_j = 0`). Default `0.05`. */
  initialStep: opt.number({ doc: 'Relative size of the initial simplex', default: 0.05, gt: 0 }),
  /** Simplex x-size test (see module comment). Default `1e-10`. */
  xtol: opt.number({ doc: 'Simplex x-size tolerance', default: 1e-10, min: 0, max: 1 }),
  /** Simplex f-spread test (see module comment). Default `1e-12`. */
  ftol: opt.number({ doc: 'Simplex f-spread tolerance', default: 1e-12, min: 0, max: 1 }),
  /** Maximum iterations; `'auto'` = `2000·(n + 1)`. */
  maxIterations: opt.integer({
    doc: "Most iterations ('auto': 2000·(n+1))",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /** Maximum objective evaluations; `'auto'` = `4000·(n + 1)`. */
  maxFunctionEvaluations: opt.integer({
    doc: "Most objective evaluations ('auto': 4000·(n+1))",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /** Gao–Han dimension-dependent coefficients. Default `true`. */
  adaptive: opt.boolean({ doc: 'Gao–Han dimension-dependent coefficients', default: true }),
  /** Restarts after convergence (see module comment). Default `2`. */
  restarts: opt.integer({ doc: 'Restarts after convergence', default: 2, min: 0 }),
  /** Called after each iteration with the iteration number, x and f; `true` stops (`'user'`). */
  callback: callbackOption<MinimizerCallback>('Called after each iteration; true stops'),
});

/** The validated Nelder–Mead options (defaults filled in). */
export type NelderMeadOptions = OptionsOf<typeof nelderMeadSchema>;

/** Validates Nelder–Mead options and fills in the defaults (throws `ExprfitError('option')`). */
export function validateNelderMeadOptions(
  partial: OptionsInput<typeof nelderMeadSchema> = {},
): NelderMeadOptions {
  return validateOptions(nelderMeadSchema, partial);
}

export const DEFAULT_NELDER_MEAD_OPTIONS: Readonly<NelderMeadOptions> =
  Object.freeze(validateNelderMeadOptions());

/**
 * Minimises `f` subject to `lower <= x <= upper` by Nelder–Mead (see the module comment). Never
 * throws on non-convergence.
 */
export function minimizeNelderMead(
  f: Objective,
  x0: NumericArray,
  options: OptionsInput<typeof nelderMeadSchema> = {},
): MinimizeSummary {
  const o = validateNelderMeadOptions(options);
  const st = checkStart(x0, o.lower, o.upper);
  const { n, lower, upper } = st;
  const maxIter = o.maxIterations === 'auto' ? 2000 * (n + 1) : o.maxIterations;
  const maxfev = o.maxFunctionEvaluations === 'auto' ? 4000 * (n + 1) : o.maxFunctionEvaluations;
  const method = 'Nelder–Mead simplex';
  let nfev = 0;
  let iter = 0;
  const clip = (x: Float64Array): void => {
    for (let j = 0; j < n; j++) {
      if (x[j] < lower[j]) x[j] = lower[j];
      else if (x[j] > upper[j]) x[j] = upper[j];
    }
  };
  const evalAt = (x: Float64Array): number => {
    nfev++;
    const v = f(x);
    return typeof v === 'number' && !Number.isNaN(v) ? v : Infinity;
  };
  let xBest = st.x;
  let fBest = evalAt(xBest);
  const initialCost = fBest;
  const nanVec = new Float64Array(n).fill(NaN);
  const done = (termination: TerminationReason, message: string): MinimizeSummary =>
    makeMinimizeSummary({
      method,
      x: Float64Array.from(xBest),
      cost: fBest,
      initialCost,
      termination,
      message,
      nfev,
      njev: 0,
      iterations: iter,
      x0Clipped: st.clipped,
      gradient: nanVec,
      optimality: NaN,
      lower,
      upper,
    });
  if (!Number.isFinite(fBest))
    return done('non-finite', `The objective is not finite at the start point (f = ${fBest}).`);
  if (n === 0) return done('xtol', 'No free parameters: nothing to minimise.');

  const rho = 1;
  const chi = o.adaptive ? 1 + 2 / n : 2;
  const psi = o.adaptive ? 0.75 - 1 / (2 * n) : 0.5;
  const sigma = o.adaptive ? 1 - 1 / n : 0.5;
  const sim: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(n));
  const fs = new Float64Array(n + 1);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const xbar = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);

  let lastTermination: TerminationReason = 'xtol';
  let lastMessage = '';
  for (let restart = 0; restart <= o.restarts; restart++) {
    // initial simplex around xBest
    sim[0].set(xBest);
    fs[0] = fBest;
    for (let k = 0; k < n; k++) {
      const v = sim[k + 1];
      v.set(xBest);
      const step = xBest[k] !== 0 ? o.initialStep * xBest[k] : 0.00025;
      let t = xBest[k] + step;
      if (t > upper[k] || t < lower[k]) t = xBest[k] - step;
      v[k] = t;
      clip(v);
      if (v[k] === xBest[k]) {
        // the box is too narrow for the step: use half the box
        v[k] =
          upper[k] > xBest[k]
            ? xBest[k] + 0.5 * (upper[k] - xBest[k])
            : xBest[k] - 0.5 * (xBest[k] - lower[k]);
      }
    }
    for (let k = 1; k <= n; k++) {
      if (nfev >= maxfev) break;
      fs[k] = evalAt(sim[k]);
    }
    const fStart = fBest;
    let term: TerminationReason | null = null;
    let msg = '';
    for (;;) {
      order.sort((a, b) => fs[a] - fs[b]);
      const b = order[0];
      const w = order[n];
      const sw = order[n - 1];
      // convergence test
      let xs = 0;
      let fsMax = 0;
      let xmax = 0;
      for (let j = 0; j < n; j++) xmax = Math.max(xmax, Math.abs(sim[b][j]));
      for (let i = 1; i <= n; i++) {
        const v = sim[order[i]];
        for (let j = 0; j < n; j++) xs = Math.max(xs, Math.abs(v[j] - sim[b][j]));
        fsMax = Math.max(fsMax, Math.abs(fs[order[i]] - fs[b]));
      }
      xBest = Float64Array.from(sim[b]);
      fBest = fs[b];
      if (xs <= o.xtol * Math.max(1, xmax) && fsMax <= o.ftol * Math.max(1, Math.abs(fs[b]))) {
        term = 'xtol';
        msg = `Simplex size ${xs.toExponential(3)} and f spread ${fsMax.toExponential(3)} below xtol / ftol.`;
        break;
      }
      if (iter >= maxIter) {
        term = 'maxiter';
        msg = `Reached the maximum of ${maxIter} iterations.`;
        break;
      }
      if (nfev >= maxfev) {
        term = 'maxfev';
        msg = `Reached the maximum of ${maxfev} function evaluations.`;
        break;
      }
      iter++;
      const cb = o.callback;
      if (cb && cb({ iteration: iter, x: sim[b], cost: fs[b] }) === true) {
        term = 'user';
        msg = 'Stopped by the callback.';
        break;
      }
      xbar.fill(0);
      for (let i = 0; i < n; i++) {
        const v = sim[order[i]];
        for (let j = 0; j < n; j++) xbar[j] += v[j] / n;
      }
      const worst = sim[w];
      for (let j = 0; j < n; j++) xr[j] = (1 + rho) * xbar[j] - rho * worst[j];
      clip(xr);
      const fr = evalAt(xr);
      let shrink = false;
      if (fr < fs[b]) {
        for (let j = 0; j < n; j++) xe[j] = (1 + rho * chi) * xbar[j] - rho * chi * worst[j];
        clip(xe);
        const fe = evalAt(xe);
        if (fe < fr) {
          worst.set(xe);
          fs[w] = fe;
        } else {
          worst.set(xr);
          fs[w] = fr;
        }
      } else if (fr < fs[sw]) {
        worst.set(xr);
        fs[w] = fr;
      } else if (fr < fs[w]) {
        for (let j = 0; j < n; j++) xc[j] = (1 + psi * rho) * xbar[j] - psi * rho * worst[j];
        clip(xc);
        const fc = evalAt(xc);
        if (fc <= fr) {
          worst.set(xc);
          fs[w] = fc;
        } else shrink = true;
      } else {
        for (let j = 0; j < n; j++) xc[j] = (1 - psi) * xbar[j] + psi * worst[j];
        clip(xc);
        const fc = evalAt(xc);
        if (fc < fs[w]) {
          worst.set(xc);
          fs[w] = fc;
        } else shrink = true;
      }
      if (shrink) {
        const best = sim[b];
        for (let i = 1; i <= n; i++) {
          const v = sim[order[i]];
          for (let j = 0; j < n; j++) v[j] = best[j] + sigma * (v[j] - best[j]);
          clip(v);
          fs[order[i]] = evalAt(v);
        }
      }
    }
    lastTermination = term;
    lastMessage = msg;
    if (term !== 'xtol') break;
    // restart only while restarts keep improving f beyond the ftol margin
    if (restart > 0 && !(fStart - fBest > o.ftol * Math.max(1, Math.abs(fBest)))) break;
  }
  return done(lastTermination, lastMessage);
}
