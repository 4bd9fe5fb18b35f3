/**
 * The solve stage of fit(): build the numeric problem from prepared equations, run the chosen
 * minimizer (multi-start when asked), and compute uncertainties and statistics.
 */
import type { Expr } from '../ast/index.ts';
import { closestMatches, ExprfitError, invalidOptionError } from '../core/index.ts';
import type { ParamSpec } from '../model/index.ts';
import {
  covarianceFromJacobian,
  type CovarianceResult,
  devianceResidual,
  differentialEvolution,
  type LeastSquaresProblem,
  minimizeBFGS,
  minimizeLBFGSB,
  minimizeNelderMead,
  minimizeNLL,
  minimizePowell,
  type MinimizeSummary,
  multiStart,
  type NllOptions,
  rhoTriple,
  robustCost,
  solveConstrainedLeastSquares,
  solveLeastSquares,
  solvePoisson,
  type SolverOptions,
  type SolverOptionsInput,
  solveVarpro,
  type SummaryBase,
  type TriangularFactor,
} from '../solver/index.ts';
import { differentiate, evaluate } from '../symbolic/index.ts';
import { linearParameters } from './linear.ts';
import {
  constraintCurvature,
  constraintFunctions,
  constraintRank,
  constraintResults,
  projectedCovariance,
} from './constraints.ts';
import type { PreparedEquation, PreparedFit } from './prepared.ts';
import { FitResult } from './result.ts';
import { trustWarnings } from './trust.ts';
import type { EquationStats, SavedFitOptions } from './result.ts';
import { chiSquare, reducedChiSquare, rSquaredParts } from './stats.ts';
import type { ParamResult, Termination } from './types.ts';
import type { FitSetup, Refit } from './setup.ts';
import { pinKernel } from './pin.ts';
import { progressOf } from './progress.ts';
import type { SolverChecks } from './trust.ts';

/** Values of the held (fixed or unused) parameters, in `prep.held` order. */
function heldValues(prep: PreparedFit): Float64Array {
  return Float64Array.from(prep.held.map((n) => prep.params.get(n)!.value));
}

/**
 * The equations stacked: every equation's points in order, `m` rows in all. `each` calls `f` with each
 * equation and its slice of `out` (and of the row-major `m x n` matrix `J`, when given).
 */
function stacked(prep: PreparedFit): {
  n: number;
  m: number;
  fixed: Float64Array;
  each(
    out: Float64Array,
    J: Float64Array | null,
    f: (eq: PreparedEquation, o: Float64Array, j: Float64Array) => void,
  ): void;
} {
  const n = prep.free.length;
  const eqs = prep.equations;
  const offsets: number[] = [];
  let m = 0;
  for (const e of eqs) {
    offsets.push(m);
    m += e.size;
  }
  const none = new Float64Array(0);
  return {
    n,
    m,
    fixed: heldValues(prep),
    each(out, J, f) {
      for (let k = 0; k < eqs.length; k++) {
        const o = offsets[k];
        const s = eqs[k].size;
        f(eqs[k], out.subarray(o, o + s), J ? J.subarray(o * n, (o + s) * n) : none);
      }
    },
  };
}

/** The least-squares problem r(x) = concatenated weighted residuals of every equation. */
export function leastSquaresProblem(prep: PreparedFit): LeastSquaresProblem {
  const st = stacked(prep);
  const { n, m, fixed } = st;
  const lower = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.min));
  const upper = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.max));
  const scratch = new Float64Array(m);
  return {
    n,
    m,
    lower,
    upper,
    names: prep.free,
    residuals(x, r) {
      st.each(r, null, (eq, o) => eq.kernel.residuals!(x, fixed, o));
    },
    jacobian(x, J) {
      st.each(scratch, J, (eq, o, j) => eq.kernel.residualsAndJacobian!(x, fixed, o, j));
    },
    residualsAndJacobian(x, r, J) {
      st.each(r, J, (eq, o, j) => eq.kernel.residualsAndJacobian!(x, fixed, o, j));
    },
  };
}

function solverOptions(prep: PreparedFit): SolverOptionsInput {
  const o = prep.options;
  return {
    loss: o.loss,
    fScale: o.fScale,
    maxFunctionEvaluations: o.maxfev,
    maxIterations: o.maxIterations,
    ftol: o.ftol,
    xtol: o.xtol,
    gtol: o.gtol,
    xScale: solverXScale(prep),
    ...iterationCallback(prep),
  };
}

