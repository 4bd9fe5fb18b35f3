/**
 * Differential evolution (Storn & Price 1997) over a finite box, with scipy's defaults
 * (`scipy.optimize.differential_evolution`): strategy `best1bin`, population `popsize·n` drawn by Latin
 * hypercube sampling, mutation factor dithered per generation in `mutation = [0.5, 1)`, recombination 0.7,
 * immediate updating. The random numbers come from the seeded `mulberry32` generator (the same seed gives
 * the same run; the stream is not numpy's, so runs match scipy's in the minimum found, not step by step).
 * - Work in the unit cube: a trial component outside [0, 1] is replaced by a uniform random number.
 * - Stop `'ftol'` when `std(energies) <= atol + tol·|mean(energies)|` (scipy's test), `'maxiter'` after
 *   `maxIterations` generations, `'maxfev'`. Non-finite energies count as `+Infinity`.
 * - Then, when given, `polish` (a local solver from the best member, e.g. L-BFGS-B) replaces the result if
 *   it is lower.
 */
import { defineOptions, ExprfitError, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { checkStart, type NumericArray } from './bounds.ts';
import { makeMinimizeSummary, type MinimizeSummary } from './lbfgsb.ts';
import { mulberry32 } from './multistart.ts';
import type { Objective } from './neldermead.ts';
import { boundsOption } from './options.ts';
import type { TerminationReason } from './summary.ts';

/** A local solve from `x` (the polishing step): its point and value. */
export type Polish = (x: Float64Array) => { x: Float64Array; cost: number; nfev: number };

const isPair = (v: unknown): v is readonly [number, number] =>
  Array.isArray(v) &&
  v.length === 2 &&
  v.every((e) => typeof e === 'number' && e >= 0 && e <= 2) &&
  v[0] <= v[1];

/** The options of `differentialEvolution`, declared once (scipy's names and defaults). */
export const differentialSchema = defineOptions('differential evolution', {
  lower: boundsOption('Lower bounds (finite)'),
  upper: boundsOption('Upper bounds (finite)'),
  /** Population size multiplier: the population has `popsize·n` members (at least 5). Default `15`. */
  popsize: opt.integer({ doc: 'Population: popsize·n members', default: 15, min: 1, max: 10_000 }),
  /** Mutation factor: a number, or `[min, max]` dithered per generation. Default `[0.5, 1]`. */
  mutation: opt.custom<number | readonly [number, number], true>({
    doc: 'Mutation factor F, or [min, max) dithered per generation',
    default: [0.5, 1],
    accept: (v): v is number | readonly [number, number] =>
      (typeof v === 'number' && v >= 0 && v <= 2) || isPair(v),
    expected: 'a number in [0, 2] or [min, max] within [0, 2]',
  }),
  /** Crossover probability. Default `0.7`. */
  recombination: opt.number({ doc: 'Crossover probability CR', default: 0.7, min: 0, max: 1 }),
  /** Relative convergence tolerance on the population's energies. Default `0.01`. */
  tol: opt.number({ doc: "Stop 'ftol' when std(E) <= atol + tol·|mean(E)|", default: 0.01, min: 0 }),
  /** Absolute convergence tolerance. Default `0`. */
  atol: opt.number({ doc: 'Absolute part of the convergence test', default: 0, min: 0 }),
  /** Most generations. Default `1000`. */
  maxIterations: opt.integer({ doc: 'Most generations', default: 1000, min: 1 }),
  /** Most objective evaluations (polishing not counted). Default unlimited. */
  maxFunctionEvaluations: opt.integer({
    doc: 'Most objective evaluations',
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /** Seed of the random numbers. Default `1`. */
  seed: opt.integer({ doc: 'Seed of the random numbers', default: 1, gt: 0 }),
  /** Local solver run from the best member at the end (API). */
  polish: opt.custom<Polish>({
    doc: 'Local solve from the best member (x) => { x, cost, nfev }',
    accept: (v): v is Polish => typeof v === 'function',
    expected: 'a function',
    frontEnds: ['api'],
  }),
});

/** Latin hypercube: each dimension split into `size` strata, one random point per stratum, shuffled. */
function latinHypercube(size: number, n: number, rand: () => number): Float64Array[] {
  const pop = Array.from({ length: size }, () => new Float64Array(n));
  for (let j = 0; j < n; j++) {
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      [order[i], order[k]] = [order[k], order[i]];
    }
    for (let i = 0; i < size; i++) pop[i][j] = (order[i] + rand()) / size;
  }
  return pop;
}

/** Two distinct members other than `i`. */
function pickTwo(size: number, i: number, rand: () => number): [number, number] {
  let a = i;
  while (a === i) a = Math.floor(rand() * size);
  let b = i;
  while (b === i || b === a) b = Math.floor(rand() * size);
  return [a, b];
}

function spread(E: Float64Array): { mean: number; std: number } {
  const mean = E.reduce((s, e) => s + e, 0) / E.length;
  const variance = E.reduce((s, e) => s + (e - mean) ** 2, 0) / E.length;
  return { mean, std: Math.sqrt(variance) };
}

/** One generation of best1bin with immediate updating; returns the index of the best member. */
function generationStep(g: {
  pop: Float64Array[];
  E: Float64Array;
  best: number;
  F: number;
  recombination: number;
  rand: () => number;
  energy: (u: Float64Array) => number;
}): number {
  const { pop, E, F, rand } = g;
  const n = pop[0].length;
  const trial = new Float64Array(n);
  let best = g.best;
  for (let i = 0; i < pop.length; i++) {
    const [a, b] = pickTwo(pop.length, i, rand);
    const fill = Math.floor(rand() * n);
    for (let j = 0; j < n; j++) {
      const mutant = pop[best][j] + F * (pop[a][j] - pop[b][j]);
      trial[j] = rand() < g.recombination || j === fill ? mutant : pop[i][j];
      if (trial[j] < 0 || trial[j] > 1) trial[j] = rand();
    }
    const e = g.energy(trial);
    if (e > E[i]) continue;
    pop[i].set(trial);
    E[i] = e;
    if (e <= E[best]) best = i;
  }
  return best;
}

/** Minimises `f` over the finite box by differential evolution (see the module comment). */
export function differentialEvolution(
  f: Objective,
  x0: NumericArray,
  options: OptionsInput<typeof differentialSchema> = {},
): MinimizeSummary {
  const o = validateOptions(differentialSchema, options);
  const st = checkStart(x0, o.lower, o.upper);
  const { n, lower, upper } = st;
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(lower[j]) || !Number.isFinite(upper[j])) {
      throw new ExprfitError(
        'value',
        `differential evolution needs finite bounds: parameter ${j} has [${lower[j]}, ${upper[j]}]`,
      );
    }
  }
  const rand = mulberry32(o.seed);
  const size = Math.max(5, o.popsize * n);
  const maxFev = o.maxFunctionEvaluations === 'auto' ? Infinity : o.maxFunctionEvaluations;
  const scale = (u: Float64Array): Float64Array =>
    Float64Array.from(u, (v, j) => lower[j] + v * (upper[j] - lower[j]));
  let nfev = 0;
  const energy = (u: Float64Array): number => {
    nfev++;
    const e = f(scale(u));
    return Number.isFinite(e) ? e : Infinity;
  };
  const pop = latinHypercube(size, n, rand);
  const E = Float64Array.from(pop, energy);
  let best = E.indexOf(Math.min(...E));
  const initialCost = E[best];
  let generation = 0;
  let termination: TerminationReason = 'maxiter';
  let message = `${o.maxIterations} generations (maxIterations).`;
  for (; generation < o.maxIterations; generation++) {
    const s = spread(E);
    if (s.std <= o.atol + o.tol * Math.abs(s.mean)) {
      termination = 'ftol';
      message = `population converged: std(E) = ${s.std.toExponential(3)} <= atol + tol·|mean(E)|.`;
      break;
    }
    if (nfev >= maxFev) {
      termination = 'maxfev';
      message = `${nfev} evaluations (maxFunctionEvaluations).`;
      break;
    }
    const F =
      typeof o.mutation === 'number' ? o.mutation : o.mutation[0] + rand() * (o.mutation[1] - o.mutation[0]);
    best = generationStep({ pop, E, best, F, recombination: o.recombination, rand, energy });
  }
  let x = scale(pop[best]);
  let cost = E[best];
  let polishEvals = 0;
  if (o.polish) {
    const p = o.polish(x);
    polishEvals = p.nfev;
    if (p.cost < cost) [x, cost] = [p.x, p.cost];
  }
  const success = termination === 'ftol';
  return makeMinimizeSummary({
    method: `differential evolution (best1bin, population ${size}${o.polish ? ', polished' : ''})`,
    x,
    cost,
    initialCost,
    termination,
    message: success ? message : `${message} (not converged)`,
    nfev: nfev + polishEvals,
    njev: 0,
    iterations: generation,
    x0Clipped: st.clipped,
    gradient: new Float64Array(n).fill(NaN),
    optimality: NaN,
    lower,
    upper,
  });
}
