/**
 * MCMC sampling of the posterior of a fit's parameters with the affine-invariant ensemble sampler of Goodman
 * & Weare (2010), "stretch move" as in emcee (a = 2, walkers split in two halves at random each step):
 * walker X_k moves to Y = X_j + z (X_k − X_j), X_j a walker of the other half, z ~ g(z) ∝ 1/√z on [1/a, a],
 * accepted with probability min(1, z^(n−1) p(Y)/p(X_k)).
 *
 * The log-posterior is the fit's log-likelihood plus uniform priors on the bounds (−∞ outside), plus the
 * optional `prior`, ln π(θ) written as an expression of the sampled parameters:
 *   least squares, weighted (`isWeighted`):  ln p = −χ²/2,  χ² = Σ r_i², r_i = (f_i − y_i)/σ_i;
 *   least squares, not weighted:             ln p = −½ Σ (r_i²/s² + ln(2π s²)),  s = exp(__lnsigma)
 *                                            (lmfit's `is_weighted=False`; __lnsigma is sampled too);
 *   Poisson:                                 ln p = −D/2,  D the deviance;
 *   likelihood:                              ln p = Σ ln pdf(x_i).
 * Walkers start in a small ball around the best fit (lmfit: x·(1 + 10⁻⁴ N(0, 1))). Reported: medians and the
 * 15.87/50/84.13 percentiles of the kept samples (after `burn`, every `thin`-th), half their spread as stderr
 * (lmfit), the acceptance fraction per walker, the integrated autocorrelation time τ (src/fit/autocorr.ts,
 * with a warning when the chain is shorter than 50 τ), and the maximum a posteriori sample.
 */
import type { Expr } from '../ast/index.ts';
import {
  defineOptions,
  ExprfitError,
  opt,
  type OptionsInput,
  type OptionsOf,
  validateOptions,
} from '../core/index.ts';
import { CONSTANTS } from '../functions/index.ts';
import { mulberry32 } from '../solver/index.ts';
import { evaluate, freeSymbols } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';
import { integratedTime } from './autocorr.ts';
import type { FitResult } from './result.ts';
import { NO_DATA, type FitSetup } from './setup.ts';
import { progressOf, progressSpecs, requireOneThread, threadsSpec } from './progress.ts';

/** The options of `emcee`. */
export const emceeOptions = defineOptions(
  'emcee',
  {
    walkers: opt.integer({
      doc: 'Number of walkers (at least 2 per sampled parameter)',
      default: 100,
      min: 2,
    }),
    steps: opt.integer({ doc: 'Steps of every walker', default: 1000, min: 1 }),
    burn: opt.integer({ doc: 'Steps discarded at the start', default: 0, min: 0 }),
    thin: opt.integer({ doc: 'Keep every thin-th step', default: 1, min: 1 }),
    seed: opt.integer({ doc: 'Seed of the random numbers', default: 1 }),
    prior: opt.string({
      doc: 'ln of a prior density, an expression of the sampled parameters added to the log-posterior, e.g. "-0.5*((tau - 3.5)/0.2)^2"',
    }),
    isWeighted: opt.boolean({
      doc: "Whether sigma is the data's noise; if false the noise scale __lnsigma is sampled too (default: whether the fit had sigma)",
    }),
    ...progressSpecs,
    ...threadsSpec,
  },
  [(o) => (o.burn >= o.steps ? { key: 'burn', expected: 'less than steps' } : undefined)],
);
export type EmceeOptions = OptionsInput<typeof emceeOptions>;

/** Posterior summary of one sampled parameter. */
export interface PosteriorSummary {
  readonly median: number;
  /** 15.87th and 84.13th percentiles (±1σ for a Gaussian). */
  readonly lower: number;
  readonly upper: number;
  /** (upper − lower)/2, lmfit's stderr of an emcee run. */
  readonly stderr: number;
  /** Integrated autocorrelation time, in steps. */
  readonly tau: number;
}

