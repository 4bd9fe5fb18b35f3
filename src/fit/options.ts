/**
 * The options of `fit`, declared once (`fitSchema`): from this declaration come the `FitOptions` type
 * (src/fit/types.ts), validation with unknown keys named with a suggestion, the `.fit` statement's options
 * and the options table of docs/fitting.md.
 */
import { progressSpecs } from './progress.ts';
import {
  defineOptions,
  opt,
  type OptionRule,
  type OptionsInput,
  type OptionsOf,
  validateOptions,
} from '../core/index.ts';
import type { NdArray } from '../data/index.ts';
import { LOSS_NAMES } from '../solver/index.ts';

/** Array-like data a user may pass for a variable. */
export type DataInput =
  number | readonly number[] | readonly (readonly number[])[] | Float64Array | NdArray | unknown[];

/** The most starts of a multi-start fit (each start is a whole fit; far more would only exhaust memory). */
export const MAX_STARTS = 10_000;

export type XScaleByName = 'jac' | 'unit' | Readonly<Record<string, number>>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

const sigmaOption = opt.custom<Readonly<Record<string, DataInput>>, true>({
  doc: 'Per dependent variable, a scalar or an array broadcastable to its data: residuals are (f - y)/sigma',
  default: Object.freeze({}),
  accept: (v): v is Readonly<Record<string, DataInput>> => isRecord(v),
  expected: 'an object { dependentVariable: sigma }, e.g. { y: 0.1 }',
  frontEnds: ['api'],
});

const xScaleOption = opt.custom<XScaleByName, true>({
  doc: "lm trust-region scaling: 'jac' (Moré), 'unit', or { name: scale } per parameter (others 1); see docs/solver.md §1.5",
  default: 'jac',
  accept: (v): v is XScaleByName => v === 'jac' || v === 'unit' || isRecord(v),
  expected: "'jac', 'unit' or an object { parameter: scale }",
  words: ['jac', 'unit'],
  frontEnds: ['api'],
});

