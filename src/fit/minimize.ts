/**
 * `minimize(expr, params, options)` / `maximize(...)`: an objective written as an expression, minimised over
 * its parameters with bounds and constraints, without data (symfit `Fit(expr)`, scipy `minimize`) or with a
 * sum over data the user writes (`sum(abs(y - a*x - b))`). Exact gradient and Hessian (src/fit/objective.ts).
 * Methods: `lbfgsb` (default), `bfgs`, `newton` (trust-region, exact Hessian), `nelder`, `powell`, `de`
 * (differential evolution over finite bounds, polished by L-BFGS-B). Constraints: the augmented-Lagrangian
 * loop around L-BFGS-B (src/solver/augmented.ts).
 */
import { type Expr, neg } from '../ast/index.ts';
import {
  defineOptions,
  ExprfitError,
  opt,
  type OptionsInput,
  type OptionsOf,
  validateOptions,
} from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { CONSTANTS } from '../functions/index.ts';
import {
  requireScalarParams,
  normalizeParam,
  type ParamInput,
  type ParamsInput,
  type ParamSpec,
} from '../model/index.ts';
import {
  type ConstrainedSummary,
  type ConstraintFunctions,
  differentialEvolution,
  minimizeBFGS,
  minimizeConstrained,
  minimizeLBFGSB,
  minimizeNelderMead,
  minimizePowell,
  type MinimizeSummary,
  minimizeTrustNewton,
  multiStart,
  type ObjectiveWithGradient,
} from '../solver/index.ts';
import { evaluate, freeSymbols, substitute } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';
import {
  constraintFunctions,
  constraintResults,
  parseConstraint,
  prepareConstraints,
  type ConstraintResult,
} from './constraints.ts';
import { objectiveProblem, parseObjective, splitSums, type ScalarProblem } from './objective.ts';
import type { DataInput } from './options.ts';
import type { Termination } from './types.ts';

/** The methods of `minimize` / `maximize`. */
export const MINIMIZERS = ['lbfgsb', 'bfgs', 'newton', 'nelder', 'powell', 'de'] as const;
export type Minimizer = (typeof MINIMIZERS)[number];

/** The options of `minimize` and `maximize`, declared once. */
export const minimizeSchema = defineOptions('minimize', {
  /** The minimiser (see docs/constraints.md for each one's termination tests). */
  method: opt.enum(MINIMIZERS, {
    doc: "'lbfgsb' bounded L-BFGS; 'bfgs'; 'newton' trust-region Newton with the exact Hessian; 'nelder'; 'powell'; 'de' differential evolution (finite bounds)",
    default: 'lbfgsb',
  }),
  /** Data for the sums of the objective: `{ x: [...], y: [...] }`. API only (scripts use their variables). */
  data: opt.custom<Readonly<Record<string, DataInput>>, true>({
    doc: 'Data of the objective’s sums: { x, y }',
    default: Object.freeze({}),
    accept: (v): v is Readonly<Record<string, DataInput>> =>
      v !== null && typeof v === 'object' && !Array.isArray(v),
    expected: 'an object of named arrays',
    frontEnds: ['api'],
  }),
  /** Constraints such as `['x + y <= 1', 'x^3 = y']` (scripts: `constrain`). */
  constraints: opt.custom<readonly string[], true>({
    doc: "Constraints such as ['x + y <= 1', 'x^3 = y']; scripts: constrain",
    default: Object.freeze([]),
    accept: (v): v is readonly string[] => Array.isArray(v) && v.every((c) => typeof c === 'string'),
    expected: "an array of strings such as ['x + y <= 1']",
    frontEnds: ['api'],
  }),
  /** Constraints: success needs every violation <= ctol. */
  ctol: opt.number({ doc: 'Constraints: success needs every violation <= ctol', default: 1e-9, gt: 0 }),
  /** Gradient tolerance of the gradient methods (lbfgsb: projected gradient relative to max(1,|f|)). */
  gtol: opt.number({
    doc: "Gradient test of lbfgsb, bfgs, newton (each method's default when absent)",
    min: 0,
  }),
  /** Most iterations (generations for `de`). */
  maxIterations: opt.integer({ doc: 'Most iterations (generations for de)', gt: 0, aliases: ['maxiter'] }),
  /** Most objective evaluations. */
  maxfev: opt.integer({ doc: 'Most objective evaluations', gt: 0 }),
  /** Multi-start: that many starts (the given one, then stratified draws inside the bounds, or ±max(1,|x|)
   * around the start where a bound is infinite), the lowest minimum kept. Default 1. */
  starts: opt.integer({
    doc: 'Multi-start: that many starts drawn inside the bounds (±max(1,|x|) where infinite), the lowest kept',
    default: 1,
    min: 1,
    max: 10_000,
  }),
  /** `de` and multi-start: seed of the random numbers. */
  seed: opt.integer({ doc: 'de and starts: seed of the random numbers', default: 1, gt: 0 }),
  /** `de`: population size multiplier. */
  popsize: opt.integer({ doc: 'de: population popsize·n', default: 15, min: 1 }),
  /** `de`: polish the best member with L-BFGS-B. */
  polish: opt.boolean({ doc: 'de: polish the best member with L-BFGS-B', default: true }),
});

