/**
 * Profile confidence intervals (lmfit's `conf_interval` and `conf_interval2d`). A parameter is pinned at a
 * trial value and the others refitted from the best fit with the fit's own kernels and solver; the refit's
 * χ² gives the probability that the trial value is excluded, by lmfit's F-test
 *
 *   P = F_cdf((χ²_pinned / χ²_best − 1) · (N − k) / m;  m, N − k)
 *
 * (N points, k free parameters, m pinned). Poisson and likelihood fits use the likelihood-ratio test instead,
 * P = χ²_cdf(2ΔNLL; m) with 2ΔNLL the rise of the deviance (Poisson) or of twice the negative log-likelihood.
 * For each requested probability the bound on either side is the root of P(value) = probability, bracketed
 * as lmfit does: steps of one stderr (or 20% of the value) away from the best fit until P exceeds the
 * largest probability, a bound is hit, or P stops growing.
 */
import {
  defineOptions,
  ExprfitError,
  opt,
  type OptionsInput,
  type OptionsOf,
  validateOptions,
} from '../core/index.ts';
import { R } from '../functions/index.ts';
import { fCdf, sigmaToProbability } from './distributions.ts';
import type { FitResult } from './result.ts';
import { NO_DATA, type FitSetup } from './setup.ts';
import { progressOf, progressSpecs, requireOneThread, threadsSpec } from './progress.ts';
import type { Progress } from './progress.ts';

const isNameList = (v: unknown): v is readonly string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** The options of `confInterval`. */
export const confIntervalOptions = defineOptions(
  'confInterval',
  {
    params: opt.custom<readonly string[]>({
      doc: 'The parameters to profile (default: every free parameter)',
      accept: isNameList,
      expected: 'an array of parameter names',
      parse: (t) => t.split(',').map((s) => s.trim()),
    }),
    sigmas: opt.numberArray({
      doc: 'Levels in standard deviations, default 1, 2, 3 (values < 1 are probabilities, as in lmfit)',
      gt: 0,
      maxLength: 100,
    }),
    probabilities: opt.numberArray({
      doc: 'Levels as probabilities (instead of sigmas)',
      gt: 0,
      lt: 1,
      maxLength: 100,
    }),
    trace: opt.boolean({
      doc: 'Return the profile traces (every refit: values and probability)',
      default: false,
    }),
    maxIterations: opt.integer({ doc: 'Most steps when bracketing a bound', default: 200, min: 1 }),
    ...progressSpecs,
    ...threadsSpec,
  },
  [
    (o) =>
      o.sigmas && o.probabilities
        ? { key: 'probabilities', expected: "absent when 'sigmas' is given" }
        : undefined,
  ],
);
export type ConfIntervalOptions = OptionsInput<typeof confIntervalOptions>;

/** The options of `confInterval2d`. */
export const confInterval2dOptions = defineOptions('confInterval2d', {
  nx: opt.integer({ doc: 'Grid points along x', default: 10, min: 2, max: 1000 }),
  ny: opt.integer({ doc: 'Grid points along y', default: 10, min: 2, max: 1000 }),
  xLimits: opt.numberArray({ doc: 'x range [from, to] (default: best ± 5 stderr)', maxLength: 2 }),
  yLimits: opt.numberArray({ doc: 'y range [from, to] (default: best ± 5 stderr)', maxLength: 2 }),
  ...progressSpecs,
  ...threadsSpec,
});
export type ConfInterval2dOptions = OptionsInput<typeof confInterval2dOptions>;

