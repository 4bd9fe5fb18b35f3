/**
 * Result types shared by every solver in this directory, and Ceres-style text reports.
 */

/**
 * Why a solver stopped.
 * - `'ftol'`, `'xtol'`, `'gtol'`: converged (`success: true`); see `SolverOptions` for the tests.
 * - `'maxfev'`: the residual/objective evaluation budget ran out (`success: false`).
 * - `'maxiter'`: the iteration budget ran out (`success: false`).
 * - `'non-finite'`: the residuals, Jacobian or objective were not finite at the start point, so
 *   there was nothing to improve on (`success: false`). Non-finite values at trial points only
 *   reject those steps.
 * - `'user'`: the callback asked to stop (`success: false`).
 * - `'line-search'`: a line search (L-BFGS-B) found no decrease along a descent direction even
 *   after restarting from steepest descent — rounding level reached or an inconsistent gradient
 *   (`success: false` unless the projected gradient is already tiny, then reported as `'gtol'`).
 * - `'stalled'` (least squares): a step test (`ftol`, `xtol` or the rounding-level test) fired only
 *   because the trust region collapsed — the steps had become too short to change the cost — while
 *   the gradient is not small and the Gauss–Newton step is far longer than the radius. Typical of
 *   bad scaling; `success: false`.
 * - `'undetermined'` (least squares): a convergence test fired, but some parameters have a Jacobian
 *   column that is zero at the solution (to rounding: a 100% change of the parameter changes no
 *   residual measurably), e.g. an exponential underflowed to 0. The data do not determine them and
 *   the point is a plateau, not a minimum; `success: false` (see `undetermined` on the summary).
 */
export type TerminationReason =
  | 'ftol'
  | 'xtol'
  | 'gtol'
  | 'maxfev'
  | 'maxiter'
  | 'non-finite'
  | 'user'
  | 'line-search'
  | 'stalled'
  | 'undetermined';

/** True for the termination reasons that mean convergence. */
export function isConverged(t: TerminationReason): boolean {
  return t === 'ftol' || t === 'xtol' || t === 'gtol';
}

/** Where a parameter ended relative to its box. */
export type BoundSide = 'lower' | 'upper' | null;

/** Fields common to every solver's summary (least squares, Poisson, NLL, L-BFGS-B, Nelder–Mead). */
export interface SummaryBase {
  /** Name of the method, e.g. `'trust-region Levenberg–Marquardt'`. */
  readonly method: string;
  /** Final parameters. */
  readonly x: Float64Array;
  /** Objective at `x`: `½·Σρ(r_i²)` for least squares (`½‖r‖²` linear loss), `f(x)` for minimizers. */
  readonly cost: number;
  /** Objective at the (clipped) start point. */
  readonly initialCost: number;
  /** True when `termination` is `'ftol'`, `'xtol'` or `'gtol'`. */
  readonly success: boolean;
  readonly termination: TerminationReason;
  /** One human sentence saying why the solver stopped, with the numbers of the test that fired. */
  readonly message: string;
  /** Residual (or objective) evaluations, including line-search / probe / polishing evaluations. */
  readonly nfev: number;
  /** Jacobian (or gradient) evaluations. */
  readonly njev: number;
  /** Iterations (trial steps for the trust-region solvers, line searches for L-BFGS-B). */
  readonly iterations: number;
  /** `activeMask[j]` is true when `x[j]` ends exactly on its lower or upper bound. */
  readonly activeMask: boolean[];
  /** `'lower'` / `'upper'` for parameters that end on a bound, `null` otherwise. */
  readonly atBound: BoundSide[];
  /** True when the start point was outside the bounds and was clipped into them. */
  readonly x0Clipped: boolean;
  /** One line: method, iterations, evaluations, cost change, termination. */
  briefReport(): string;
  /** Multi-line Ceres-style report; `names` label the parameters (default `x[j]`). */
  fullReport(names?: readonly string[]): string;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return v.toExponential(6);
}

function row(label: string, value: string | number): string {
  const v = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : fmt(value)) : value;
  return `${label.padEnd(28)}${v.padStart(24)}`;
}

/** The one-line report for any summary. */
export function briefReportOf(s: Omit<SummaryBase, 'briefReport' | 'fullReport'>): string {
  return (
    `${s.method}: ${s.success ? 'CONVERGENCE' : 'NO CONVERGENCE'} (${s.termination}) after ` +
    `${s.iterations} iterations, ${s.nfev} evaluations, ${s.njev} derivative evaluations; ` +
    `cost ${fmt(s.initialCost)} -> ${fmt(s.cost)}. ${s.message}`
  );
}

/** Extra rows a particular solver adds to its full report. */
export type ReportRows = [string, string | number][];

/** The multi-line report for any summary, with solver-specific `extra` rows. */
export function fullReportOf(
  s: Omit<SummaryBase, 'briefReport' | 'fullReport'>,
  extra: ReportRows = [],
  names?: readonly string[],
): string {
  const lines: string[] = [];
  lines.push(`Solver summary (${s.method})`);
  lines.push('');
  lines.push(row('Parameters', s.x.length));
  for (const [k, v] of extra) lines.push(row(k, v));
  lines.push('');
  lines.push(row('Initial cost', s.initialCost));
  lines.push(row('Final cost', s.cost));
  lines.push(row('Change', s.initialCost - s.cost));
  lines.push('');
  lines.push(row('Iterations', s.iterations));
  lines.push(row('Evaluations', s.nfev));
  lines.push(row('Derivative evaluations', s.njev));
  lines.push('');
  lines.push(row('Termination', `${s.termination} (${s.success ? 'CONVERGENCE' : 'NO CONVERGENCE'})`));
  lines.push(`Message: ${s.message}`);
  if (s.x0Clipped) lines.push('Note: the start point was outside the bounds and was clipped into them.');
  const onBound: string[] = [];
  s.atBound.forEach((b, j) => {
    if (b) onBound.push(`${names?.[j] ?? `x[${j}]`} (${b})`);
  });
  if (onBound.length) lines.push(`On a bound: ${onBound.join(', ')}`);
  return lines.join('\n');
}

/** Bound sides and mask for a final point. */
export function boundStatus(
  x: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): { activeMask: boolean[]; atBound: BoundSide[] } {
  const activeMask: boolean[] = [];
  const atBound: BoundSide[] = [];
  for (let j = 0; j < x.length; j++) {
    const side: BoundSide = x[j] <= lower[j] ? 'lower' : x[j] >= upper[j] ? 'upper' : null;
    atBound.push(side);
    activeMask.push(side !== null);
  }
  return { activeMask, atBound };
}