/**
 * The solvers' iteration callback of a single solve: reports the iteration as open-ended progress
 * (`onProgress(iteration, Infinity)`) and stops the solve when the fit's signal is aborted (a multi-start
 * reports and checks between starts instead, each start solved to the end).
 */
function iterationCallback(prep: PreparedFit): { callback?: (info: { iteration: number }) => boolean } {
  const { signal, onProgress, starts } = prep.options;
  if (starts !== 1 || (!signal && !onProgress)) return {};
  return {
    callback: ({ iteration }) => {
      onProgress?.(iteration, Infinity);
      return signal?.aborted === true;
    },
  };
}

/** Whether the solve was stopped by the fit's signal (the solvers' `'user'` termination). */
function abortedSolve(prep: PreparedFit, out: Outcome): boolean {
  return out.termination === 'user' && prep.options.signal?.aborted === true;
}

/** The `xScale` option for the solver: a per-name object becomes one scale per free parameter. */
function solverXScale(prep: PreparedFit): SolverOptions['xScale'] {
  const xs = prep.options.xScale;
  if (typeof xs === 'string') return xs;
  const unknown = Object.keys(xs).find((name) => !prep.free.includes(name));
  if (unknown === undefined) return prep.free.map((name) => xs[name] ?? 1);
  const expected = "an object keyed by the model's free parameters";
  throw invalidOptionError('fit', 'xScale', unknown, expected, closestMatches(unknown, prep.free));
}

/** Concatenated model values f and their Jacobian df/dp of every equation (unweighted). */
function modelProblem(prep: PreparedFit): {
  m: number;
  values(x: Float64Array, f: Float64Array): void;
  valuesAndJacobian(x: Float64Array, f: Float64Array, F: Float64Array): void;
} {
  const st = stacked(prep);
  const { fixed } = st;
  return {
    m: st.m,
    values(x, f) {
      st.each(f, null, (eq, o) => eq.kernel.values(x, fixed, o));
    },
    valuesAndJacobian(x, f, F) {
      st.each(f, F, (eq, o, j) => eq.kernel.valuesAndJacobian(x, fixed, o, j));
    },
  };
}

function concatObserved(prep: PreparedFit): Float64Array {
  const y = new Float64Array(prep.ndata);
  let o = 0;
  for (const e of prep.equations) {
    y.set(e.observed!, o);
    o += e.size;
  }
  return y;
}

interface Outcome {
  x: Float64Array;
  cost: number;
  success: boolean;
  termination: Termination;
  message: string;
  nfev: number;
  njev: number;
  iterations: number;
  activeMask: boolean[];
  method: string;
  covariance?: CovarianceResult;
  nll?: number;
  chi2?: number;
  /** Raw residuals and Jacobian at `x`, when the solver has them (LM): not recomputed for the statistics. */
  residuals?: Float64Array;
  jacobian?: Float64Array;
  /** The R of the solver's final QR of `jacobian` (LM, linear loss): the covariance does not factor it again. */
  finalFactor?: TriangularFactor;
  /** What the LM solver found at `x`: parameters with a zero-to-rounding column, rank deficiency. */
  solverChecks?: SolverChecks;
  /** A constrained fit: constraint values, multipliers and active rows at `x`. */
  constraints?: ConstraintState;
}

/** The constraints' rows at a constrained solution. */
interface ConstraintState {
  readonly values: Float64Array;
  readonly multipliers: Float64Array;
  readonly active: readonly boolean[];
}