export type MinimizeOptions = OptionsInput<typeof minimizeSchema>;
type Resolved = OptionsOf<typeof minimizeSchema>;

/** What `minimize` and `maximize` return. */
export interface MinimizeResult {
  readonly objective: string;
  readonly sense: 'minimize' | 'maximize';
  readonly method: string;
  /** Every parameter's value at the solution (free, fixed, tied). */
  readonly values: Readonly<Record<string, number>>;
  readonly free: readonly string[];
  /** The objective at the solution (the maximum for `maximize`). */
  readonly value: number;
  /** The objective's gradient and Hessian at the solution (free parameters; `maximize`: of the objective itself). */
  readonly gradient: Readonly<Record<string, number>>;
  readonly hessian: readonly (readonly number[])[];
  readonly success: boolean;
  readonly termination: Termination;
  readonly message: string;
  readonly nfev: number;
  readonly njev: number;
  readonly iterations: number;
  readonly constraints: readonly ConstraintResult[];
  /** Free parameters that ended on a bound. */
  readonly atBound: Readonly<Record<string, 'lower' | 'upper'>>;
  report(): string;
}

const isConstant = (name: string): boolean => Object.prototype.hasOwnProperty.call(CONSTANTS, name);

/** Data arrays by name (every name must be used by a sum). */
function dataArrays(data: Readonly<Record<string, DataInput>>): Map<string, NdArray> {
  const read = (name: string, v: DataInput): NdArray => {
    try {
      return NdArray.from(v, name);
    } catch (e) {
      if (e instanceof ExprfitError) throw e;
      throw new ExprfitError('type', `data '${name}' could not be read as numbers`);
    }
  };
  return new Map(Object.entries(data).map(([k, v]) => [k, read(k, v)]));
}

/** Parameter names of the objective and constraints, in order of appearance; data must sit inside sums. */
function parameterNames(
  expr: Expr,
  arrays: ReadonlyMap<string, NdArray>,
  declared: readonly string[],
): string[] {
  const { outer, sums } = splitSums(expr);
  const sumNames = new Set(sums.map((s) => s.name));
  for (const s of freeSymbols(outer)) {
    if (arrays.has(s)) {
      throw new ExprfitError(
        'value',
        `the objective uses the data '${s}' outside sum(...): write the sum over the data, e.g. sum((y - a*x)^2)`,
      );
    }
  }
  const names: string[] = [];
  const used = new Set<string>();
  for (const e of [outer, ...sums.map((s) => s.inner)])
    for (const s of freeSymbols(e)) if (!sumNames.has(s)) used.add(s);
  for (const k of arrays.keys()) {
    if (!used.has(k)) throw new ExprfitError('unknown-name', `data '${k}' is not used by the objective`);
  }
  for (const s of used) {
    if (arrays.has(s) || (isConstant(s) && !declared.includes(s))) continue;
    names.push(s);
  }
  return names;
}

interface Prepared {
  readonly expr: Expr;
  readonly order: readonly string[];
  readonly params: ReadonlyMap<string, ParamSpec>;
  readonly ties: ReadonlyMap<string, Expr>;
  readonly free: readonly string[];
  readonly held: readonly string[];
  readonly heldValues: Float64Array;
  readonly arrays: ReadonlyMap<string, NdArray>;
}

