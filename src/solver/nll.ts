/**
 * Unbinned maximum likelihood: minimise the negative log-likelihood of a probability density model,
 *
 *   NLL(x) = −Σ_i w_i · ln p(t_i; x)        (w_i = 1 unless weights are given),
 *
 * given the density values `p_i = p(t_i; x)` and their gradients `∂p_i/∂x` (symfit's LogLikelihood,
 * RooFit's unbinned fits). The density must be normalised over the data domain for every x; the
 * solver cannot check that.
 *
 * Method:
 * 1. `minimizeLBFGSB` on NLL with gradient `−Σ w_i ∇p_i / p_i` (bounds respected). A point where
 *    some `p_i <= 0` or is not finite has NLL = +∞ and is rejected by the line search.
 * 2. The observed information `H = ∇²NLL` at the estimate by central differences of the analytic
 *    gradient (step `h_j = eps^(1/3)·|x_j|`, or `eps^(1/3)` when `x_j = 0`; one-sided next to a bound),
 *    symmetrised.
 * 3. Up to `newtonSteps` Newton steps `Δ = −H⁺g` on the parameters not on a bound, each kept only
 *    when NLL does not rise beyond rounding and the gradient shrinks (quadratic convergence to the
 *    digits L-BFGS cannot resolve); H is recomputed after each kept step.
 * 4. Covariance = `H⁻¹` (pseudo-inverse of the equilibrated information; eigenvalues below
 *    `rcond · λ_max` are treated as zero; parameters on a bound excluded, NaN). With
 *    `information: 'outer-product'`, `H` is replaced by the BHHH estimate
 *    `Σ w_i (∇ln p_i)(∇ln p_i)ᵀ` (no second differences).
 */
