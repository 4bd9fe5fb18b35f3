/**
 * Confidence and prediction bands of a fitted model (lmfit's `ModelResult.eval_uncertainty`), by the delta
 * method: with J the Jacobian ∂f/∂p of the model at the points and C the covariance of the free parameters,
 *
 *   dely_i = t · sqrt((J C Jᵀ)_ii)                       (confidence band of the model)
 *   dely_i = t · sqrt((J C Jᵀ)_ii + s² σ_i²)             (prediction band: adds the noise variance)
 *
 * where t is Student's t quantile at (1 + P)/2 with N - k degrees of freedom, P the band's probability
 * (`level`, or erf(sigma/√2) for `sigma` standard deviations; lmfit reads sigma < 1 as a probability),
 * s² the reduced χ² (1 with absoluteSigma) and σ_i the data's sigma (1 when none was given; the prediction
 * band is then lmfit's `dely_predicted`). Poisson fits use the model value as the noise variance. Parameters
 * whose covariance is not determined (on a bound) count as fixed. J is exact (compiled derivatives); lmfit
 * uses central differences.
 */
import type { Expr } from '../ast/index.ts';
import { type BoundKernel, compileModelCached } from '../compile/index.ts';
import { defineOptions, ExprfitError, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { sigmaToProbability, tPpf } from './distributions.ts';
import type { FitSetup, SetupEquation } from './setup.ts';
import type { DataInput } from './types.ts';

const isDataRecord = (v: unknown): v is Record<string, DataInput> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** The options of `evalUncertainty` (and of the band statement). */
export const bandOptions = defineOptions(
  'evalUncertainty',
  {
    sigma: opt.number({
      doc: 'Half-width in standard deviations (values < 1 are probabilities, as in lmfit)',
      gt: 0,
    }),
    level: opt.number({ doc: 'Probability content of the band, e.g. 0.95', gt: 0, lt: 1 }),
    prediction: opt.boolean({ doc: 'Prediction band: adds the noise variance of the data', default: false }),
    equation: opt.string({ doc: 'The equation (its left-hand side) of a global fit; default the first' }),
    at: opt.custom<Record<string, DataInput>>({
      doc: 'New points: data for the variables (default: the fitted data)',
      accept: isDataRecord,
      expected: 'an object of named arrays, e.g. { x }',
      frontEnds: ['api'],
    }),
  },
  [
    (o) =>
      o.sigma !== undefined && o.level !== undefined
        ? { key: 'level', expected: 'absent when sigma is given' }
        : undefined,
  ],
);

export type BandOptions = OptionsInput<typeof bandOptions>;

/** What a band needs of a fit result (FitResult has all of it). */
export interface BandSource {
  readonly values: Readonly<Record<string, number>>;
  readonly free: readonly string[];
  readonly covariance: { readonly matrix: readonly (readonly number[])[] };
  readonly ndata: number;
  readonly redchi: number;
  readonly estimator: string;
  readonly exprs: ReadonlyMap<string, Expr>;
  readonly variables: ReadonlyMap<string, readonly string[]>;
  /** Whether the fit's data had sigma (default: the setup's; false without one). */
  readonly weighted?: boolean;
  /** Whether sigma was absolute (default: the setup's; false without one). */
  readonly absoluteSigma?: boolean;
  /** @internal the fit's kernels (FitResult.setup) */
  readonly setup?: FitSetup;
}

/** Model values, Jacobian and noise scale σ_i (NaN: unknown) at the band's points. */
interface BandPoints {
  readonly shape: readonly number[];
  readonly f: Float64Array;
  readonly J: Float64Array;
  readonly sigma: Float64Array | null;
}

function evaluateKernel(kernel: BoundKernel, x: Float64Array, fixed: Float64Array, n: number) {
  const f = new Float64Array(kernel.size);
  const J = new Float64Array(kernel.size * n);
  kernel.valuesAndJacobian(x, fixed, f, J);
  return { f, J };
}

function atFittedData(src: BandSource, lhs: string): BandPoints {
  const setup = src.setup;
  const eq: SetupEquation | undefined = setup?.equations.find((e) => e.lhs === lhs);
  if (!setup || !eq) {
    throw new ExprfitError(
      'value',
      `evalUncertainty: equation '${lhs}' was not fitted to data: give points with 'at'`,
    );
  }
  const { f, J } = evaluateKernel(eq.kernel, setup.x, setup.heldValues, setup.free.length);
  const sigma = eq.weights ? eq.weights.map((w) => 1 / w) : null;
  return { shape: eq.kernel.shape, f, J, sigma };
}

function atNewPoints(src: BandSource, lhs: string, data: Record<string, DataInput>): BandPoints {
  const expr = src.exprs.get(lhs)!;
  const arrays: Record<string, NdArray> = Object.create(null) as Record<string, NdArray>;
  for (const v of src.variables.get(lhs) ?? []) {
    if (!Object.hasOwn(data, v))
      throw new ExprfitError('unknown-name', `evalUncertainty: no data for variable '${v}' in 'at'`);
    arrays[v] = NdArray.from(data[v], v);
  }
  const fixedNames = Object.keys(src.values).filter((n) => !src.free.includes(n));
  const kernel = compileModelCached(expr, {
    params: [...src.free],
    fixed: fixedNames,
    variables: Object.keys(arrays),
  }).bind(arrays);
  const x = Float64Array.from(src.free.map((n) => src.values[n]));
  const fixed = Float64Array.from(fixedNames.map((n) => src.values[n]));
  const { f, J } = evaluateKernel(kernel, x, fixed, src.free.length);
  const weighted = src.setup?.weighted ?? src.weighted ?? false;
  return { shape: kernel.shape, f, J, sigma: weighted ? new Float64Array(f.length).fill(NaN) : null };
}

/** An equation without an expression (an ODE output) at new points, through its binder's kernel. */
function atBoundPoints(src: BandSource, kernel: BoundKernel): BandPoints {
  const setup = src.setup!;
  const { f, J } = evaluateKernel(kernel, setup.x, setup.heldValues, setup.free.length);
  const weighted = setup.weighted;
  return { shape: kernel.shape, f, J, sigma: weighted ? new Float64Array(f.length).fill(NaN) : null };
}

/** (J C Jᵀ)_ii per point, covariance entries that are not finite counted as 0. */
function modelVariance(J: Float64Array, C: readonly (readonly number[])[], n: number): Float64Array {
  const m = J.length / n;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let v = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const c = C[a][b];
        if (Number.isFinite(c)) v += J[i * n + a] * c * J[i * n + b];
      }
    }
    out[i] = v;
  }
  return out;
}