const fitSpecs = {
  /** Minimizer. `lm` (default): bounded trust-region Levenberg–Marquardt on the residuals. `lbfgsb`: bounded
   * L-BFGS-B on the scalar objective. `nelder`: derivative-free Nelder–Mead on the scalar objective. `powell`,
   * `bfgs` (unbounded), `de` (differential evolution over finite bounds, seeded by `seed`, polished by L-BFGS-B):
   * docs/constraints.md. */
  method: opt.enum(['lm', 'lbfgsb', 'nelder', 'powell', 'bfgs', 'de'], {
    doc: "'lm' bounded trust-region Levenberg–Marquardt (see docs/solver.md); 'lbfgsb', 'nelder', 'powell', 'bfgs' (no bounds), 'de' (differential evolution, finite bounds, seed) minimise the scalar objective (docs/constraints.md)",
    default: 'lm',
  }),
  /** Standard deviation of each dependent variable's data: a scalar or an array broadcastable to its data.
   * Residuals are (model - data) / sigma. Default 1. */
  sigma: sigmaOption,
  /** If false (default), the covariance is scaled by the reduced χ² (as curve_fit and lmfit do); if true,
   * sigma is taken as the absolute standard deviation and the covariance is (JᵀWJ)⁻¹. */
  absoluteSigma: opt.boolean({
    doc: 'false: covariance scaled by the reduced χ² (curve_fit, lmfit); true: sigma is absolute',
    default: false,
  }),
  /** Accept a result with `warnings` (parameters not determined by the data, ...): `ok` is then `success`
   * alone. The warnings are still reported. Default false. Script: `fit allow_warnings=true`; CLI:
   * `exprfit run --allow-warnings`. */
  allowWarnings: opt.boolean({
    doc: 'Accept a result with warnings: ok is then success alone (the warnings are still reported). Scripts: fit allow_warnings=true; CLI: exprfit run --allow-warnings',
    default: false,
  }),
  /** Robust loss (scipy.optimize.least_squares semantics), default 'linear'. */
  loss: opt.enum(LOSS_NAMES, {
    doc: "Robust loss (scipy's least_squares semantics; estimator 'lsq' only)",
    default: 'linear',
  }),
  /** Soft margin between inlier and outlier residuals for robust losses (default 1). */
  fScale: opt.number({
    doc: 'Soft margin between inlier and outlier residuals of the robust losses',
    default: 1,
    gt: 0,
  }),
  /** Objective, default 'lsq'. */
  estimator: opt.enum(['lsq', 'poisson', 'likelihood'], {
    doc: "'poisson': Poisson maximum likelihood of counts; 'likelihood': unbinned maximum likelihood of a pdf",
    default: 'lsq',
  }),
  /** 'raise' (default): a NaN in the data is an error naming the array and the first bad index.
   * 'omit': a point with a NaN in any of its equation's arrays is dropped. */
  nanPolicy: opt.enum(['raise', 'omit'], {
    doc: "'raise': a NaN is an error naming the array and index; 'omit': drops the point from its equation",
    default: 'raise',
    aliases: ['nan'],
  }),
  /** Stop (termination 'maxfev', success false) when a new model evaluation would exceed this count.
   * Default 1000·(k+1) for `lm` (k free parameters), 4000·(k+1) for `nelder`; see docs/solver.md. */
  maxfev: opt.integer({
    doc: "Stop 'maxfev' when a new model evaluation would exceed this (default 1000·(k+1) for lm, 4000·(k+1) for nelder; see docs/solver.md)",
    gt: 0,
  }),
  /** Stop (termination 'maxiter', success false) after this many iterations. Default 1000·(k+1) for `lm`. */
  maxIterations: opt.integer({
    doc: "Stop 'maxiter' after this many iterations (default 1000·(k+1) for lm)",
    gt: 0,
    aliases: ['maxiter'],
  }),
  /** `lm` only. Relative cost-reduction test: stop with 'ftol' after a step whose actual and predicted relative
   * reductions of ½Σr² are both <= ftol. Default 1e-15. */
  ftol: opt.number({ doc: 'lm only: relative cost-reduction test (solver default 1e-15)', min: 0 }),
  /** `lm` only. Relative step test: stop with 'xtol' when the trust radius Δ <= xtol·‖D x‖. Default 1e-15. */
  xtol: opt.number({ doc: 'lm only: relative step test (solver default 1e-15)', min: 0 }),
  /** `lm` only. Gradient test: stop with 'gtol' when max_j |g_j|/(‖J_j‖·‖r‖) <= gtol. Default 1e-15. */
  gtol: opt.number({ doc: 'lm only: gradient test (solver default 1e-15)', min: 0 }),
  /** `lm` only. Variable scaling of the trust region: `'jac'` (default, Moré's running maximum of the
   * Jacobian column norms), `'unit'` (none), or a characteristic scale per parameter name
   * (`{ a: 1e-3, tau: 100 }`; parameters not named get 1). See docs/solver.md for the evidence behind the
   * default. */
  xScale: xScaleOption,
  /** Variable projection (`'varpro'`, also `'separable'`): the parameters that enter the model linearly
   * (amplitudes, basis coefficients, offsets; unbounded, found symbolically) are solved exactly by linear least
   * squares inside the nonlinear fit (Golub–Pereyra with Kaufman's Jacobian), so they need no starts; a final
   * full step gives every parameter's covariance. `lm`, `lsq` and the linear loss only. Default `'none'`. See
   * docs/vector-params.md. */
  linear: opt.enum(['none', 'varpro'], {
    doc: "'varpro': parameters entering the model linearly are solved exactly inside the fit (variable projection; lm, lsq, linear loss); see docs/vector-params.md",
    default: 'none',
    valueAliases: { separable: 'varpro' },
  }),
  /** Multi-start: the number of starts drawn inside the finite bounds (default 1: the given start only). */
  starts: opt.integer({
    doc: 'Multi-start: that many starts drawn inside the finite bounds, the best kept',
    default: 1,
    min: 1,
    max: MAX_STARTS,
  }),
  /** Seed of the multi-start sampler and of method `de` (default 1). */
  seed: opt.integer({ doc: "Seed of the multi-start sampler and of method 'de'", default: 1, gt: 0 }),
  /** Constraints on parameters, expressions of parameters and model outputs: `['a + b <= 1', 'f1 + f2 = 1',
   * 'y >= 0']` (`<=`, `>=`, `=` or `==`). Solved by an augmented-Lagrangian loop around `lm`; see
   * docs/constraints.md. Script: `constrain a + b <= 1`. */
  constraints: opt.custom<readonly string[], true>({
    doc: "Constraints such as ['a + b <= 1', 'f1 + f2 = 1', 'y >= 0'] (see docs/constraints.md); scripts: constrain a + b <= 1",
    default: Object.freeze([]),
    accept: (v): v is readonly string[] => Array.isArray(v) && v.every((c) => typeof c === 'string'),
    expected: "an array of strings such as ['a + b <= 1']",
    frontEnds: ['api'],
  }),
  /** Constraints: feasibility tolerance, max |c| of equalities and max(0, −c) of inequalities (absolute). */
  ctol: opt.number({
    doc: 'Constraints: success needs every violation <= ctol (absolute; default 1e-9)',
    default: 1e-9,
    gt: 0,
  }),
  /** An AbortSignal checked between starts and between the solver's iterations; when aborted, the best of
   * the starts done (or where a single solve was) is returned with `interrupted: true` (src/fit/progress.ts).
   * API only. */
  signal: progressSpecs.signal,
  /** Called with (starts done, starts) after each start of a multi-start, or with (iteration, Infinity) after
   * each iteration of a single solve (open-ended progress). API only. */
  onProgress: progressSpecs.onProgress,
};