export interface EmceeResult {
  /** The sampled parameters: the fit's free ones, then `__lnsigma` when not weighted. */
  readonly names: readonly string[];
  /** Kept samples, `[step][walker][parameter]` row-major: `chain[(s * walkers + w) * names.length + j]`. */
  readonly chain: Float64Array;
  /** ln p of every kept sample, `[step][walker]`. */
  readonly lnprob: Float64Array;
  readonly steps: number;
  readonly walkers: number;
  readonly params: Record<string, PosteriorSummary>;
  /** Correlation of the kept samples, in `names` order. */
  readonly correlation: readonly (readonly number[])[];
  /** Fraction of accepted moves of each walker (over all steps). */
  readonly acceptanceFraction: Float64Array;
  /** Maximum a posteriori sample (over all steps) and its ln p. */
  readonly map: { readonly values: Record<string, number>; readonly lnprob: number };
  readonly warnings: readonly string[];
  /** True when `signal` stopped the sampler: `steps` counts the kept steps done, the summaries use them. */
  readonly interrupted: boolean;
}

/** The user's ln prior (option `prior`) as a function of the sampled vector; 0 without one. */
function lnPriorOf(prior: string | undefined, names: readonly string[]): (x: Float64Array) => number {
  if (prior === undefined) return () => 0;
  let expr: Expr;
  try {
    expr = parseExpr(prior);
  } catch (e) {
    if (!(e instanceof ExprfitError)) throw e;
    throw new ExprfitError('option', `emcee option 'prior' does not parse: ${e.message}`);
  }
  const unknown = [...freeSymbols(expr)].filter((n) => !names.includes(n) && !(n in CONSTANTS));
  if (unknown.length) {
    throw new ExprfitError(
      'option',
      `emcee option 'prior' uses '${unknown[0]}', not a sampled parameter (sampled: ${names.join(', ')})`,
    );
  }
  const scope: Record<string, number> = {};
  return (x) => {
    names.forEach((n, j) => (scope[n] = x[j]));
    return evaluate(expr, scope);
  };
}

/** The log-posterior of the sampled vector `names` (see the module comment). */
export function logPosterior(
  setup: FitSetup,
  sampleNoise: boolean,
  prior?: string,
): (x: Float64Array) => number {
  const n = setup.free.length;
  const buffers = setup.equations.map((e) => new Float64Array(e.size));
  const inBounds = (x: Float64Array): boolean => {
    for (let j = 0; j < n; j++) if (!(x[j] >= setup.lower[j] && x[j] <= setup.upper[j])) return false;
    return true;
  };
  const lnLike = likelihoodOf(setup, sampleNoise, buffers);
  const lnPrior = lnPriorOf(prior, [...setup.free, ...(sampleNoise ? ['__lnsigma'] : [])]);
  return (x) => {
    if (!inBounds(x)) return -Infinity;
    const v = lnLike(x) + lnPrior(x);
    return Number.isFinite(v) ? v : -Infinity;
  };
}

function likelihoodOf(
  setup: FitSetup,
  sampleNoise: boolean,
  buffers: Float64Array[],
): (x: Float64Array) => number {
  const eqs = setup.equations;
  const held = setup.heldValues;
  const n = setup.free.length;
  if (setup.estimator === 'likelihood') {
    return (x) => {
      let s = 0;
      eqs.forEach((e, k) => {
        e.kernel.values(x, held, buffers[k]);
        for (const f of buffers[k]) s += Math.log(f);
      });
      return s;
    };
  }
  if (setup.estimator === 'poisson') {
    return (x) => {
      let s = 0;
      eqs.forEach((e, k) => {
        e.kernel.values(x, held, buffers[k]);
        const y = e.observed!;
        buffers[k].forEach((f, i) => (s += (y[i] > 0 ? y[i] * Math.log(f / y[i]) : 0) - f + y[i]));
      });
      return s;
    };
  }
  const m = eqs.reduce((sum, e) => sum + e.size, 0);
  const model = new Float64Array(n);
  return (x) => {
    for (let j = 0; j < n; j++) model[j] = x[j];
    const p = model;
    let chi2 = 0;
    for (let k = 0; k < eqs.length; k++) {
      const r = buffers[k];
      eqs[k].kernel.residuals!(p, held, r);
      for (let i = 0; i < r.length; i++) chi2 += r[i] * r[i];
    }
    if (!sampleNoise) return -0.5 * chi2;
    const lnSigma = x[n];
    return -0.5 * (chi2 * Math.exp(-2 * lnSigma) + m * (Math.log(2 * Math.PI) + 2 * lnSigma));
  };
}