/** Ties substituted until none is left (a cycle is an error). */
function resolveTies(params: ReadonlyMap<string, ParamSpec>): Map<string, Expr> {
  const raw = new Map<string, Expr>();
  for (const p of params.values()) if (p.expr !== undefined) raw.set(p.name, parseExpr(p.expr));
  const ties = new Map<string, Expr>();
  for (const [name, e] of raw) {
    let r = e;
    for (let depth = 0; [...freeSymbols(r)].some((s) => raw.has(s)); depth++) {
      if (depth > raw.size)
        throw new ExprfitError('value', `tied parameters refer to each other in a cycle (${name})`);
      r = substitute(r, raw);
    }
    ties.set(name, r);
  }
  return ties;
}

/** The names a parameter's tie expression uses. */
function tieSymbols(spec: ParamInput | undefined): string[] {
  if (typeof spec !== 'object' || spec === null || typeof spec.expr !== 'string') return [];
  try {
    return [...freeSymbols(parseExpr(spec.expr))];
  } catch {
    return []; // reported with its position when the tie is read
  }
}

/** The parameters' inputs, each a scalar parameter (vector parameters are not taken here yet). */
function prepare(text: string, given: ParamsInput, o: Resolved, extraNames: readonly string[]): Prepared {
  const paramsIn = requireScalarParams(given ?? {}, 'minimize/maximize');
  const arrays = dataArrays(o.data);
  const declared = Object.keys(paramsIn ?? {});
  const parsed = parseObjective(text);
  const order = parameterNames(parsed, arrays, declared);
  const tieNames = declared.flatMap((n) => tieSymbols(paramsIn[n]));
  for (const n of declared) {
    if (order.includes(n)) continue;
    if (!extraNames.includes(n) && !tieNames.includes(n)) {
      throw new ExprfitError(
        'unknown-name',
        `parameter '${n}' does not appear in the objective (its parameters are: ${order.join(', ') || 'none'})`,
      );
    }
    order.push(n);
  }
  for (const n of declared) {
    if (arrays.has(n)) throw new ExprfitError('value', `'${n}' is given both as data and as a parameter`);
  }
  const params = new Map(order.map((n) => [n, normalizeParam(n, paramsIn?.[n])]));
  const ties = resolveTies(params);
  const expr = ties.size ? substitute(parsed, ties) : parsed;
  const free = order.filter((n) => !params.get(n)!.fixed && !ties.has(n));
  const held = order.filter((n) => params.get(n)!.fixed && !ties.has(n));
  const heldValues = Float64Array.from(held, (n) => params.get(n)!.value);
  return { expr, order, params, ties, free, held, heldValues, arrays };
}

function methodOptions(o: Resolved): { maxIterations?: number; maxFunctionEvaluations?: number } {
  return {
    ...(o.maxIterations ? { maxIterations: o.maxIterations } : {}),
    ...(o.maxfev ? { maxFunctionEvaluations: o.maxfev } : {}),
  };
}

/** Runs the chosen method on the problem within the box. */
function runMethod(
  p: ScalarProblem,
  x0: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  o: Resolved,
): MinimizeSummary {
  const f = (x: Float64Array, g: Float64Array): number => p.valueAndGradient(x, g);
  const value = (x: Float64Array): number => p.value(x);
  const box = { lower, upper };
  const limits = methodOptions(o);
  const gtol = o.gtol === undefined ? {} : { gtol: o.gtol };
  const bounded = lower.some((v) => v > -Infinity) || upper.some((v) => v < Infinity);
  if (bounded && (o.method === 'bfgs' || o.method === 'newton')) {
    throw new ExprfitError(
      'value',
      `method '${o.method}' is unconstrained: use 'lbfgsb', 'nelder', 'powell' or 'de' with bounds`,
    );
  }
  switch (o.method) {
    case 'bfgs':
      return minimizeBFGS(f, x0, { ...limits, ...gtol });
    case 'newton':
      return minimizeTrustNewton(f, (x, H) => p.hessian(x, H), x0, { ...limits, ...gtol });
    case 'nelder':
      return minimizeNelderMead(value, x0, { ...box, ...limits });
    case 'powell':
      return minimizePowell(value, x0, { ...box, ...limits });
    case 'de':
      return differentialEvolution(value, x0, {
        ...box,
        seed: o.seed,
        popsize: o.popsize,
        ...(o.maxIterations ? { maxIterations: o.maxIterations } : {}),
        ...(o.maxfev ? { maxFunctionEvaluations: o.maxfev } : {}),
        ...(o.polish ? { polish: (x: Float64Array) => minimizeLBFGSB(f, x, box) } : {}),
      });
    default:
      return minimizeLBFGSB(f, x0, { ...box, ...limits, ...gtol });
  }
}