/** One local solve from `x0` with the configured estimator and method. */
function localSolver(prep: PreparedFit): (x0: Float64Array) => Outcome {
  const o = prep.options;
  const n = prep.free.length;
  const lower = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.min));
  const upper = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.max));
  if (o.estimator === 'poisson') {
    const mp = modelProblem(prep);
    const counts = concatObserved(prep);
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] < 0)
        throw new ExprfitError(
          'value',
          `estimator 'poisson': counts must be >= 0, got ${counts[i]} at point ${i}`,
        );
    }
    return (x0) => {
      const s = solvePoisson(
        {
          n,
          m: mp.m,
          counts,
          model: mp.values,
          modelJacobian: (x, F) => mp.valuesAndJacobian(x, new Float64Array(mp.m), F),
          modelAndJacobian: mp.valuesAndJacobian,
          lower,
          upper,
          names: prep.free,
        },
        x0,
        solverOptions(prep),
      );
      return { ...pick(s), method: s.method, covariance: s.covariance, chi2: s.deviance };
    };
  }
  if (o.estimator === 'likelihood') {
    const mp = modelProblem(prep);
    return (x0) => {
      const s = minimizeNLL(
        {
          n,
          m: mp.m,
          pdf: mp.values,
          pdfJacobian: (x, P) => mp.valuesAndJacobian(x, new Float64Array(mp.m), P),
          pdfAndJacobian: mp.valuesAndJacobian,
          lower,
          upper,
        },
        x0,
        nllOptions(prep),
      );
      return { ...pick(s), method: s.method, covariance: s.covariance, nll: s.cost };
    };
  }
  const problem = leastSquaresProblem(prep);
  if (prep.constraints.length) return constrainedSolver(prep, problem);
  if (o.method === 'lm' && o.linear === 'varpro') return projectedSolver(prep, problem);
  if (o.method === 'lm') {
    return (x0) => {
      const s = solveLeastSquares(problem, x0, solverOptions(prep));
      const own = { residuals: s.residuals, jacobian: s.jacobian };
      const solverChecks = { undetermined: s.undetermined, rankDeficient: s.rankDeficient };
      return {
        ...pick(s),
        method: s.method,
        ...own,
        solverChecks,
        ...(s.finalFactor ? { finalFactor: s.finalFactor } : {}),
      };
    };
  }
  // Scalar objective F(x) = ½c²Σρ((r/c)²) with gradient Σ ρ'(z_i) r_i J_i.
  const m = problem.m;
  const r = new Float64Array(m);
  const J = new Float64Array(m * n);
  const triple = new Float64Array(3);
  const objective = (x: Float64Array): number => {
    problem.residuals(x, r);
    const c = robustCost(o.loss, o.fScale, r);
    return Number.isFinite(c) ? c : Infinity;
  };
  const withGradient = (x: Float64Array, g: Float64Array): number => {
    problem.residualsAndJacobian!(x, r, J);
    g.fill(0);
    for (let i = 0; i < m; i++) {
      let w = r[i];
      if (o.loss !== 'linear') {
        rhoTriple(o.loss, (r[i] / o.fScale) ** 2, triple);
        w *= triple[1];
      }
      for (let j = 0; j < n; j++) g[j] += w * J[i * n + j];
    }
    const c = robustCost(o.loss, o.fScale, r);
    return Number.isFinite(c) ? c : Infinity;
  };
  return scalarSolver(prep, objective, withGradient, lower, upper);
}

/** The scalar-objective methods of a fit: `lbfgsb`, `nelder`, `powell`, `bfgs` (no bounds), `de` (finite bounds). */
function scalarSolver(
  prep: PreparedFit,
  objective: (x: Float64Array) => number,
  withGradient: (x: Float64Array, g: Float64Array) => number,
  lower: Float64Array,
  upper: Float64Array,
): (x0: Float64Array) => Outcome {
  const o = prep.options;
  checkScalarBounds(o.method, lower, upper, prep.free);
  const limits = iterationLimits(prep);
  const stop = iterationCallback(prep);
  const box = { lower, upper };
  const solve = (x0: Float64Array): MinimizeSummary => {
    switch (o.method) {
      case 'lbfgsb':
        return minimizeLBFGSB(withGradient, x0, { ...box, ...limits, ...stop });
      case 'powell':
        return minimizePowell(objective, x0, { ...box, ...limits });
      case 'bfgs':
        return minimizeBFGS(withGradient, x0, { ...limits, ...stop });
      case 'de':
        return differentialEvolution(objective, x0, {
          ...box,
          ...limits,
          seed: o.seed,
          polish: (x) => minimizeLBFGSB(withGradient, x, box),
        });
      default:
        return minimizeNelderMead(objective, x0, { ...box, ...limits, ...stop });
    }
  };
  return (x0) => {
    const s = solve(x0);
    return { ...pick(s), method: s.method };
  };
}

/** The free parameters solved exactly by variable projection. */
function linearNames(prep: PreparedFit): string[] {
  return linearParameters(
    prep.equations.map((eq) => eq.expr),
    prep.free,
    prep.params,
  );
}

/** The free parameters solved exactly by variable projection, as indices into `prep.free`. */
function linearIndices(prep: PreparedFit): number[] {
  return linearNames(prep).map((n) => prep.free.indexOf(n));
}

/** The report's note on the parameters variable projection solved (their starts were not used). */
function projectionNote(names: ReadonlySet<string>): string {
  return `${[...names].join(', ')}: solved exactly by variable projection (linear: 'varpro'; no start used)`;
}