/** One level of a parameter's interval: ±Infinity where the probability was not reached. */
export interface IntervalLevel {
  readonly probability: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ParamInterval {
  readonly best: number;
  /** One per level, in increasing probability. */
  readonly levels: readonly IntervalLevel[];
}

/** Every refit of one parameter's profile: the free parameters' values and the probability. */
export type ProfileTrace = Record<string, number[]> & { prob: number[] };

export interface ConfIntervalResult {
  readonly params: Record<string, ParamInterval>;
  /** Per profiled parameter, when `trace` was asked. */
  readonly trace?: Record<string, ProfileTrace>;
  /** Why a bound is not reported (bound of the parameter reached, probability stopped growing, ...). */
  readonly warnings: readonly string[];
  /**
   * True when `signal` stopped the work: `params` (and `trace`) hold the parameters whose profiles were
   * finished; the one being profiled is left out.
   */
  readonly interrupted: boolean;
}

/**
 * What a profile needs of the fit's result (a FitResult is one; a worker thread gets these numbers alone): its
 * statistics, and per parameter the best value, stderr and bounds.
 */
export interface ProfileBase {
  readonly estimator: string;
  readonly ndata: number;
  readonly nfree: number;
  readonly chi2: number;
  readonly nll: number;
  readonly params: Readonly<
    Record<
      string,
      { readonly value: number; readonly stderr: number; readonly min: number; readonly max: number }
    >
  >;
}

/** The probability that a refit with `nfix` parameters pinned is excluded (see the module comment). */
function probabilityOf(result: ProfileBase, refit: { chi2: number; nll: number }, nfix: number): number {
  if (result.estimator === 'lsq') {
    const nfree = result.ndata - result.nfree;
    const dchi = refit.chi2 / result.chi2 - 1;
    return fCdf((dchi * nfree) / nfix, nfix, nfree);
  }
  const rise = result.estimator === 'poisson' ? refit.chi2 - result.chi2 : 2 * (refit.nll - result.nll);
  if (!(rise > 0)) return 0;
  return nfix === 1 ? R.erf(Math.sqrt(rise / 2)) : 1 - Math.exp(-rise / 2);
}

function setupOf(result: FitResult, what: string): FitSetup {
  if (!result.setup) throw new ExprfitError('value', `${what}: ${NO_DATA}`);
  return result.setup;
}

function freeIndex(setup: FitSetup, name: string, what: string): number {
  const j = setup.free.indexOf(name);
  if (j < 0) {
    throw new ExprfitError(
      'value',
      `${what}: '${name}' is not a free parameter of the fit (free: ${setup.free.join(', ') || 'none'})`,
    );
  }
  return j;
}

/** Brent's root finder on [a, b] with f(a), f(b) of opposite signs. */
function brentRoot(f: (x: number) => number, a: number, b: number, fa: number, fb: number): number {
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 100; iter++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = e = b - a;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      [a, b, c] = [b, c, b];
      [fa, fb, fc] = [fb, fc, fb];
    }
    const tol = 2e-16 * Math.abs(b) + 1e-10 * Math.abs(b) + 1e-300;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}

/** Thrown inside a profile when the signal is aborted; caught by confInterval. */
class Interrupted {}

/** The profile of one parameter: probability at a pinned value, memoised, traced. */
class Profile {
  private readonly cache = new Map<number, number>();
  readonly trace: number[][] = [];

  constructor(
    private readonly result: ProfileBase,
    private readonly setup: FitSetup,
    readonly name: string,
    private readonly progress: Progress,
  ) {}

  probability(value: number): number {
    const hit = this.cache.get(value);
    if (hit !== undefined) return hit;
    if (this.progress.stopped()) throw new Interrupted();
    const r = this.setup.refit(new Map([[this.name, value]]), this.setup.x);
    const p = probabilityOf(this.result, r, 1);
    this.cache.set(value, p);
    this.trace.push([...r.x, p]);
    return p;
  }
}

/** lmfit's `find_limit`: steps away from the best fit until the largest probability is passed. */
function findLimit(
  profile: Profile,
  result: ProfileBase,
  direction: 1 | -1,
  maxProb: number,
  maxIterations: number,
  warnings: string[],
): { limit: number; prob: number } {
  const p = result.params[profile.name];
  const step =
    p.stderr > 0 && p.stderr < Math.abs(p.value) ? p.stderr : Math.max(Math.abs(p.value) * 0.2, 0.001);
  let limit = p.value;
  let oldProb = 0;
  let prob = 0;
  for (let i = 1; oldProb < maxProb; i++) {
    limit += step * direction;
    const bound = limit > p.max || limit < p.min;
    limit = Math.min(Math.max(limit, p.min), p.max);
    prob = profile.probability(limit);
    const relChange = (prob - oldProb) / Math.max(prob, oldProb, 1e-12);
    oldProb = prob;
    const at = `${profile.name} = ${limit}: probability ${prob.toPrecision(4)} < ${maxProb.toPrecision(4)}`;
    if (bound && prob < maxProb) {
      warnings.push(`${profile.name}: bound reached at ${at}`);
      break;
    }
    if (i > maxIterations) {
      warnings.push(`${profile.name}: ${maxIterations} steps reached at ${at}`);
      break;
    }
    if (relChange < 1e-5) {
      warnings.push(`${profile.name}: the probability stopped growing at ${at}`);
      break;
    }
  }
  return { limit, prob };
}