import { defineOptions, ExprfitError, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { checkStart, type NumericArray } from './bounds.ts';
import { covarianceFromInformation, covarianceFromJacobian, type CovarianceResult } from './covariance.ts';
import { minimizeLBFGSB, makeMinimizeSummary, type LbfgsbOptions, type MinimizeSummary } from './lbfgsb.ts';

export interface LikelihoodProblem {
  /** Number of parameters. */
  readonly n: number;
  /** Number of observations. */
  readonly m: number;
  /** Writes the density values `p_i(x)` (must be > 0 at the data). */
  pdf(x: Float64Array, p: Float64Array): void;
  /** Writes `∂p_i/∂x_j`, row-major `m x n`. */
  pdfJacobian(x: Float64Array, P: Float64Array): void;
  /** Optional fused evaluation of both. */
  pdfAndJacobian?(x: Float64Array, p: Float64Array, P: Float64Array): void;
  /** Optional per-observation weights (default 1). */
  readonly weights?: NumericArray;
  readonly lower?: NumericArray;
  readonly upper?: NumericArray;
}

/** The options of `minimizeNLL`, declared once. */
export const nllSchema = defineOptions('likelihood', {
  /** Options passed to `minimizeLBFGSB` (bounds come from the problem). */
  lbfgsb: opt.custom<Partial<Omit<LbfgsbOptions, 'lower' | 'upper'>>>({
    doc: 'Options of the L-BFGS-B minimizer (bounds come from the problem)',
    accept: (v): v is Partial<Omit<LbfgsbOptions, 'lower' | 'upper'>> =>
      typeof v === 'object' && v !== null && !Array.isArray(v),
    expected: 'an object of L-BFGS-B options',
    frontEnds: ['api'],
  }),
  /** Newton polishing steps with the observed information. Default `5`. */
  newtonSteps: opt.integer({ doc: 'Newton polishing steps', default: 5, min: 0 }),
  /** `'observed'` (default): FD Hessian of the NLL; `'outer-product'`: BHHH estimate. */
  information: opt.enum(['observed', 'outer-product'], {
    doc: 'Information matrix: FD Hessian or BHHH outer product',
    default: 'observed',
  }),
  /** Relative eigenvalue cutoff for inverting the information. Default `1e-10`. */
  rcond: opt.number({ doc: 'Relative eigenvalue cutoff', default: 1e-10, min: 0, lt: 1 }),
});

export type NllOptions = OptionsInput<typeof nllSchema>;

export interface NllSummary extends MinimizeSummary {
  /** The information matrix used for the covariance (row-major n x n). */
  readonly information: Float64Array;
  readonly informationType: 'observed' | 'outer-product';
  /** Inverse information (parameters on a bound excluded). */
  readonly covariance: CovarianceResult;
  /** Newton polishing steps that were kept. */
  readonly newtonSteps: number;
}

/**
 * Maximum-likelihood fit of a density model (see the module comment). Never throws on
 * non-convergence.
 */
export function minimizeNLL(
  problem: LikelihoodProblem,
  x0: NumericArray,
  options: NllOptions = {},
): NllSummary {
  const { newtonSteps, information, rcond, lbfgsb } = validateOptions(nllSchema, options);
  const { n, m } = problem;
  if (!Number.isInteger(m) || m < 1)
    throw new ExprfitError('value', `number of observations must be an integer >= 1, got ${m}`);
  const st = checkStart(x0, problem.lower, problem.upper, n);
  const w = new Float64Array(m).fill(1);
  if (problem.weights) {
    if (problem.weights.length !== m) {
      throw new ExprfitError(
        'value',
        `weights have ${problem.weights.length} values but there are ${m} observations`,
      );
    }
    for (let i = 0; i < m; i++) {
      const v = problem.weights[i];
      if (!(v >= 0) || !Number.isFinite(v))
        throw new ExprfitError('value', `weight ${i} must be a finite number >= 0, got ${v}`);
      w[i] = v;
    }
  }
  const p = new Float64Array(m);
  const P = new Float64Array(m * n);
  let nfev = 0;
  const evalBoth = (x: Float64Array): void => {
    nfev++;
    if (problem.pdfAndJacobian) problem.pdfAndJacobian(x, p, P);
    else {
      problem.pdf(x, p);
      problem.pdfJacobian(x, P);
    }
  };
  /** NLL and its gradient; NaN when some density is not positive and finite. */
  const fg = (x: Float64Array, g: Float64Array): number => {
    evalBoth(x);
    g.fill(0);
    let s = 0;
    let c = 0; // Neumaier compensation: NLL sums can have 1e6 terms
    for (let i = 0; i < m; i++) {
      const pi = p[i];
      if (!(pi > 0) || !Number.isFinite(pi)) {
        if (w[i] === 0) continue;
        return NaN;
      }
      const term = -w[i] * Math.log(pi);
      const t = s + term;
      c += Math.abs(s) >= Math.abs(term) ? s - t + term : term - t + s;
      s = t;
      const wi = w[i] / pi;
      const row = i * n;
      for (let j = 0; j < n; j++) g[j] -= wi * P[row + j];
    }
    return s + c;
  };

  const lb = minimizeLBFGSB(fg, st.x, { ...(lbfgsb ?? {}), lower: st.lower, upper: st.upper });
  let x: Float64Array = Float64Array.from(lb.x);
  let fx = lb.cost;
  const g = new Float64Array(n);
  const gt = new Float64Array(n);
  let H: Float64Array = new Float64Array(n * n);
  let kept = 0;
  const informationAt = (xx: Float64Array): Float64Array => {
    if (information === 'outer-product') {
      evalBoth(xx);
      const rows = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        const s = Math.sqrt(w[i]) / p[i];
        for (let j = 0; j < n; j++) rows[i * n + j] = s * P[i * n + j];
      }
      const Hm = new Float64Array(n * n);
      for (let i = 0; i < m; i++) {
        for (let a = 0; a < n; a++) {
          const ra = rows[i * n + a];
          if (ra === 0) continue;
          for (let b = 0; b < n; b++) Hm[a * n + b] += ra * rows[i * n + b];
        }
      }
      return Hm;
    }
    return fdHessian(fg, xx, st.lower, st.upper);
  };
  if (Number.isFinite(fx)) {
    fg(x, g);
    H = informationAt(x);
    const active = activeOf(x, st.lower, st.upper);
    for (let it = 0; it < newtonSteps; it++) {
      const lastCov = covarianceFromInformation(H, n, { exclude: active, rcond });
      const step = new Float64Array(n);
      for (let a = 0; a < n; a++) {
        if (active[a]) continue;
        let t = 0;
        for (let b = 0; b < n; b++) if (!active[b]) t += lastCov.covariance[a * n + b] * g[b];
        step[a] = Number.isFinite(t) ? -t : 0;
      }
      const xt = new Float64Array(n);
      for (let j = 0; j < n; j++) xt[j] = Math.min(st.upper[j], Math.max(st.lower[j], x[j] + step[j]));
      const ft = fg(xt, gt);
      const gNorm = normFree(g, active);
      const gtNorm = normFree(gt, active);
      if (!(Number.isFinite(ft) && ft <= fx + 1e-12 * Math.abs(fx) && gtNorm < gNorm)) break;
      x = xt;
      fx = ft;
      g.set(gt);
      kept++;
      H = informationAt(x);
      if (gtNorm === 0) break;
    }
  }
  const active = activeOf(x, st.lower, st.upper);
  const covariance = Number.isFinite(fx)
    ? covarianceFromInformation(H, n, { exclude: active, rcond })
    : covarianceFromJacobian(new Float64Array(0), 0, n, { exclude: new Array<boolean>(n).fill(true) });
  const base = makeMinimizeSummary({
    method: `maximum likelihood (L-BFGS-B + ${kept} Newton step${kept === 1 ? '' : 's'})`,
    x,
    cost: fx,
    initialCost: lb.initialCost,
    termination: lb.termination,
    message: lb.message + (kept > 0 ? ` Then ${kept} Newton polishing step${kept === 1 ? '' : 's'}.` : ''),
    nfev: lb.nfev + nfev,
    njev: lb.njev + nfev,
    iterations: lb.iterations,
    x0Clipped: st.clipped,
    gradient: Float64Array.from(g),
    optimality: lb.optimality,
    lower: st.lower,
    upper: st.upper,
  });
  return { ...base, information: H, informationType: information, covariance, newtonSteps: kept };
}