/**
 * A projected parameter's spec without the note about its (unused) default start: a spec without a given start
 * has no other note (normalizeParam notes a clipped start only when one was given).
 */
function withoutStartNote(spec: ParamSpec): ParamSpec {
  return spec.given === undefined ? { ...spec, notes: [] } : spec;
}

/**
 * `linear: 'varpro'`: variable projection over the nonlinear parameters (the linear ones solved exactly at
 * each step), then a full lm run from its solution for the covariance of all parameters (one or two steps).
 */
function projectedSolver(prep: PreparedFit, problem: LeastSquaresProblem): (x0: Float64Array) => Outcome {
  const linear = linearIndices(prep);
  return (x0) => {
    const vp = solveVarpro(problem, linear, x0, solverOptions(prep));
    const s = solveLeastSquares(problem, vp.x, solverOptions(prep));
    const summary = `variable projection solved ${linear.length} linear parameter${linear.length === 1 ? '' : 's'} exactly (${vp.iterations} iterations), then ${s.iterations} full`;
    return {
      ...pick(s),
      iterations: vp.iterations + s.iterations,
      nfev: vp.nfev + s.nfev,
      message: `${s.message} (${summary})`,
      method: s.method,
      residuals: s.residuals,
      jacobian: s.jacobian,
      ...(s.finalFactor ? { finalFactor: s.finalFactor } : {}),
    };
  };
}

/** `bfgs` takes no bounds; `de` needs finite ones (errors naming the parameter). */
function checkScalarBounds(
  method: string,
  lower: Float64Array,
  upper: Float64Array,
  names: readonly string[],
): void {
  const bounded = (j: number): boolean => lower[j] > -Infinity || upper[j] < Infinity;
  const finite = (j: number): boolean => Number.isFinite(lower[j]) && Number.isFinite(upper[j]);
  const j = names.findIndex((_, k) => (method === 'bfgs' ? bounded(k) : method === 'de' && !finite(k)));
  if (j < 0) return;
  const problem =
    method === 'bfgs'
      ? `method 'bfgs' is unconstrained, but parameter '${names[j]}' has bounds [${lower[j]}, ${upper[j]}]: use 'lbfgsb', 'powell' or 'de'`
      : `method 'de' searches within finite bounds: give parameter '${names[j]}' a min and a max (it has [${lower[j]}, ${upper[j]}])`;
  throw new ExprfitError('value', problem);
}

/** One local solve with constraints: the augmented-Lagrangian loop around LM (src/solver/augmented.ts). */
function constrainedSolver(prep: PreparedFit, problem: LeastSquaresProblem): (x0: Float64Array) => Outcome {
  const cons = constraintFunctions(prep.constraints, prep.free.length, heldValues(prep));
  return (x0) => {
    const s = solveConstrainedLeastSquares(problem, cons, x0, {
      solver: solverOptions(prep),
      constraints: { ctol: prep.options.ctol },
    });
    const constraints = {
      values: s.constraintValues,
      multipliers: s.multipliers,
      active: s.activeConstraints,
    };
    return { ...pick(s), method: s.method, constraints };
  };
}

/** The fit's `maxIterations` and `maxfev` as the minimisers' options (only those given). */
function iterationLimits(prep: PreparedFit): { maxIterations?: number; maxFunctionEvaluations?: number } {
  const o = prep.options;
  return {
    ...(o.maxIterations !== undefined ? { maxIterations: o.maxIterations } : {}),
    ...(o.maxfev !== undefined ? { maxFunctionEvaluations: o.maxfev } : {}),
  };
}

function nllOptions(prep: PreparedFit): Partial<NllOptions> {
  return { lbfgsb: { ...iterationLimits(prep), ...iterationCallback(prep) } };
}

function pick(s: SummaryBase): Omit<Outcome, 'method'> {
  return {
    x: s.x,
    cost: s.cost,
    success: s.success,
    termination: s.termination as Termination,
    message: s.message,
    nfev: s.nfev,
    njev: s.njev,
    iterations: s.iterations,
    activeMask: s.activeMask,
  };
}