/** The bounds on one side, one per probability (increasing); ±Infinity where not reached. */
function sideBounds(
  profile: Profile,
  result: ProfileBase,
  direction: 1 | -1,
  probs: readonly number[],
  maxIterations: number,
  warnings: string[],
): number[] {
  const maxProb = probs[probs.length - 1];
  const { limit, prob: limitProb } = findLimit(profile, result, direction, maxProb, maxIterations, warnings);
  let from = result.params[profile.name].value;
  return probs.map((target) => {
    if (target > limitProb) return direction * Infinity;
    const f = (v: number): number => profile.probability(v) - target;
    const root = brentRoot(f, from, limit, f(from), f(limit));
    from = root;
    return root;
  });
}

function levelsOf(o: { sigmas?: readonly number[]; probabilities?: readonly number[] }): number[] {
  const probs = o.probabilities ? [...o.probabilities] : (o.sigmas ?? [1, 2, 3]).map(sigmaToProbability);
  return probs.sort((a, b) => a - b);
}

function traceOf(setup: FitSetup, rows: readonly number[][]): ProfileTrace {
  const out = { prob: rows.map((r) => r[setup.free.length]) } as ProfileTrace;
  setup.free.forEach((n, j) => (out[n] = rows.map((r) => r[j])));
  return out;
}

/** One parameter's profile: its interval at each level, every refit (values and probability), its warnings. */
export interface ParameterProfile {
  readonly interval: ParamInterval;
  readonly rows: readonly number[][];
  readonly warnings: readonly string[];
}

/**
 * The profile of one parameter (both sides); `sideDone(1 | 2)` after each. Throws (isInterrupted) when
 * `progress` is stopped before a refit.
 */
export function profileParameter(
  base: ProfileBase,
  setup: FitSetup,
  name: string,
  plan: { readonly probs: readonly number[]; readonly maxIterations: number },
  progress: Progress,
  sideDone: (side: 1 | 2) => void = () => {},
): ParameterProfile {
  const profile = new Profile(base, setup, name, progress);
  const warnings: string[] = [];
  const lower = sideBounds(profile, base, -1, plan.probs, plan.maxIterations, warnings);
  sideDone(1);
  const upper = sideBounds(profile, base, 1, plan.probs, plan.maxIterations, warnings);
  sideDone(2);
  const levels = plan.probs.map((probability, l) => ({ probability, lower: lower[l], upper: upper[l] }));
  return { interval: { best: base.params[name].value, levels }, rows: profile.trace, warnings };
}

/** What confInterval profiles: the validated options, the setup, the parameters and the levels. */
export interface ConfIntervalPlan {
  readonly options: OptionsOf<typeof confIntervalOptions>;
  readonly setup: FitSetup;
  readonly names: readonly string[];
  readonly probs: readonly number[];
  readonly maxIterations: number;
}

/** Checks the options and the names to profile. */
export function planConfInterval(result: FitResult, optionsIn: ConfIntervalOptions): ConfIntervalPlan {
  const o = validateOptions(confIntervalOptions, optionsIn);
  const setup = setupOf(result, 'confInterval');
  const names = o.params ?? setup.free;
  for (const n of names) freeIndex(setup, n, 'confInterval');
  return { options: o, setup, names, probs: levelsOf(o), maxIterations: o.maxIterations };
}

/** The result from the profiles done (undefined: not done), in the order of the parameters. */
export function intervalsOf(
  plan: ConfIntervalPlan,
  profiles: readonly (ParameterProfile | undefined)[],
): ConfIntervalResult {
  const params: Record<string, ParamInterval> = {};
  const trace: Record<string, ProfileTrace> = {};
  const warnings: string[] = [];
  plan.names.forEach((name, i) => {
    const p = profiles[i];
    if (!p) return;
    params[name] = p.interval;
    trace[name] = traceOf(plan.setup, p.rows);
    warnings.push(...p.warnings);
  });
  const interrupted = plan.names.some((_, i) => !profiles[i]);
  return plan.options.trace ? { params, trace, warnings, interrupted } : { params, warnings, interrupted };
}