function gaussian(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** The starting ball: lmfit's x·(1 + 10⁻⁴ N(0,1)), with an absolute spread for zeros, inside the bounds. */
function startingBall(
  x0: Float64Array,
  walkers: number,
  rand: () => number,
  lnp: (x: Float64Array) => number,
) {
  const ndim = x0.length;
  const pos = new Float64Array(walkers * ndim);
  for (let w = 0; w < walkers; w++) {
    const p = pos.subarray(w * ndim, (w + 1) * ndim);
    for (let tries = 0; tries < 1000; tries++) {
      for (let j = 0; j < ndim; j++)
        p[j] = x0[j] + (x0[j] !== 0 ? Math.abs(x0[j]) : 1e-4) * 1e-4 * gaussian(rand);
      if (lnp(p) > -Infinity) break;
      p.set(x0);
    }
  }
  return pos;
}

interface Sampler {
  readonly pos: Float64Array;
  readonly lnp: Float64Array;
  readonly accepted: Float64Array;
  /** Scratch: the walkers in a random order. */
  readonly order: Int32Array;
}

/** The moves of one half of the walkers: who moves, the stretch factors, the uniforms, the proposals. */
interface HalfMove {
  readonly moving: Int32Array;
  readonly z: Float64Array;
  readonly u: Float64Array;
  /** `moving.length × ndim`, row-major. */
  readonly proposals: Float64Array;
}

/** The random order of a step: the first half of it moves against the second, then the second. */
function shuffledHalves(s: Sampler, rand: () => number): [Int32Array, Int32Array] {
  const order = s.order;
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const cut = Math.ceil(order.length / 2);
  return [order.subarray(0, cut), order.subarray(cut)];
}

/**
 * The proposals of the moving walkers: Y = X_j + z (X_k − X_j), X_j of the other half. Per walker the draws
 * are j, z and the uniform of the acceptance test, in that order (the proposals of a half depend only on the
 * other half, so they can all be evaluated before any is accepted).
 */
function proposeHalf(
  s: Sampler,
  ndim: number,
  rand: () => number,
  moving: Int32Array,
  others: Int32Array,
): HalfMove {
  const a = 2;
  const move = {
    moving: Int32Array.from(moving),
    z: new Float64Array(moving.length),
    u: new Float64Array(moving.length),
    proposals: new Float64Array(moving.length * ndim),
  };
  for (let m = 0; m < moving.length; m++) {
    const k = moving[m];
    const j = others[Math.floor(rand() * others.length)];
    const z = ((a - 1) * rand() + 1) ** 2 / a;
    move.z[m] = z;
    move.u[m] = rand();
    for (let d = 0; d < ndim; d++)
      move.proposals[m * ndim + d] = s.pos[j * ndim + d] + z * (s.pos[k * ndim + d] - s.pos[j * ndim + d]);
  }
  return move;
}

/** Accepts each proposal with probability min(1, z^(n−1) p(Y)/p(X_k)), given ln p(Y) of each. */
function acceptHalf(s: Sampler, ndim: number, move: HalfMove, lnps: Float64Array): void {
  for (let m = 0; m < move.moving.length; m++) {
    const k = move.moving[m];
    if ((ndim - 1) * Math.log(move.z[m]) + lnps[m] - s.lnp[k] > Math.log(move.u[m])) {
      for (let d = 0; d < ndim; d++) s.pos[k * ndim + d] = move.proposals[m * ndim + d];
      s.lnp[k] = lnps[m];
      s.accepted[k]++;
    }
  }
}

/** ln p of each row of `points` (`ndim` wide), each copied into one scratch vector. */
export function lnpOfRows(
  lnp: (x: Float64Array) => number,
  points: Float64Array,
  ndim: number,
): Float64Array {
  const rows = points.length / ndim;
  const out = new Float64Array(rows);
  const x = new Float64Array(ndim);
  for (let m = 0; m < rows; m++) {
    for (let d = 0; d < ndim; d++) x[d] = points[m * ndim + d];
    out[m] = lnp(x);
  }
  return out;
}

/** numpy's percentile (linear interpolation) of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * (q / 100);
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

function column(chain: Float64Array, ndim: number, j: number): Float64Array {
  const out = new Float64Array(chain.length / ndim);
  for (let i = 0; i < out.length; i++) out[i] = chain[i * ndim + j];
  return out;
}

function correlationOf(chain: Float64Array, ndim: number): number[][] {
  const rows = chain.length / ndim;
  const mean = new Float64Array(ndim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < ndim; j++) mean[j] += chain[i * ndim + j] / rows;
  const cov = new Float64Array(ndim * ndim);
  const d = new Float64Array(ndim);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < ndim; j++) d[j] = chain[i * ndim + j] - mean[j];
    for (let j = 0; j < ndim; j++) for (let k = 0; k <= j; k++) cov[j * ndim + k] += d[j] * d[k];
  }
  const c = (j: number, k: number): number => (j >= k ? cov[j * ndim + k] : cov[k * ndim + j]);
  return Array.from({ length: ndim }, (_, j) =>
    Array.from({ length: ndim }, (_, k) => (j === k ? 1 : c(j, k) / Math.sqrt(c(j, j) * c(k, k)))),
  );
}

/** The start vector: best fit, plus ln s from the residuals when the noise scale is sampled. */
function startVector(result: FitResult, setup: FitSetup, sampleNoise: boolean): Float64Array {
  if (!sampleNoise) return Float64Array.from(setup.x);
  const s2 = result.chi2 / Math.max(result.ndata - result.nfree, 1);
  return Float64Array.from([...setup.x, 0.5 * Math.log(s2 > 0 ? s2 : 1)]);
}

function noiseScaleSampled(setup: FitSetup, isWeighted: boolean | undefined): boolean {
  if (setup.estimator !== 'lsq') {
    if (isWeighted === false) {
      throw new ExprfitError(
        'option',
        `emcee: isWeighted=false samples a noise scale; a ${setup.estimator} fit has none`,
      );
    }
    return false;
  }
  return !(isWeighted ?? setup.weighted);
}

/** What a run of the sampler is: the validated options, the setup, the sampled names and the log-posterior. */
export interface EmceePlan {
  readonly options: OptionsOf<typeof emceeOptions>;
  readonly setup: FitSetup;
  readonly sampleNoise: boolean;
  readonly names: readonly string[];
  readonly start: Float64Array;
}

/** Checks the options against the fit. */
export function planEmcee(result: FitResult, optionsIn: EmceeOptions): EmceePlan {
  const o = validateOptions(emceeOptions, optionsIn);
  const setup = result.setup;
  if (!setup) throw new ExprfitError('value', `emcee: ${NO_DATA}`);
  const sampleNoise = noiseScaleSampled(setup, o.isWeighted);
  const names = [...setup.free, ...(sampleNoise ? ['__lnsigma'] : [])];
  const ndim = names.length;
  if (ndim === 0) throw new ExprfitError('value', 'emcee: the fit has no free parameter to sample');
  if (o.walkers < 2 * ndim) {
    throw new ExprfitError(
      'option',
      `emcee option 'walkers' must be at least ${2 * ndim} (2 per sampled parameter), got ${o.walkers}`,
    );
  }
  lnPriorOf(o.prior, names); // parses and checks the prior
  return { options: o, setup, sampleNoise, names, start: startVector(result, setup, sampleNoise) };
}

/**
 * The sampler as a generator: it yields the proposals of each half-step (rows of `names.length`) and is given
 * back their ln p, so that one loop serves this thread (`emcee`) and worker threads (`emceeThreaded`).
 */
export function* sampling(plan: EmceePlan): Generator<Float64Array, EmceeResult, Float64Array> {
  const o = plan.options;
  const { names } = plan;
  const ndim = names.length;
  const rand = mulberry32(o.seed);
  const lnp = logPosterior(plan.setup, plan.sampleNoise, o.prior);
  const pos = startingBall(plan.start, o.walkers, rand, lnp);
  const sampler: Sampler = {
    pos,
    lnp: lnpOfRows(lnp, pos, ndim),
    accepted: new Float64Array(o.walkers),
    order: Int32Array.from({ length: o.walkers }, (_, i) => i),
  };
  const kept = Math.ceil((o.steps - o.burn) / o.thin);
  const chain = new Float64Array(kept * o.walkers * ndim);
  const lnprob = new Float64Array(kept * o.walkers);
  const post = new Float64Array((o.steps - o.burn) * o.walkers * ndim);
  let best = { lnprob: -Infinity, x: new Float64Array(ndim) };
  const record = (step: number): void => {
    if (step < o.burn) return;
    post.set(pos, (step - o.burn) * o.walkers * ndim);
    if ((step - o.burn) % o.thin !== 0) return;
    const k = (step - o.burn) / o.thin;
    chain.set(pos, k * o.walkers * ndim);
    lnprob.set(sampler.lnp, k * o.walkers);
  };
  const progress = progressOf(o);
  let done = o.steps;
  for (let step = 0; step < o.steps; step++) {
    for (const [moving, others] of halvesOf(shuffledHalves(sampler, rand))) {
      const move = proposeHalf(sampler, ndim, rand, moving, others);
      acceptHalf(sampler, ndim, move, yield move.proposals);
    }
    for (let w = 0; w < o.walkers; w++) {
      if (sampler.lnp[w] > best.lnprob)
        best = { lnprob: sampler.lnp[w], x: pos.slice(w * ndim, (w + 1) * ndim) };
    }
    record(step);
    progress.report(step + 1, o.steps);
    if (step + 1 < o.steps && progress.stopped()) {
      done = step + 1;
      break;
    }
  }
  if (done === o.steps) return summarise([...names], chain, lnprob, post, sampler, best, o);
  const keptDone = done > o.burn ? Math.ceil((done - o.burn) / o.thin) : 0;
  const postDone = Math.max(done - o.burn, 0);
  const run = { walkers: o.walkers, steps: done, burn: Math.min(o.burn, done) };
  const cut = (a: Float64Array, rows: number, width: number) => a.slice(0, rows * width);
  const perStep = o.walkers * ndim;
  const partial = summarise(
    [...names],
    cut(chain, keptDone, perStep),
    cut(lnprob, keptDone, o.walkers),
    cut(post, postDone, perStep),
    sampler,
    best,
    run,
  );
  return { ...partial, interrupted: true };
}

/** The two moves of a step: the first half against the second, then the second against the first. */
function halvesOf([a, b]: [Int32Array, Int32Array]): [Int32Array, Int32Array][] {
  return [
    [a, b],
    [b, a],
  ];
}

/**
 * Samples the posterior of the fit's parameters (module comment): seeded and reproducible. On this thread
 * (`emceeThreaded` of the Node entry evaluates each half-step's proposals on worker threads).
 */
export function emcee(result: FitResult, optionsIn: EmceeOptions = {}): EmceeResult {
  const plan = planEmcee(result, optionsIn);
  requireOneThread(plan.options, 'emcee');
  const lnp = logPosterior(plan.setup, plan.sampleNoise, plan.options.prior);
  const run = sampling(plan);
  for (let next = run.next(); ;) {
    if (next.done) return next.value;
    next = run.next(lnpOfRows(lnp, next.value, plan.names.length));
  }
}

function summarise(
  names: string[],
  chain: Float64Array,
  lnprob: Float64Array,
  post: Float64Array,
  sampler: Sampler,
  best: { lnprob: number; x: Float64Array },
  o: { walkers: number; steps: number; burn: number },
): EmceeResult {
  const ndim = names.length;
  const postSteps = o.steps - o.burn;
  const warnings: string[] = [];
  const params: Record<string, PosteriorSummary> = {};
  names.forEach((name, j) => {
    if (postSteps === 0) {
      params[name] = { median: NaN, lower: NaN, upper: NaN, stderr: NaN, tau: NaN };
      return;
    }
    const sorted = column(chain, ndim, j).sort();
    const lower = percentile(sorted, 15.87);
    const upper = percentile(sorted, 84.13);
    const tau = integratedTime(post, postSteps, o.walkers, ndim, j);
    if (postSteps < 50 * tau) {
      warnings.push(
        `${name}: the chain (${postSteps} steps) is shorter than 50 autocorrelation times (τ = ${tau.toFixed(1)}): run more steps`,
      );
    }
    params[name] = { median: percentile(sorted, 50), lower, upper, stderr: (upper - lower) / 2, tau };
  });
  return {
    names,
    chain,
    lnprob,
    steps: chain.length / (o.walkers * ndim),
    walkers: o.walkers,
    params,
    correlation: correlationOf(chain, ndim),
    acceptanceFraction: sampler.accepted.map((a) => a / o.steps),
    map: { values: Object.fromEntries(names.map((n, j) => [n, best.x[j]])), lnprob: best.lnprob },
    warnings,
    interrupted: false,
  };
}