/** Runs the fit described by `prep` and assembles the result. */
export function solveFit(prep: PreparedFit): FitResult {
  const n = prep.free.length;
  const x0 = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.value));
  const problem = leastSquaresProblem(prep);
  const m = problem.m;
  const likelihood = prep.options.estimator === 'likelihood';
  if (n === 0) {
    const r = new Float64Array(m);
    if (!likelihood) problem.residuals(x0, r);
    return buildResult(
      prep,
      x0,
      r,
      new Float64Array(0),
      {
        nfev: 1,
        njev: 0,
        iterations: 0,
        success: true,
        termination: 'no-free-params',
        message: 'no free parameters: the model was evaluated at the given values',
        activeMask: [],
      },
      objectiveAt(prep, x0),
    );
  }
  const solve = localSolver(prep);
  let out: Outcome;
  let nfev = 0;
  let njev = 0;
  let iterations = 0;
  let interrupted = false;
  if (prep.options.starts > 1) {
    const lower = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.min));
    const upper = Float64Array.from(prep.free.map((p) => prep.params.get(p)!.max));
    // every start's outcome is kept: without its m x n Jacobian (recomputed below for the best one)
    const lean = (x: Float64Array): Outcome => {
      const { residuals: _r, jacobian: _J, finalFactor: _R, ...rest } = solve(x);
      return rest;
    };
    const ms = multiStart(
      lean,
      lower,
      upper,
      x0,
      prep.options.starts,
      prep.options.seed,
      progressOf(prep.options),
    );
    for (const s of ms.results) {
      nfev += s.nfev;
      njev += s.njev;
      iterations += s.iterations;
    }
    out = ms.best;
    out = {
      ...out,
      message: `${out.message} (${startsDone(ms.results.length, prep.options.starts, ms.interrupted)}: start ${ms.bestIndex}${ms.bestIndex === 0 ? ', the given one' : ''})`,
    };
    interrupted = ms.interrupted;
  } else {
    out = solve(x0);
    nfev = out.nfev;
    njev = out.njev;
    iterations = out.iterations;
    if (abortedSolve(prep, out)) {
      interrupted = true;
      out = { ...out, message: `interrupted by the signal after ${iterations} iterations` };
    }
  }
  // Residuals and Jacobian at the solution, for statistics and the least-squares covariance: the LM
  // solver's own (the same numbers; for a large image this saves an evaluation and two m x n buffers).
  let r = out.residuals;
  let J = out.jacobian;
  const factored = r && J ? out.finalFactor : undefined;
  if (!r || !J) {
    r = new Float64Array(m);
    J = new Float64Array(m * n);
    if (!likelihood) problem.residualsAndJacobian!(out.x, r, J);
  }
  return buildResult(
    prep,
    out.x,
    r,
    J,
    {
      nfev,
      njev,
      iterations,
      success: out.success,
      termination: out.termination,
      message: out.message,
      activeMask: out.activeMask,
      interrupted,
      ...(out.solverChecks ? { solverChecks: out.solverChecks } : {}),
    },
    {
      nll: out.nll,
      chi2: likelihood ? NaN : out.chi2,
      covariance: out.covariance,
      method: out.method,
      ...(factored ? { factored } : {}),
      ...(out.constraints ? { constraints: out.constraints } : {}),
    },
  );
}

/** "best of 10 starts", or "interrupted after 3 of 10 starts; best of those". */
function startsDone(done: number, total: number, interrupted: boolean): string {
  return interrupted
    ? `interrupted after ${done} of ${total} starts; best of those`
    : `best of ${total} starts`;
}

/** The Poisson deviance or the negative log-likelihood at `x`, for a fit with nothing to solve. */
function objectiveAt(prep: PreparedFit, x: Float64Array): { chi2?: number; nll?: number } {
  const estimator = prep.options.estimator;
  if (estimator === 'lsq') return {};
  const mp = modelProblem(prep);
  const f = new Float64Array(mp.m);
  mp.values(x, f);
  if (estimator === 'likelihood') return { chi2: NaN, nll: -f.reduce((s, v) => s + Math.log(v), 0) };
  const y = concatObserved(prep);
  const dr = new Float64Array(2);
  let deviance = 0;
  for (let i = 0; i < f.length; i++) {
    devianceResidual(f[i], y[i], dr);
    deviance += dr[0] * dr[0];
  }
  return { chi2: deviance };
}

interface SolveInfo {
  nfev: number;
  njev: number;
  iterations: number;
  success: boolean;
  termination: Termination;
  message: string;
  activeMask: boolean[];
  /** A multi-start stopped by its signal. */
  interrupted?: boolean;
  /** The LM solver's own checks at the solution (trust.ts uses them instead of repeating them). */
  solverChecks?: SolverChecks;
}