/** Minimises (or, with `sense` 'maximize', maximises) the objective `text` over its parameters. */
function optimize(
  text: string,
  paramsIn: ParamsInput,
  options: MinimizeOptions,
  sense: MinimizeResult['sense'],
): MinimizeResult {
  const o = validateOptions(minimizeSchema, options);
  if (paramsIn === null || typeof paramsIn !== 'object' || Array.isArray(paramsIn)) {
    throw new ExprfitError('type', 'params must be an object such as { x: 1, y: { value: 2, min: 0 } }');
  }
  const parsedConstraints = o.constraints.map(parseConstraint);
  const constraintNames = parsedConstraints.flatMap((c) => [...freeSymbols(c.expr)]);
  const prep = prepare(text, paramsIn, o, constraintNames);
  const expr = sense === 'maximize' ? neg(prep.expr) : prep.expr;
  const problem = objectiveProblem({ ...prep, expr });
  const lower = Float64Array.from(prep.free, (n) => prep.params.get(n)!.min);
  const upper = Float64Array.from(prep.free, (n) => prep.params.get(n)!.max);
  const x0 = Float64Array.from(prep.free, (n) => prep.params.get(n)!.value);
  const context = {
    params: new Set(prep.order),
    ties: prep.ties,
    outputs: new Map(),
    arrays: prep.arrays,
    isConstant,
  };
  const cons = prepareConstraints(parsedConstraints, context, prep.free, prep.held);
  if (!cons.length) return resultOf(text, sense, prep, problem, withStarts(problem, x0, lower, upper, o));
  const functions = constraintFunctions(cons, prep.free.length, prep.heldValues);
  const summary = runConstrained(problem, functions, x0, { lower, upper }, o);
  return resultOf(text, sense, prep, problem, summary, { cons, summary });
}

/** `runMethod` from `o.starts` start points (src/solver/multistart.ts), the lowest minimum kept. */
function withStarts(
  p: ScalarProblem,
  x0: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  o: Resolved,
): MinimizeSummary {
  if (o.starts === 1) return runMethod(p, x0, lower, upper, o);
  const ms = multiStart((x) => runMethod(p, x, lower, upper, o), lower, upper, x0, o.starts, o.seed);
  const count = (key: 'nfev' | 'njev' | 'iterations'): number => ms.results.reduce((t, r) => t + r[key], 0);
  const message = `${ms.best.message} (best of ${o.starts} starts: start ${ms.bestIndex})`;
  return { ...ms.best, message, nfev: count('nfev'), njev: count('njev'), iterations: count('iterations') };
}

/** The augmented-Lagrangian loop around L-BFGS-B (default) or Nelder–Mead. */
function runConstrained(
  problem: ScalarProblem,
  functions: ConstraintFunctions,
  x0: Float64Array,
  box: { lower: Float64Array; upper: Float64Array },
  o: Resolved,
): ConstrainedSummary {
  if (o.method !== 'lbfgsb' && o.method !== 'nelder') {
    throw new ExprfitError(
      'value',
      `constraints need method 'lbfgsb' (default) or 'nelder', not '${o.method}'`,
    );
  }
  const nelder = {
    inner: (g: ObjectiveWithGradient, z: Float64Array, lower: Float64Array, upper: Float64Array) =>
      minimizeNelderMead((x) => g(x, new Float64Array(x.length)), z, { lower, upper }),
    method: 'Nelder–Mead',
  };
  return minimizeConstrained((x, g) => problem.valueAndGradient(x, g), functions, x0, {
    ...box,
    constraints: { ctol: o.ctol },
    ...(o.method === 'nelder' ? nelder : {}),
  });
}