/** The noise variance of one new observation at each point. */
function noiseVariance(src: BandSource, pts: BandPoints): Float64Array {
  if (src.estimator === 'poisson') return pts.f.map((f) => Math.max(f, 0));
  if (src.estimator === 'likelihood') {
    throw new ExprfitError(
      'value',
      'evalUncertainty: a prediction band needs data noise; a likelihood fit has none',
    );
  }
  const s2 = (src.setup?.absoluteSigma ?? src.absoluteSigma) ? 1 : src.redchi;
  if (pts.sigma?.some(Number.isNaN)) {
    throw new ExprfitError(
      'value',
      "evalUncertainty: the fit's data had sigma, unknown at the new points: a prediction band is only available at the fitted data",
    );
  }
  return pts.sigma ? pts.sigma.map((s) => s2 * s * s) : new Float64Array(pts.f.length).fill(s2);
}

/** The band's half-width t·sqrt(var) at each point (see the module comment for the formulas). */
export function evalUncertainty(src: BandSource, optionsIn: BandOptions = {}): NdArray {
  const o = validateOptions(bandOptions, optionsIn);
  const lhs = o.equation ?? [...src.exprs.keys(), ...(src.setup?.binders?.keys() ?? [])][0] ?? '';
  const bound = src.setup?.binders?.get(lhs);
  if (!src.exprs.has(lhs) && !bound) {
    throw new ExprfitError(
      'unknown-name',
      `evalUncertainty: the model has no equation for '${lhs}' (it has ${[...src.exprs.keys()].join(', ')})`,
    );
  }
  const pts = !o.at
    ? atFittedData(src, lhs)
    : bound
      ? atBoundPoints(src, bound(o.at))
      : atNewPoints(src, lhs, o.at);
  const variance = modelVariance(pts.J, src.covariance.matrix, src.free.length);
  if (o.prediction) {
    const noise = noiseVariance(src, pts);
    for (let i = 0; i < variance.length; i++) variance[i] += noise[i];
  }
  const prob = o.level ?? sigmaToProbability(o.sigma ?? 1);
  const t = tPpf((prob + 1) / 2, src.ndata - src.free.length);
  return new NdArray(
    variance.map((v) => t * Math.sqrt(v)),
    pts.shape,
  );
}