function activeOf(x: Float64Array, lower: Float64Array, upper: Float64Array): boolean[] {
  return Array.from(x, (v, j) => v <= lower[j] || v >= upper[j]);
}

function normFree(g: Float64Array, active: boolean[]): number {
  let s = 0;
  for (let j = 0; j < g.length; j++) if (!active[j]) s += g[j] * g[j];
  return Math.sqrt(s);
}

/** Central-difference Hessian of `fg` from its analytic gradient (one-sided at bounds), symmetrised. */
export function fdHessian(
  fg: (x: Float64Array, g: Float64Array) => number,
  x: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const xp = new Float64Array(n);
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  const g0 = new Float64Array(n);
  let haveG0 = false;
  const h3 = Math.cbrt(2.220446049250313e-16);
  for (let j = 0; j < n; j++) {
    const h = h3 * (x[j] !== 0 ? Math.abs(x[j]) : 1);
    const canUp = x[j] + h <= upper[j];
    const canDown = x[j] - h >= lower[j];
    let fp = NaN;
    let fm = NaN;
    if (canUp) {
      xp.set(x);
      xp[j] = x[j] + h;
      fp = fg(xp, gp);
    }
    if (canDown) {
      xp.set(x);
      xp[j] = x[j] - h;
      fm = fg(xp, gm);
    }
    let col: (i: number) => number;
    const hUp = canUp ? x[j] + h - x[j] : 0;
    const hDown = canDown ? x[j] - (x[j] - h) : 0;
    if (Number.isFinite(fp) && Number.isFinite(fm)) col = (i) => (gp[i] - gm[i]) / (hUp + hDown);
    else {
      if (!haveG0) {
        fg(x, g0);
        haveG0 = true;
      }
      if (Number.isFinite(fp)) col = (i) => (gp[i] - g0[i]) / hUp;
      else if (Number.isFinite(fm)) col = (i) => (g0[i] - gm[i]) / hDown;
      else col = () => NaN;
    }
    for (let i = 0; i < n; i++) H[i * n + j] = col(i);
  }
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const v = 0.5 * (H[a * n + b] + H[b * n + a]);
      H[a * n + b] = v;
      H[b * n + a] = v;
    }
  }
  return H;
}