function resultOf(
  text: string,
  sense: MinimizeResult['sense'],
  prep: Prepared,
  problem: ScalarProblem,
  s: MinimizeSummary | ConstrainedSummary,
  constrained?: { cons: ReturnType<typeof prepareConstraints>; summary: ConstrainedSummary },
): MinimizeResult {
  const n = prep.free.length;
  const sign = sense === 'maximize' ? -1 : 1;
  const g = new Float64Array(n);
  const value = sign * problem.valueAndGradient(s.x, g);
  const H = new Float64Array(n * n);
  problem.hessian(s.x, H);
  const values: Record<string, number> = {};
  prep.free.forEach((name, j) => (values[name] = s.x[j]));
  for (const name of prep.held) values[name] = prep.params.get(name)!.value;
  for (const [name, e] of prep.ties) values[name] = evaluate(e, values);
  const atBound: Record<string, 'lower' | 'upper'> = {};
  prep.free.forEach((name, j) => {
    if (s.atBound[j]) atBound[name] = s.atBound[j]!;
  });
  const constraints = constrained
    ? constraintResults(
        constrained.cons,
        constrained.summary.constraintValues,
        constrained.summary.multipliers.map((v) => sign * v),
        constrained.summary.activeConstraints,
      )
    : [];
  const result = {
    objective: text,
    sense,
    method: s.method,
    values,
    free: prep.free,
    value,
    gradient: Object.fromEntries(prep.free.map((name, j) => [name, sign * g[j]])),
    hessian: Array.from({ length: n }, (_, a) => Array.from(H.subarray(a * n, a * n + n), (v) => sign * v)),
    success: s.success,
    termination: s.termination as Termination,
    message: s.message,
    nfev: s.nfev,
    njev: s.njev,
    iterations: s.iterations,
    constraints,
    atBound,
  };
  return { ...result, report: () => minimizeReport(result) };
}

const fmt = (v: number): string =>
  Number.isFinite(v) && v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e7)
    ? v.toExponential(6)
    : String(Number(v.toPrecision(10)));

/** The text report: objective, method, termination, values with gradient components, constraints. */
function minimizeReport(r: Omit<MinimizeResult, 'report'>): string {
  const L = [`[[${r.sense === 'maximize' ? 'Maximize' : 'Minimize'}]]`, `    ${r.objective}`, '[[Result]]'];
  L.push(`    # method               = ${r.method}`);
  L.push(`    # function evals       = ${r.nfev}`);
  L.push(`    ${r.sense === 'maximize' ? 'maximum' : 'minimum'}                = ${fmt(r.value)}`);
  L.push(`    success                = ${r.success} (${r.termination})`);
  L.push(`    ${r.message}`);
  if (r.constraints.length) {
    L.push('[[Constraints]]');
    for (const c of r.constraints) {
      const state = c.equality ? 'equality' : c.active ? 'active' : 'inactive';
      L.push(`    ${c.text}: c = ${fmt(c.value)}, ${state}, multiplier = ${fmt(c.multiplier)}`);
    }
  }
  L.push('[[Variables]]');
  const width = Math.max(...Object.keys(r.values).map((n) => n.length)) + 1;
  for (const [name, v] of Object.entries(r.values)) {
    const grad = name in r.gradient ? ` (gradient ${fmt(r.gradient[name])})` : ' (fixed or tied)';
    L.push(
      `    ${(name + ':').padEnd(width)} ${fmt(v).padStart(14)}${grad}${r.atBound[name] ? ` [at ${r.atBound[name]} bound]` : ''}`,
    );
  }
  return L.join('\n');
}

/**
 * Minimises the expression `objective` over its parameters (every name that is not data or a constant).
 * @param params per parameter a start value or `{ value, min, max, fixed, expr }`
 * @param options see `minimizeSchema` (method, data, constraints, ...)
 */
export function minimize(
  objective: string,
  params: ParamsInput = {},
  options: MinimizeOptions = {},
): MinimizeResult {
  return optimize(objective, params, options, 'minimize');
}

/** Maximises the expression `objective` (minimises its negative); see `minimize`. */
export function maximize(
  objective: string,
  params: ParamsInput = {},
  options: MinimizeOptions = {},
): MinimizeResult {
  return optimize(objective, params, options, 'maximize');
}