type Resolved = OptionsOf<typeof fitSpecs>;

const robustLossNeedsLsq: OptionRule<Resolved> = (o) =>
  o.estimator !== 'lsq' && o.loss !== 'linear'
    ? {
        key: 'loss',
        expected: `'linear' with estimator '${o.estimator}' (robust losses apply to least squares)`,
      }
    : undefined;

const sigmaNeedsLsq: OptionRule<Resolved> = (o) =>
  o.estimator !== 'lsq' && Object.keys(o.sigma).length
    ? { key: 'sigma', expected: `absent with estimator '${o.estimator}' (it is not used)` }
    : undefined;

const xScaleEntries: OptionRule<Resolved> = (o) => {
  if (typeof o.xScale === 'string') return undefined;
  for (const [name, scale] of Object.entries(o.xScale)) {
    if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0))
      return { key: 'xScale', expected: `a finite number > 0 for parameter '${name}'`, value: scale };
  }
  return undefined;
};

/** Variable projection solves a linear least-squares subproblem: lm on the plain sum of squares only. */
const varproNeedsLeastSquares: OptionRule<Resolved> = (o) => {
  if (o.linear !== 'varpro') return undefined;
  if (o.constraints.length)
    return { key: 'linear', expected: "'none' with constraints (variable projection solves unconstrained)" };
  if (o.estimator !== 'lsq')
    return {
      key: 'linear',
      expected: `'none' with estimator '${o.estimator}' (variable projection needs least squares)`,
    };
  if (o.method !== 'lm')
    return {
      key: 'linear',
      expected: `'none' with method '${o.method}' (variable projection runs with 'lm')`,
    };
  if (o.loss !== 'linear')
    return {
      key: 'linear',
      expected: `'none' with loss '${o.loss}' (variable projection needs the linear loss)`,
    };
  return undefined;
};

/** The options of `fit`, declared once. */
const constraintsNeedLm: OptionRule<Resolved> = (o) =>
  o.constraints.length && (o.method !== 'lm' || o.estimator !== 'lsq' || o.loss !== 'linear')
    ? {
        key: 'constraints',
        expected:
          "absent unless method 'lm', estimator 'lsq' and loss 'linear' (the constrained solver is least squares)",
        value: o.constraints,
      }
    : undefined;

export const fitSchema = defineOptions('fit', fitSpecs, [
  robustLossNeedsLsq,
  sigmaNeedsLsq,
  xScaleEntries,
  varproNeedsLeastSquares,
  constraintsNeedLm,
]);

/** What a caller may pass (`FitOptions` in src/fit/types.ts). */
export type FitOptionsInput = OptionsInput<typeof fitSchema>;

/** The checked options with every default filled in. */
export type ValidatedFitOptions = OptionsOf<typeof fitSchema>;

/** Checks `fit`'s options before any work and fills in the defaults (throws an `OptionError`). */
export function validateFitOptions(o: FitOptionsInput = {}): ValidatedFitOptions {
  return validateOptions(fitSchema, o);
}