/** Values of every parameter at `x`: free ones from `x`, held ones at their start, tied ones evaluated. */
function parameterValues(prep: PreparedFit, x: Float64Array): Map<string, number> {
  const values = new Map<string, number>();
  prep.free.forEach((p, j) => values.set(p, x[j]));
  for (const h of prep.held) values.set(h, prep.params.get(h)!.value);
  const scope = Object.fromEntries(values);
  for (const [name, e] of prep.ties) values.set(name, evaluate(e, scope));
  return values;
}

/** stderr of a tied parameter, propagated: var = gᵀ C g with g = ∂tie/∂free at the solution. */
function tiedStderr(prep: PreparedFit, tie: Expr, scope: Record<string, number>, cov: Float64Array): number {
  const n = prep.free.length;
  const g = prep.free.map((f) => evaluate(differentiate(tie, f), scope));
  let v = 0;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) if (g[a] !== 0 && g[b] !== 0) v += g[a] * cov[a * n + b] * g[b];
  return Math.sqrt(v);
}

/** The parameter table of a result, and the notes about starts and bounds. */
function paramResults(
  prep: PreparedFit,
  x: Float64Array,
  cov: Float64Array,
  activeMask: readonly boolean[],
  undetermined: ReadonlySet<string>,
): { params: Record<string, ParamResult>; notes: string[] } {
  const n = prep.free.length;
  const values = parameterValues(prep, x);
  const starts = parameterValues(prep, Float64Array.from(prep.free.map((p) => prep.params.get(p)!.value)));
  const scope = Object.fromEntries(values);
  const params = Object.create(null) as Record<string, ParamResult>;
  const projected = new Set(prep.options.linear === 'varpro' ? linearNames(prep) : []);
  const notes: string[] = projected.size ? [projectionNote(projected)] : [];
  for (const name of prep.order) {
    const spec = projected.has(name) ? withoutStartNote(prep.params.get(name)!) : prep.params.get(name)!;
    const j = prep.free.indexOf(name);
    const tie = prep.ties.get(name);
    const atBound = j >= 0 && (activeMask[j] ?? false);
    let stderr = NaN;
    if (j >= 0) stderr = undetermined.has(name) ? NaN : Math.sqrt(cov[j * n + j]);
    else if (tie) stderr = tiedStderr(prep, tie, scope, cov);
    for (const w of spec.notes) notes.push(`${name}: ${w}`);
    if (atBound)
      notes.push(
        `${name}: ended on its ${values.get(name)! <= spec.min ? 'lower' : 'upper'} bound; stderr not determined`,
      );
    params[name] = {
      name,
      value: values.get(name)!,
      stderr,
      min: spec.min,
      max: spec.max,
      fixed: spec.fixed,
      expr: spec.expr,
      init: starts.get(name)!,
      atBound,
      notes: spec.notes,
    };
  }
  return { params, notes };
}

/**
 * Per-equation statistics from the model values at the solution; the weighted sums of R², and the norm of
 * the weighted model values ‖w·f‖ (the scale the trust checks compare parameter effects with).
 */
function equationStats(
  prep: PreparedFit,
  x: Float64Array,
  r: Float64Array,
): { equations: EquationStats[]; ssr: number; sst: number; modelNorm: number } {
  const fixedVals = heldValues(prep);
  const equations: EquationStats[] = [];
  let off = 0;
  let ssr = 0;
  let sst = 0;
  let model2 = 0;
  for (const eq of prep.equations) {
    const f = new Float64Array(eq.size);
    eq.kernel.values(x, fixedVals, f);
    for (let i = 0; i < f.length; i++) model2 += (f[i] * (eq.weights ? eq.weights[i] : 1)) ** 2;
    const re = r.subarray(off, off + eq.size);
    off += eq.size;
    let r2 = NaN;
    if (eq.observed) {
      const parts = rSquaredParts(eq.observed, f, eq.weights ?? undefined);
      r2 = parts.sst > 0 ? 1 - parts.ssr / parts.sst : NaN;
      ssr += parts.ssr;
      sst += parts.sst;
    }
    equations.push({ lhs: eq.lhs, ndata: eq.size, chi2: chiSquare(re), r2 });
  }
  return { equations, ssr, sst, modelNorm: Math.sqrt(model2) };
}