/**
 * Profile confidence intervals of the free parameters of a fit, as lmfit's `conf_interval` (module comment):
 * per parameter and level the lower and upper bound, asymmetric where the profile is. On this thread
 * (`confIntervalThreaded` of the Node entry profiles the parameters on worker threads).
 */
export function confInterval(result: FitResult, optionsIn: ConfIntervalOptions = {}): ConfIntervalResult {
  const plan = planConfInterval(result, optionsIn);
  requireOneThread(plan.options, 'confInterval');
  const progress = progressOf(plan.options);
  const total = 2 * plan.names.length;
  const profiles: ParameterProfile[] = [];
  for (const [i, name] of plan.names.entries()) {
    const sideDone = (side: 1 | 2): void => progress.report(2 * i + side, total);
    try {
      profiles.push(profileParameter(result, plan.setup, name, plan, progress, sideDone));
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e;
      break;
    }
  }
  return intervalsOf(plan, profiles);
}

export interface ConfRegion {
  readonly x: string;
  readonly y: string;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** `grid[i][j]`: the probability at (xs[j], ys[i]) (lmfit's layout: rows along y); NaN where not computed. */
  readonly grid: Float64Array[];
  /** True when `signal` stopped the work: the points not computed are NaN. */
  readonly interrupted: boolean;
}

function linspace(a: number, b: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + ((b - a) * i) / (n - 1)));
}

function gridAxis(result: FitResult, name: string, limits: readonly number[] | undefined, n: number) {
  if (limits && limits.length !== 2) {
    throw new ExprfitError('option', `confInterval2d: the limits of '${name}' must be [from, to]`);
  }
  const p = result.params[name];
  if (!limits && !Number.isFinite(p.stderr)) {
    throw new ExprfitError('value', `confInterval2d: '${name}' has no stderr: give its limits`);
  }
  const [a, b] = limits ?? [p.value - 5 * p.stderr, p.value + 5 * p.stderr];
  return linspace(a, b, n);
}

/** What confInterval2d computes: the validated options, the setup, the pair and the grid's axes. */
export interface RegionPlan {
  readonly options: OptionsOf<typeof confInterval2dOptions>;
  readonly setup: FitSetup;
  readonly x: string;
  readonly y: string;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/** Checks the options and the pair; the grid's axes. */
export function planRegion(
  result: FitResult,
  x: string,
  y: string,
  optionsIn: ConfInterval2dOptions,
): RegionPlan {
  const o = validateOptions(confInterval2dOptions, optionsIn);
  const setup = setupOf(result, 'confInterval2d');
  freeIndex(setup, x, 'confInterval2d');
  freeIndex(setup, y, 'confInterval2d');
  if (x === y) throw new ExprfitError('value', `confInterval2d: x and y are both '${x}'`);
  const xs = gridAxis(result, x, o.xLimits, o.nx);
  const ys = gridAxis(result, y, o.yLimits, o.ny);
  return { options: o, setup, x, y, xs, ys };
}

/** The probability at one point of the grid: x and y pinned, the others refitted (F-test with 2 pinned). */
export function regionPoint(
  base: ProfileBase,
  setup: FitSetup,
  pair: { readonly x: string; readonly y: string },
  xv: number,
  yv: number,
): number {
  const pinned = new Map([
    [pair.x, xv],
    [pair.y, yv],
  ]);
  return probabilityOf(base, setup.refit(pinned, setup.x), 2);
}

/**
 * The probability of the pair (x, y) being excluded on a grid, both pinned and the others refitted (lmfit's
 * `conf_interval2d`; the F-test with 2 pinned parameters): contours of it are confidence regions. On this
 * thread (`confInterval2dThreaded` of the Node entry computes rows of the grid on worker threads).
 */
export function confInterval2d(
  result: FitResult,
  x: string,
  y: string,
  optionsIn: ConfInterval2dOptions = {},
): ConfRegion {
  const plan = planRegion(result, x, y, optionsIn);
  requireOneThread(plan.options, 'confInterval2d');
  const { xs, ys, setup } = plan;
  const progress = progressOf(plan.options);
  const total = xs.length * ys.length;
  let done = 0;
  const grid = Array.from(ys, (yv) =>
    Float64Array.from(xs, (xv) => {
      if (progress.stopped()) return NaN;
      const p = regionPoint(result, setup, plan, xv, yv);
      progress.report(++done, total);
      return p;
    }),
  );
  return { x, y, xs, ys, grid, interrupted: done < total };
}
