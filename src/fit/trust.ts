/**
 * Trust checks of a fit at its solution: parameters the data do not determine (a zero Jacobian column, or a
 * rank-deficient Jacobian) and a non-finite χ². A solver may meet its convergence test at such a point (the
 * gradient of a plateau is zero), so `success` alone does not say that the result can be used; these
 * warnings do.
 */
import type { CovarianceResult } from '../solver/index.ts';
import type { FitWarning } from './types.ts';

/**
 * An effect below NEGLIGIBLE times the scale means "the model does not change": eps² (~5e-32), far below
 * rounding, so that a parameter that is zero to rounding by chance (a slope of 1e-17 fitted to constant
 * data) is never flagged, while plateaus (an exponential past exp(-72)) are.
 */
const NEGLIGIBLE = 2 ** -104;

/**
 * What the LM solver already found at its solution (`LmSummary`): the indices of free parameters whose
 * Jacobian column is zero to rounding (`undetermined`) and whether the free columns are rank-deficient.
 */
export interface SolverChecks {
  readonly undetermined: readonly number[];
  readonly rankDeficient: boolean;
}

/** What the checks need to know about the solution. */
export interface TrustInput {
  /** Free parameter names: the columns of `J`. */
  readonly free: readonly string[];
  /** Row-major `m x n` Jacobian at the solution, or null when none was computed (likelihood estimators). */
  readonly jacobian: Float64Array | null;
  /** The solution (free parameters). */
  readonly x: Float64Array;
  /** ‖w·f‖: the norm of the weighted model values at the solution. */
  readonly modelNorm: number;
  /** Parameters on a bound (their columns are not judged). */
  readonly activeMask: readonly boolean[];
  readonly covariance: CovarianceResult | undefined;
  readonly chi2: number;
  /** False for the likelihood estimator, whose objective is the negative log-likelihood, not χ². */
  readonly hasChi2: boolean;
  /** The LM solver's checks; other solvers have none, and the columns are judged here. */
  readonly solver?: SolverChecks;
}

function listNames(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** ‖J_:j‖ without underflow or overflow of the squares (columns of 1e-200 are not zero). */
function columnNorm(J: Float64Array, m: number, n: number, j: number): number {
  let big = 0;
  for (let i = 0; i < m; i++) big = Math.max(big, Math.abs(J[i * n + j]));
  if (big === 0 || !Number.isFinite(big)) return big;
  let s = 0;
  for (let i = 0; i < m; i++) s += (J[i * n + j] / big) ** 2;
  return big * Math.sqrt(s);
}

/**
 * Free parameters (not on a bound) the model does not change with at the solution: a zero Jacobian column,
 * or one whose effect of a 100% change, ‖J_j‖·|x_j|, is negligible next to the larger of the largest
 * such effect and the model values' norm ‖w·f‖. The second test is unit-free; it catches `exp(-t/tau)` with
 * `tau` run off to 1e124, whose derivative is tiny but not zero.
 */
function flatColumns(input: TrustInput, J: Float64Array): string[] {
  const { free, activeMask, x } = input;
  const n = free.length;
  const m = n > 0 ? J.length / n : 0;
  const norms = free.map((_, j) => columnNorm(J, m, n, j));
  const effect = norms.map((c, j) => c * Math.abs(x[j]));
  let scale = Number.isFinite(input.modelNorm) ? input.modelNorm : 0;
  effect.forEach((e, j) => {
    if (!activeMask[j] && Number.isFinite(e)) scale = Math.max(scale, e);
  });
  const zero = new Set(
    input.solver ? input.solver.undetermined : free.flatMap((_, j) => (norms[j] === 0 ? [j] : [])),
  );
  return free.filter(
    (_, j) => !activeMask[j] && (zero.has(j) || (x[j] !== 0 && effect[j] <= NEGLIGIBLE * scale)),
  );
}

/** Free parameters (not on a bound) in the null space of the Jacobian (none when the solver found full rank). */
function undeterminedByRank(input: TrustInput): string[] {
  const cov = input.covariance;
  if (!cov || input.solver?.rankDeficient === false) return [];
  return input.free.filter((_, j) => !input.activeMask[j] && !cov.identifiable[j]);
}

/** The warnings of one fit at its solution (empty when it can be trusted). */
export function trustWarnings(input: TrustInput): FitWarning[] {
  const warnings: FitWarning[] = [];
  if (input.hasChi2 && !Number.isFinite(input.chi2)) {
    warnings.push({ code: 'non-finite', message: `chi-square is ${input.chi2} at the reported solution` });
  }
  const flat = input.jacobian ? flatColumns(input, input.jacobian) : [];
  if (flat.length) {
    const one = flat.length === 1;
    warnings.push({
      code: 'not-determined',
      message: `${listNames(flat)} ${one ? 'is' : 'are'} not determined by the data: the model does not change with ${one ? 'it' : 'them'} at the solution (its derivative is zero to rounding)`,
      params: flat,
    });
  }
  const dependent = undeterminedByRank(input).filter((p) => !flat.includes(p));
  if (dependent.length && input.covariance) {
    const { rank, included } = input.covariance;
    warnings.push({
      code: 'rank-deficient',
      message: `${listNames(dependent)} ${dependent.length === 1 ? 'is' : 'are'} not determined separately by the data (rank-deficient ${input.hasChi2 ? 'Jacobian' : 'information matrix'}: rank ${rank} of ${included})`,
      params: dependent,
    });
  }
  return warnings;
}