/** Statistics, covariance (scaled per absoluteSigma), tied-parameter propagation and the result object. */
export function buildResult(
  prep: PreparedFit,
  x: Float64Array,
  r: Float64Array,
  J: Float64Array,
  info: SolveInfo,
  extra: {
    nll?: number;
    chi2?: number;
    covariance?: CovarianceResult;
    method?: string;
    /** The solver's R of `J` (see `Outcome.finalFactor`). */
    factored?: TriangularFactor;
    /** A constrained fit's constraints at `x`. */
    constraints?: ConstraintState;
  } = {},
): FitResult {
  const n = prep.free.length;
  const m = r.length;
  const chi2 = extra.chi2 ?? chiSquare(r);
  const ndata = prep.ndata;
  const cons = extra.constraints;
  const rank = cons ? activeRank(prep, x, cons) : 0;
  const redchi = reducedChiSquare(chi2, ndata, n - rank);
  // Covariance of the free parameters.
  let covr: CovarianceResult | undefined = extra.covariance;
  if (!covr && n > 0 && cons) {
    covr = constrainedCovariance(prep, x, J, m, cons, {
      exclude: info.activeMask,
      scale: prep.options.absoluteSigma ? 1 : Number.isFinite(redchi) ? redchi : NaN,
    });
  }
  if (!covr && n > 0) {
    const scale = prep.options.absoluteSigma || prep.options.estimator !== 'lsq' ? 1 : redchi;
    covr = covarianceFromJacobian(J, m, n, {
      exclude: info.activeMask,
      scale: Number.isFinite(scale) ? scale : NaN,
      ...(extra.factored ? { factored: extra.factored } : {}),
    });
  }
  const cov = covr ? covr.covariance : new Float64Array(0);
  const stats = equationStats(prep, x, r);
  const warnings = trustWarnings({
    free: prep.free,
    x,
    modelNorm: stats.modelNorm,
    jacobian: prep.options.estimator === 'likelihood' || cons ? null : J,
    activeMask: info.activeMask,
    ...(info.solverChecks ? { solver: info.solverChecks } : {}),
    covariance: covr,
    chi2,
    hasChi2: prep.options.estimator !== 'likelihood',
  });
  const undetermined = new Set(warnings.flatMap((w) => w.params ?? []));
  const { params, notes } = paramResults(prep, x, cov, info.activeMask, undetermined);
  for (const s of prep.skipped) notes.push(`equation '${s}' has no data and was not fitted`);

  const covNames = [...prep.free];
  const matrix: number[][] = [];
  for (let a = 0; a < n; a++) matrix.push(Array.from(cov.subarray(a * n, a * n + n)));
  const exprs = new Map<string, Expr>();
  const variables = new Map<string, readonly string[]>();
  for (const [lhs, e] of prep.evaluable) {
    exprs.set(lhs, e.expr);
    variables.set(lhs, e.variables);
  }
  return new FitResult({
    modelText: prep.model.text,
    method:
      extra.method ??
      (prep.options.method === 'lm' ? 'trust-region Levenberg–Marquardt' : prep.options.method),
    estimator: prep.options.estimator,
    params,
    order: prep.order,
    free: prep.free,
    covariance: { names: covNames, matrix },
    chi2,
    ndata,
    r2: stats.sst > 0 ? 1 - stats.ssr / stats.sst : NaN,
    equations: stats.equations,
    nll: extra.nll ?? NaN,
    nfev: info.nfev,
    njev: info.njev,
    iterations: info.iterations,
    success: info.success,
    termination: info.termination,
    message: info.message,
    warnings,
    allowWarnings: prep.options.allowWarnings,
    notes,
    exprs,
    variables,
    setup: setupOf(prep, x),
    interrupted: info.interrupted ?? false,
    ...(cons
      ? {
          constraints: constraintResults(prep.constraints, cons.values, cons.multipliers, cons.active),
          constraintRank: rank,
        }
      : {}),
    options: savedOptions(prep.options),
    data: Object.fromEntries(
      prep.equations.map((e) => [
        e.lhs,
        { variables: [...e.variables], observed: e.observed !== null, sigma: e.weights !== null },
      ]),
    ),
  });
}

/** The number of independent active constraint rows (they take degrees of freedom from the parameters). */
function activeRank(prep: PreparedFit, x: Float64Array, cons: ConstraintState): number {
  const A = activeRows(prep, x, cons);
  const n = prep.free.length;
  return constraintRank(A, A.length / Math.max(n, 1), n);
}

/** The Jacobian rows of the active constraints at `x` (row-major `k x n`). */
function activeRows(prep: PreparedFit, x: Float64Array, cons: ConstraintState): Float64Array {
  const n = prep.free.length;
  const f = constraintFunctions(prep.constraints, n, heldValues(prep));
  const c = new Float64Array(f.count);
  const C = new Float64Array(f.count * n);
  f.evaluate(x, c, C);
  const rows = cons.active.flatMap((a, i) => (a ? [i] : []));
  const A = new Float64Array(rows.length * n);
  rows.forEach((i, q) => A.set(C.subarray(i * n, (i + 1) * n), q * n));
  return A;
}

/** The covariance projected onto the tangent space of the active constraints (src/fit/constraints.ts). */
function constrainedCovariance(
  prep: PreparedFit,
  x: Float64Array,
  J: Float64Array,
  m: number,
  cons: ConstraintState,
  options: { exclude: readonly boolean[]; scale: number },
): CovarianceResult {
  const n = prep.free.length;
  const A = activeRows(prep, x, cons);
  const curvature = constraintCurvature(prep.constraints, x, heldValues(prep), cons.multipliers);
  return projectedCovariance(J, m, n, A, A.length / n, { ...options, curvature });
}

/** The options as a result saves them: sigma as the names it was given for; no callbacks or signals. */
function savedOptions(options: PreparedFit['options']): SavedFitOptions {
  const saved = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    if (key === 'sigma') saved.sigma = Object.keys(value as object);
    else if (typeof value !== 'function' && !(key === 'signal')) saved[key] = value;
  }
  return saved;
}

/** What the after-fit analyses need of this fit (src/fit/setup.ts), at the best-fit values `x`. */
export function setupOf(prep: PreparedFit, x: Float64Array): FitSetup {
  return {
    free: prep.free,
    heldValues: heldValues(prep),
    lower: Float64Array.from(prep.free.map((p) => prep.params.get(p)!.min)),
    upper: Float64Array.from(prep.free.map((p) => prep.params.get(p)!.max)),
    x: Float64Array.from(x),
    equations: prep.equations,
    ...(prep.binders ? { binders: prep.binders } : {}),
    estimator: prep.options.estimator,
    weighted: prep.equations.some((e) => e.weights !== null),
    absoluteSigma: prep.options.absoluteSigma,
    refit: (pinned, start) => refitPinned(prep, pinned, start),
    ...(prep.inputs ? { inputs: prep.inputs } : {}),
  };
}

/** Refits `prep` with the parameters of `pinned` held at the given values, from `start`. */
function refitPinned(prep: PreparedFit, pinned: ReadonlyMap<string, number>, start: Float64Array): Refit {
  const r = solveFit(pinnedFit(prep, pinned, start));
  const x = Float64Array.from(prep.free.map((p) => pinned.get(p) ?? r.values[p]));
  return { x, chi2: r.chi2, nll: r.nll, success: r.success };
}

/** `prep` with the parameters of `pinned` moved from free to held (kernels wrapped, not recompiled). */
function pinnedFit(prep: PreparedFit, pinned: ReadonlyMap<string, number>, start: Float64Array): PreparedFit {
  const names = prep.free.filter((p) => pinned.has(p));
  const free = prep.free.filter((p) => !pinned.has(p));
  const layout = {
    keep: free.map((p) => prep.free.indexOf(p)),
    pinned: names.map((p) => prep.free.indexOf(p)),
    nHeld: prep.held.length,
  };
  const params = new Map(prep.params);
  prep.free.forEach((p, j) => {
    const value = pinned.get(p) ?? start[j];
    params.set(p, { ...prep.params.get(p)!, value, fixed: pinned.has(p) });
  });
  return {
    ...prep,
    params,
    free,
    held: [...prep.held, ...names],
    equations: prep.equations.map((eq) => ({ ...eq, kernel: pinKernel(eq.kernel, layout) })),
    constraints: prep.constraints.map((c) => ({
      ...c,
      kernel: pinKernel(c.kernel, layout),
      curvature: layout.keep.map((j) => pinKernel(c.curvature[j], layout)),
    })),
    // the analysis that refits watches its own signal and reports its own progress, not the original fit's
    options: {
      ...prep.options,
      starts: 1,
      signal: undefined,
      onProgress: undefined,
      xScale: keptScales(prep.options.xScale, free),
    },
  };
}

/** The `xScale` option without the entries of pinned parameters. */
function keptScales(xScale: PreparedFit['options']['xScale'], free: readonly string[]): typeof xScale {
  if (typeof xScale === 'string') return xScale;
  return Object.fromEntries(Object.entries(xScale).filter(([name]) => free.includes(name)));
}
