/**
 * Bounded trust-region Levenberg–Marquardt for `min ½·Σ ρ(r_i(x)²)` subject to `lower <= x <= upper`.
 *
 * Algorithm (details and references in docs/solver.md):
 * - Moré's trust-region LM (MINPACK `lmder`): diagonal scaling `D` (running maximum of the Jacobian
 *   column norms), radius `Δ` on `‖D p‖`, gain ratio `ρ = actual / predicted reduction`, MINPACK's
 *   radius update and acceptance threshold.
 * - The subproblem `min ‖J p + r‖² s.t. ‖D p‖ <= Δ` is solved exactly (to 1%) from a Householder
 *   QR of `J` followed by a one-sided Jacobi SVD of `R D⁻¹` (so rank deficiency is handled by a
 *   singular value cutoff, never by a failing factorisation), with Moré's safeguarded Newton
 *   iteration on the secular equation.
 * - Bounds: projected LM with an active set. Parameters on a bound whose gradient pushes outward are
 *   held; the step of the free parameters is projected back into the box, and its predicted
 *   reduction is recomputed for the projected step. As `Δ → 0` the step becomes a scaled projected
 *   gradient step, so a decrease is always found for a small enough radius.
 * - The actual reduction is computed as `½Σ(r_i − r̃_i)(r_i + r̃_i)` (no cancellation between two
 *   large sums of squares); non-finite trial residuals reject the step and shrink the radius.
 * - Optional geodesic acceleration (Transtrum & Sethna).
 * - After convergence, optional Gauss–Newton polishing steps verified by contraction.
 */
import { ExprfitError } from '../core/index.ts';
import { checkStart, firstNonFinite, type NumericArray } from './bounds.ts';
import { ChunkedQR, EPS, jacobiSVD } from './linalg.ts';
import type { TriangularFactor } from './linalg.ts';
import { robustCost, scaleForLoss } from './loss.ts';
import {
  resolveMaxFev,
  resolveMaxIterations,
  validateOptions,
  type LossName,
  type SolverOptions,
  type SolverOptionsInput,
} from './options.ts';
import {
  boundStatus,
  briefReportOf,
  fullReportOf,
  type ReportRows,
  isConverged,
  type BoundSide,
  type SummaryBase,
  type TerminationReason,
} from './summary.ts';

/** A nonlinear least-squares problem: `m` residuals of `n` parameters. */
export interface LeastSquaresProblem {
  readonly n: number;
  readonly m: number;
  /** Writes the `m` residuals at `x` into `r`. Non-finite values at trial points reject the step. */
  residuals(x: Float64Array, r: Float64Array): void;
  /** Writes the Jacobian `∂r_i/∂x_j` at `x` into `J`, row-major `m x n` (`J[i*n + j]`). */
  jacobian(x: Float64Array, J: Float64Array): void;
  /**
   * Optional fused evaluation of both; when present it is used at every trial point (one pass
   * instead of two for accepted steps, which are the majority).
   */
  residualsAndJacobian?(x: Float64Array, r: Float64Array, J: Float64Array): void;
  /** Lower bounds (`-Infinity` allowed); default none. */
  readonly lower?: NumericArray;
  /** Upper bounds (`Infinity` allowed); default none. */
  readonly upper?: NumericArray;
  /** The parameters' names for the summary's message (`x[j]` for a parameter without one). */
  readonly names?: readonly string[];
}

/** Result of `solveLeastSquares`. */
export interface LeastSquaresSummary extends SummaryBase {
  readonly n: number;
  readonly m: number;
  /** Raw residuals `r(x)` at the solution (before any loss scaling). */
  readonly residuals: Float64Array;
  /** Raw Jacobian at the solution, row-major `m x n`. */
  readonly jacobian: Float64Array;
  /** Gradient of the cost at the solution (`Jᵀ(ρ'·r)`). */
  readonly gradient: Float64Array;
  /**
   * First-order optimality: `max_j |g_j|` over the parameters that are not held by a bound
   * (a held parameter's gradient points out of the box and does not count).
   */
  readonly optimality: number;
  readonly loss: LossName;
  readonly fScale: number;
  /** Number of Gauss–Newton polishing steps that were kept. */
  readonly polishSteps: number;
  /** Final trust-region radius (scaled norm). */
  readonly radius: number;
  /** Lower and upper bounds used (filled with ∓Infinity where absent). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /**
   * True when the Jacobian of the free parameters at the solution is rank-deficient (a singular
   * value of `J D⁻¹` below `eps·max(m, n)·s_max`): some combination of parameters is not
   * determined by the data. The point may still be a minimum of the cost (an over-parametrised
   * model), so this alone does not change `success`; the fit layer turns it into a warning.
   */
  readonly rankDeficient: boolean;
  /**
   * Indices of free parameters whose Jacobian column is zero to rounding at the solution (exactly
   * zero, or below `eps` times the largest norm it had during the run): a plateau such as an
   * exponential that underflowed to 0. A convergence test that stops at such a point ends as `'undetermined'` (`success: false`).
   */
  readonly undetermined: readonly number[];
  /**
   * Condition number of the Jacobian of the free parameters with its columns scaled to unit norm
   * (so independent of the parameters' units), at the solution; Infinity with a zero column, NaN
   * when there is nothing to factorise. Large values (say > 1e10) mean some combination of
   * parameters is barely determined by the data even when `rankDeficient` is false.
   */
  readonly conditionNumber: number;
  /**
   * The triangular factor of the final point's QR, for the covariance (`covarianceFromJacobian`'s
   * `factored`): absent for a robust loss (whose QR is of the loss-scaled Jacobian) or a non-finite end.
   */
  readonly finalFactor?: TriangularFactor;
}

/** The name the architecture and the issue use for the least-squares result. */
export type SolverSummary = LeastSquaresSummary;

const METHOD = 'trust-region Levenberg–Marquardt';

/** Why the loop stopped, with the sentence for the summary. */
interface Stop {
  readonly termination: TerminationReason;
  readonly message: string;
}

function stopWith(termination: TerminationReason, message: string): Stop {
  return { termination, message };
}

const USER_STOP: Stop = { termination: 'user', message: 'Stopped by the callback.' };

/** A trial point's measured outcome. */
interface TrialMeasure {
  /** The trial residuals are finite. */
  readonly finite: boolean;
  /** ... and so is the trial cost. */
  readonly usable: boolean;
  readonly costT: number;
  readonly actred: number;
  /** Gain ratio actual / predicted reduction (`-Infinity` for unusable trials). */
  readonly ratio: number;
}

/** A step test with a gradient cosine above this and a Gauss–Newton step over */
const COLLAPSE_COSINE = 1e-4;
/** ... this many radii long means the trust region collapsed (termination `'stalled'`). */
const COLLAPSE_RATIO = 1e3;

/** Everything a least-squares summary holds except what it derives (method, success, reports). */
type LmSummaryFields = Omit<LeastSquaresSummary, 'method' | 'success' | 'briefReport' | 'fullReport'>;

class LmSummary implements LeastSquaresSummary {
  readonly method: string = METHOD;
  /** Own field (not a getter) so that copies made with spread keep it. */
  readonly success: boolean;
  declare readonly n: number;
  declare readonly m: number;
  declare readonly x: Float64Array;
  declare readonly cost: number;
  declare readonly initialCost: number;
  declare readonly residuals: Float64Array;
  declare readonly jacobian: Float64Array;
  declare readonly gradient: Float64Array;
  declare readonly optimality: number;
  declare readonly termination: TerminationReason;
  declare readonly message: string;
  declare readonly nfev: number;
  declare readonly njev: number;
  declare readonly iterations: number;
  declare readonly activeMask: boolean[];
  declare readonly atBound: BoundSide[];
  declare readonly x0Clipped: boolean;
  declare readonly loss: LossName;
  declare readonly fScale: number;
  declare readonly polishSteps: number;
  declare readonly radius: number;
  declare readonly lower: Float64Array;
  declare readonly upper: Float64Array;
  declare readonly rankDeficient: boolean;
  declare readonly undetermined: readonly number[];
  declare readonly conditionNumber: number;
  declare readonly finalFactor?: TriangularFactor;
  constructor(fields: LmSummaryFields) {
    Object.assign(this, fields);
    this.success = isConverged(fields.termination);
  }
  briefReport(): string {
    return briefReportOf(this);
  }
  fullReport(names?: readonly string[]): string {
    const nb = this.activeMask.filter(Boolean).length;
    const finite = Array.from(
      this.lower,
      (l, j) => Number.isFinite(l) || Number.isFinite(this.upper[j]),
    ).filter(Boolean).length;
    return fullReportOf(
      this,
      [
        ['Residuals', this.m],
        ['Loss', this.loss === 'linear' ? 'linear' : `${this.loss} (fScale ${this.fScale})`],
        ['Bounded parameters', finite],
        ['Parameters on a bound', nb],
        ['First-order optimality', this.optimality],
        ['Final trust radius', this.radius],
        ['Polishing steps kept', this.polishSteps],
        ['Rank-deficient Jacobian', this.rankDeficient ? 'yes' : 'no'],
        ['Condition (unit columns)', this.conditionNumber],
        ...(this.undetermined.length > 0
          ? ([
              ['Undetermined parameters', this.undetermined.map((j) => names?.[j] ?? `x[${j}]`).join(', ')],
            ] as ReportRows)
          : []),
      ],
      names,
    );
  }
  toJSON(): Record<string, unknown> {
    return {
      method: this.method,
      x: Array.from(this.x),
      cost: this.cost,
      initialCost: this.initialCost,
      success: this.success,
      termination: this.termination,
      message: this.message,
      nfev: this.nfev,
      njev: this.njev,
      iterations: this.iterations,
      activeMask: this.activeMask,
      atBound: this.atBound,
      optimality: this.optimality,
      x0Clipped: this.x0Clipped,
      rankDeficient: this.rankDeficient,
      undetermined: this.undetermined,
      conditionNumber: this.conditionNumber,
    };
  }
}

/** Parameter `j` in a message: its name, or `x[j]`. */
function parameterName(names: readonly string[] | undefined, j: number): string {
  return names?.[j] ?? `x[${j}]`;
}

/** The sentence added to a converged stop at a point with undetermined parameters. */
function undeterminedSentence(undetermined: readonly number[], names: readonly string[] | undefined): string {
  const one = undetermined.length === 1;
  const which = undetermined.map((j) => parameterName(names, j)).join(', ');
  return (
    ` But ${one ? 'parameter' : 'parameters'} ${which} ` +
    `${one ? 'has' : 'have'} no effect on the residuals here (Jacobian column zero to rounding): ` +
    'not determined by the data.'
  );
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toExponential(3) : String(v);
}

/**
 * Solves the bounded nonlinear least-squares problem from `x0`. Never throws on non-convergence
 * (see `summary.success`, `termination`, `message`); throws `ExprfitError` only for invalid input
 * (options, start point, bounds). A start point outside the bounds is clipped into them
 * (`summary.x0Clipped`); the solver itself always works inside the box.
 */
export function solveLeastSquares(
  problem: LeastSquaresProblem,
  x0: NumericArray,
  options: SolverOptionsInput = {},
): LeastSquaresSummary {
  const opts = validateOptions(options);
  if (problem == null || typeof problem !== 'object')
    throw new ExprfitError('value', 'problem must be an object');
  const { n, m } = problem;
  if (!Number.isInteger(m) || m < 0)
    throw new ExprfitError('value', `number of residuals must be an integer >= 0, got ${m}`);
  const start = checkStart(x0, problem.lower, problem.upper, n);
  if (typeof opts.xScale !== 'string' && opts.xScale.length !== n) {
    throw new ExprfitError(
      'option',
      `option xScale has ${opts.xScale.length} values but the problem has ${n} parameters`,
    );
  }
  return new LevenbergMarquardt(problem, start.x, start.lower, start.upper, start.clipped, opts).run();
}

class LevenbergMarquardt {
  private readonly n: number;
  private readonly m: number;
  private readonly robust: boolean;
  private readonly maxfev: number;
  private readonly maxIter: number;
  private readonly fused: boolean;

  // state
  private x: Float64Array;
  private xt: Float64Array;
  private r: Float64Array;
  private rt: Float64Array;
  private J: Float64Array;
  private Jt: Float64Array;
  /** loss-scaled residuals / Jacobian (alias r / J for the linear loss) */
  private rs: Float64Array;
  private Js: Float64Array;
  private cost = 0;
  private initialCost = 0;
  private nfev = 0;
  private njev = 0;
  private iter = 0;
  private delta = 0;
  private polished = 0;

  // per-point quantities
  private readonly g: Float64Array;
  private readonly cn: Float64Array;
  /** Largest column norm seen so far (for the undetermined-parameter test, whatever the scaling). */
  private readonly cnMax: Float64Array;
  private readonly d: Float64Array;
  private dInit = false;
  private readonly free: Int32Array;
  private readonly cand: Int32Array;
  private k = 0;
  private factorized = false;

  // factorisation workspace
  private readonly qr: ChunkedQR;
  private readonly qtv: Float64Array;
  private readonly A: Float64Array;
  private readonly s: Float64Array;
  private readonly V: Float64Array;
  private readonly perm: Int32Array;
  private readonly tmp: Float64Array;
  private readonly b: Float64Array;
  private sThreshold = 0;
  /** Scaled length of the full Gauss–Newton step at the last factorised point. */
  private gnNorm = 0;
  /** Gradient cosine (MINPACK's gnorm) at the last analysed point. */
  private pointCosine = 0;
  /** True until the first trial step has capped the initial radius. */
  private firstStep = true;

  // step workspace
  private readonly ph: Float64Array;
  private readonly ah: Float64Array;
  private readonly coef: Float64Array;
  private readonly step: Float64Array;
  private readonly y: Float64Array;
  private alpha = 0;
  private rprobe: Float64Array | null = null;

  constructor(
    private readonly problem: LeastSquaresProblem,
    x0: Float64Array,
    private readonly lower: Float64Array,
    private readonly upper: Float64Array,
    private readonly x0Clipped: boolean,
    private readonly opts: SolverOptions,
  ) {
    const n = problem.n;
    const m = problem.m;
    this.n = n;
    this.m = m;
    this.robust = opts.loss !== 'linear';
    this.maxfev = resolveMaxFev(opts, n);
    this.maxIter = resolveMaxIterations(opts, n);
    this.fused = typeof problem.residualsAndJacobian === 'function';
    this.x = x0;
    this.xt = new Float64Array(n);
    this.r = new Float64Array(m);
    this.rt = new Float64Array(m);
    this.J = new Float64Array(m * n);
    this.Jt = new Float64Array(m * n);
    this.rs = this.robust ? new Float64Array(m) : this.r;
    this.Js = this.robust ? new Float64Array(m * n) : this.J;
    this.g = new Float64Array(n);
    this.cn = new Float64Array(n);
    this.cnMax = new Float64Array(n);
    this.d = new Float64Array(n);
    this.free = new Int32Array(n);
    this.cand = new Int32Array(n);
    this.qr = new ChunkedQR(m, n, opts.geodesicAcceleration && !this.robust);
    this.qtv = new Float64Array(n);
    this.A = new Float64Array(n * n);
    this.s = new Float64Array(n);
    this.V = new Float64Array(n * n);
    this.perm = new Int32Array(n);
    this.tmp = new Float64Array(n * n);
    this.b = new Float64Array(n);
    this.ph = new Float64Array(n);
    this.ah = new Float64Array(n);
    this.coef = new Float64Array(n);
    this.step = new Float64Array(n);
    this.y = new Float64Array(n);
    const xScale = opts.xScale;
    if (xScale !== 'jac') {
      for (let j = 0; j < n; j++) this.d[j] = xScale === 'unit' ? 1 : 1 / xScale[j];
      this.dInit = true;
    }
  }

  // ---------------------------------------------------------------- evaluation helpers

  /** Evaluates the residuals (and the Jacobian when fused) at `xt` into `rt` (`Jt`). */
  private evalTrial(withJac: boolean): boolean {
    this.nfev++;
    if (withJac && this.fused) {
      this.njev++;
      this.problem.residualsAndJacobian!(this.xt, this.rt, this.Jt);
    } else {
      this.problem.residuals(this.xt, this.rt);
    }
    return firstNonFinite(this.rt, this.m) < 0;
  }

  /** After an accepted trial: makes sure `Jt` holds the Jacobian at `xt`; false if not finite. */
  private evalTrialJacobian(): boolean {
    if (!this.fused) {
      this.njev++;
      this.problem.jacobian(this.xt, this.Jt);
    }
    return firstNonFinite(this.Jt, this.m * this.n) < 0;
  }

  /** Makes the trial point current (swaps buffers) and refreshes the loss scaling. */
  private acceptTrial(costT: number): void {
    let t = this.x;
    this.x = this.xt;
    this.xt = t;
    t = this.r;
    this.r = this.rt;
    this.rt = t;
    t = this.J;
    this.J = this.Jt;
    this.Jt = t;
    if (this.robust) {
      scaleForLoss(this.opts.loss, this.opts.fScale, this.r, this.J, this.m, this.n, this.rs, this.Js);
    } else {
      this.rs = this.r;
      this.Js = this.J;
    }
    this.cost = costT;
    this.factorized = false;
  }

  /** Undoes the last `acceptTrial` (the previous point is still in the trial buffers). */
  private revertTrial(costPrev: number): void {
    this.acceptTrial(costPrev);
  }

  private costOf(r: Float64Array): number {
    return robustCost(this.opts.loss, this.opts.fScale, r, this.m);
  }

  /** Actual reduction F(x) − F(xt), computed without cancellation for the linear loss. */
  private actualReduction(costT: number): number {
    if (this.robust) return this.cost - costT;
    const r = this.r;
    const rt = this.rt;
    let s = 0;
    for (let i = 0; i < this.m; i++) s += (r[i] - rt[i]) * (r[i] + rt[i]);
    return 0.5 * s;
  }

  private scaledNorm(v: Float64Array): number {
    let s = 0;
    for (let j = 0; j < this.n; j++) {
      const t = this.d[j] * v[j];
      s += t * t;
    }
    return Math.sqrt(s);
  }

  // ---------------------------------------------------------------- per-point work

  /**
   * Gradient, column norms, scaling update, active set and QR at the current point. The QR of all
   * parameters not fixed by their bounds gives the gradient `g = Rᵀ(Qᵀr)` and the column norms
   * `‖J_:j‖ = ‖R_:j‖` without another pass over the Jacobian; only when some parameter is held by
   * a bound is the QR redone for the free ones.
   */
  private analysePoint(): void {
    const { n, m, g, cn, qr } = this;
    const cand = this.cand;
    let k0 = 0;
    for (let j = 0; j < n; j++) if (this.lower[j] !== this.upper[j]) cand[k0++] = j;
    qr.factor(this.Js, m, n, cand, k0, this.rs);
    g.fill(0);
    cn.fill(0);
    const R = qr.R;
    const qtb = qr.qtb;
    for (let q = 0; q < k0; q++) {
      let gq = 0;
      let nq = 0;
      for (let i = 0; i <= q; i++) {
        const v = R[i * k0 + q];
        gq += v * qtb[i];
        nq += v * v;
      }
      g[cand[q]] = gq;
      cn[cand[q]] = Math.sqrt(nq);
    }
    if (k0 < n) this.fixedParameterGradient();
    for (let j = 0; j < n; j++) if (cn[j] > this.cnMax[j]) this.cnMax[j] = cn[j];
    if (this.opts.xScale === 'jac') {
      if (!this.dInit) {
        for (let j = 0; j < n; j++) this.d[j] = cn[j] > 0 ? cn[j] : 1;
        this.dInit = true;
      } else {
        for (let j = 0; j < n; j++) if (cn[j] > this.d[j]) this.d[j] = cn[j];
      }
    }
    let k = 0;
    for (let q = 0; q < k0; q++) {
      const j = cand[q];
      const x = this.x[j];
      if (x <= this.lower[j] && g[j] > 0) continue;
      if (x >= this.upper[j] && g[j] < 0) continue;
      this.free[k++] = j;
    }
    this.k = k;
    if (k !== k0 && k > 0) qr.factor(this.Js, m, n, this.free, k, this.rs);
  }

  /** Gradient and column norms of parameters fixed by `lower === upper` (direct pass; rare). */
  private fixedParameterGradient(): void {
    const { n, m, g, cn } = this;
    for (let j = 0; j < n; j++) {
      if (this.lower[j] !== this.upper[j]) continue;
      let gj = 0;
      let nj = 0;
      for (let i = 0; i < m; i++) {
        const v = this.Js[i * n + j];
        gj += v * this.rs[i];
        nj += v * v;
      }
      g[j] = gj;
      cn[j] = Math.sqrt(nj);
    }
  }

  /** Largest cosine between the residual and a free Jacobian column (MINPACK's gnorm). */
  private gradientCosine(): number {
    let rn = 0;
    for (let i = 0; i < this.m; i++) rn += this.rs[i] * this.rs[i];
    rn = Math.sqrt(rn);
    let gmax = 0;
    for (let q = 0; q < this.k; q++) {
      const j = this.free[q];
      if (this.cn[j] === 0) continue;
      const c = Math.abs(this.g[j]) / (this.cn[j] * rn);
      if (c > gmax) gmax = c;
    }
    return gmax;
  }

  /** Largest |g_j| over the free parameters. */
  private optimality(): number {
    let gmax = 0;
    for (let q = 0; q < this.k; q++) gmax = Math.max(gmax, Math.abs(this.g[this.free[q]]));
    return gmax;
  }

  /** SVD of R D⁻¹ (R from `analysePoint`'s QR of the free columns), projected residual b = Uᵀ(Qᵀr)[:k]. */
  private factorize(): void {
    const { m, k, free, qr } = this;
    const R = qr.R;
    const qtb = qr.qtb;
    const A = this.A;
    A.fill(0, 0, k * k);
    for (let i = 0; i < k; i++) {
      for (let q = i; q < k; q++) A[i * k + q] = R[i * k + q] / this.d[free[q]];
    }
    jacobiSVD(A, k, this.s, this.V, this.perm, this.tmp);
    for (let i = 0; i < k; i++) {
      let t = 0;
      for (let j = 0; j < k; j++) t += A[j * k + i] * qtb[j];
      this.b[i] = t;
    }
    this.sThreshold = EPS * Math.max(m, k) * (k > 0 ? this.s[0] : 0);
    let gnNorm2 = 0;
    for (let i = 0; i < k; i++) if (this.s[i] > this.sThreshold) gnNorm2 += (this.b[i] / this.s[i]) ** 2;
    this.gnNorm = Math.sqrt(gnNorm2);
    this.factorized = true;
  }

  /**
   * Solves the trust-region subproblem in scaled variables for radius `delta`: writes the scaled
   * step (in the free coordinates) to `ph` and returns the LM parameter α (0 for Gauss–Newton).
   */
  private solveSubproblem(delta: number, alphaInit: number): number {
    const { k, s, b, ph, coef } = this;
    const thr = this.sThreshold;
    // Gauss–Newton step (pseudo-inverse)
    let gn2 = 0;
    for (let i = 0; i < k; i++) {
      coef[i] = s[i] > thr ? b[i] / s[i] : 0;
      gn2 += coef[i] * coef[i];
    }
    if (Math.sqrt(gn2) <= delta) {
      this.combine(coef, ph, 1);
      return 0;
    }
    const fullRank = k > 0 && s[k - 1] > thr;
    let sufNorm2 = 0;
    for (let i = 0; i < k; i++) sufNorm2 += (s[i] * b[i]) ** 2;
    let upper = Math.sqrt(sufNorm2) / delta;
    let lower = 0;
    if (fullRank) {
      const [phi, dphi] = this.phi(0, delta);
      lower = -phi / dphi;
    }
    let alpha = alphaInit;
    if (!(alpha > lower && alpha < upper)) alpha = Math.max(0.001 * upper, Math.sqrt(lower * upper));
    for (let it = 0; it < 30; it++) {
      if (alpha < lower || alpha > upper) alpha = Math.max(0.001 * upper, Math.sqrt(lower * upper));
      const [phi, dphi] = this.phi(alpha, delta);
      if (phi < 0) upper = alpha;
      const ratio = phi / dphi;
      lower = Math.max(lower, alpha - ratio);
      alpha -= ((phi + delta) * ratio) / delta;
      if (Math.abs(phi) < 0.01 * delta) break;
    }
    if (!(alpha > 0)) alpha = Math.max(lower, 1e-300);
    let nrm2 = 0;
    for (let i = 0; i < k; i++) {
      coef[i] = (s[i] * b[i]) / (s[i] * s[i] + alpha);
      nrm2 += coef[i] * coef[i];
    }
    const nrm = Math.sqrt(nrm2);
    this.combine(coef, ph, nrm > 0 ? delta / nrm : 1);
    return alpha;
  }

  /** out = -scale · V coef */
  private combine(coef: Float64Array, out: Float64Array, scale: number): void {
    const { k, V } = this;
    for (let i = 0; i < k; i++) {
      let t = 0;
      for (let j = 0; j < k; j++) t += V[i * k + j] * coef[j];
      out[i] = -scale * t;
    }
  }

  private phi(alpha: number, delta: number): [number, number] {
    const { k, s, b } = this;
    let pn2 = 0;
    let der = 0;
    for (let i = 0; i < k; i++) {
      const suf = s[i] * b[i];
      const den = s[i] * s[i] + alpha;
      if (den === 0) continue;
      const t = suf / den;
      pn2 += t * t;
      der += (suf * suf) / (den * den * den);
    }
    const pn = Math.sqrt(pn2);
    return [pn - delta, pn > 0 ? -der / pn : -1];
  }

  /**
   * Builds the trial point `xt = P(x + D⁻¹ph)` (projection onto the box) from the scaled free-space
   * step `ph`, and `step = xt − x`. Returns true when the projection changed the point.
   */
  private buildTrial(ph: Float64Array): boolean {
    const { n, k, free, step, x, xt, lower, upper } = this;
    step.fill(0);
    for (let q = 0; q < k; q++) {
      const j = free[q];
      step[j] = ph[q] / this.d[j];
    }
    let clipped = false;
    for (let j = 0; j < n; j++) {
      let v = x[j] + step[j];
      if (v < lower[j]) {
        v = lower[j];
        clipped = true;
      } else if (v > upper[j]) {
        v = upper[j];
        clipped = true;
      }
      xt[j] = v;
      step[j] = v - x[j];
    }
    return clipped;
  }

  /** Predicted reduction of the (loss-scaled) linear model for the current `step`. */
  private predictedReduction(): number {
    const { k, free, step, y } = this;
    const R = this.qr.R;
    const qtb = this.qr.qtb;
    let pred = 0;
    for (let i = 0; i < k; i++) {
      let t = 0;
      for (let q = i; q < k; q++) t += R[i * k + q] * step[free[q]];
      y[i] = t;
      pred -= qtb[i] * t + 0.5 * t * t;
    }
    return pred;
  }

  /** Directional derivative gᵀ step of the cost. */
  private directionalDerivative(): number {
    let t = 0;
    for (let j = 0; j < this.n; j++) t += this.g[j] * this.step[j];
    return t;
  }

  /**
   * Geodesic acceleration for the scaled velocity `ph` at LM parameter α: writes the scaled
   * acceleration to `ah`. Returns 'ok', 'skip' (no acceleration: probe out of bounds or no budget),
   * or 'reject' (probe residuals not finite).
   */
  private acceleration(alpha: number): 'ok' | 'skip' | 'reject' {
    const { n, m, k, free, ph, ah, xt, x, lower, upper } = this;
    const h = this.opts.geodesicStep;
    if (this.nfev + 2 > this.maxfev) return 'skip';
    xt.set(x);
    for (let q = 0; q < k; q++) {
      const j = free[q];
      const v = x[j] + (h * ph[q]) / this.d[j];
      if (v < lower[j] || v > upper[j]) return 'skip';
      xt[j] = v;
    }
    if (!this.rprobe) this.rprobe = new Float64Array(m);
    const rp = this.rprobe;
    this.nfev++;
    this.problem.residuals(xt, rp);
    if (firstNonFinite(rp, m) >= 0) return 'reject';
    // r_vv = (2/h)((r(x+hv) − r)/h − J v), written into rp
    const J = this.J;
    const r = this.r;
    for (let i = 0; i < m; i++) {
      let jv = 0;
      const row = i * n;
      for (let q = 0; q < k; q++) {
        const j = free[q];
        jv += J[row + j] * (ph[q] / this.d[j]);
      }
      rp[i] = (2 / h) * ((rp[i] - r[i]) / h - jv);
    }
    this.qr.applyQt(rp, this.qtv);
    const { s, A, coef, qtv } = this;
    const thr = this.sThreshold;
    for (let i = 0; i < k; i++) {
      let c = 0;
      for (let j = 0; j < k; j++) c += A[j * k + i] * qtv[j];
      coef[i] = alpha > 0 ? (s[i] * c) / (s[i] * s[i] + alpha) : s[i] > thr ? c / s[i] : 0;
    }
    this.combine(coef, ah, 1);
    return 'ok';
  }

  // ---------------------------------------------------------------- main loop

  /**
   * The minimizer loop, in the shape of Ceres' `TrustRegionMinimizer`: at each accepted point the
   * point tests (exact fit, everything held, gradient), then trial steps until one is accepted
   * (`tryStep`) or a termination test stops the run.
   */
  run(): LeastSquaresSummary {
    const startFailure = this.evaluateStart();
    if (startFailure) return this.finish(startFailure);
    if (this.n === 0) {
      this.analysePoint();
      return this.finish(stopWith('gtol', 'No free parameters: nothing to fit.'));
    }
    let stop: Stop | null = null;
    while (stop === null) stop = this.iterateFromPoint();
    return this.conclude(stop);
  }

  /** Evaluates the start point and makes it current; a stop when it cannot be started from. */
  private evaluateStart(): Stop | null {
    const { n, m } = this;
    this.xt.set(this.x);
    this.nfev++;
    this.njev++;
    if (this.fused) this.problem.residualsAndJacobian!(this.xt, this.rt, this.Jt);
    else {
      this.problem.residuals(this.xt, this.rt);
      this.problem.jacobian(this.xt, this.Jt);
    }
    const badR = firstNonFinite(this.rt, m);
    const badJ = badR >= 0 ? -1 : firstNonFinite(this.Jt, m * n);
    this.acceptTrial(this.costOf(this.rt));
    this.initialCost = this.cost;
    if (badR >= 0) {
      return stopWith(
        'non-finite',
        `Residual ${badR} is ${this.r[badR]} at the start point; cannot start from a non-finite cost.`,
      );
    }
    if (badJ >= 0) {
      const i = Math.floor(badJ / Math.max(n, 1));
      return stopWith(
        'non-finite',
        `Jacobian entry (${i}, ${badJ - i * n}) is ${this.J[badJ]} at the start point; cannot compute a step.`,
      );
    }
    if (!Number.isFinite(this.cost)) {
      return stopWith(
        'non-finite',
        `The residuals are finite at the start point but their sum of squares overflows (cost = ${this.cost}); ` +
          'cannot start from a non-finite cost.',
      );
    }
    return null;
  }

  /**
   * One accepted point: its analysis and point tests, then trial steps until one is accepted
   * (returns null) or a test stops the run (returns the stop).
   */
  private iterateFromPoint(): Stop | null {
    this.analysePoint();
    const xnorm = this.scaledNorm(this.x);
    if (this.firstStep) this.delta = this.opts.initialTrustRadiusFactor * (xnorm > 0 ? xnorm : 1);
    const pointStop = this.pointTests();
    if (pointStop) return pointStop;
    this.factorize();
    this.alpha = 0;
    for (;;) {
      const budgetStop = this.budgetTests();
      if (budgetStop) return budgetStop;
      this.iter++;
      const outcome = this.tryStep(xnorm);
      if (outcome === 'accepted') return null;
      if (outcome !== 'rejected') return outcome;
    }
  }

  /** Tests on the current point: exact fit, every parameter held, gradient (MINPACK's gtol). */
  private pointTests(): Stop | null {
    if (this.cost === 0) return stopWith('gtol', 'The residuals are all zero: an exact fit.');
    if (this.k === 0) {
      return stopWith(
        'gtol',
        'Every parameter is held by a bound with its gradient pointing out of the box.',
      );
    }
    const gtol = Math.max(this.opts.gtol, 0);
    this.pointCosine = this.gradientCosine();
    if (this.pointCosine <= gtol) {
      return stopWith(
        'gtol',
        `Gradient test: max |cos(r, J_j)| = ${fmt(this.pointCosine)} <= gtol = ${fmt(gtol)}.`,
      );
    }
    return null;
  }

  /** Iteration and evaluation budgets. */
  private budgetTests(): Stop | null {
    if (this.iter >= this.maxIter) {
      return stopWith('maxiter', `Reached the maximum of ${this.maxIter} iterations.`);
    }
    return this.evaluationBudgetTest();
  }

  private evaluationBudgetTest(): Stop | null {
    if (this.nfev < this.maxfev) return null;
    return stopWith('maxfev', `Reached the maximum of ${this.maxfev} residual evaluations.`);
  }

  /**
   * One trial step from the current point: solve the subproblem, evaluate the trial point, update
   * the radius, accept or reject, and run the step tests. Returns 'accepted', 'rejected' or a stop.
   */
  private tryStep(xnorm: number): 'accepted' | 'rejected' | Stop {
    const alpha = this.solveSubproblem(this.delta, this.alpha);
    this.alpha = alpha;
    const relStep = this.capRelativeStep();
    const accelerated = this.accelerationFor(alpha);
    if (accelerated === 'reject') return this.probeRejected(xnorm);
    const { pred, dirder, pnorm } = this.buildStep(accelerated);
    if (this.firstStep) {
      this.delta = Math.min(this.delta, pnorm);
      this.firstStep = false;
    }
    const budgetStop = this.evaluationBudgetTest();
    if (budgetStop) return budgetStop;
    const trial = this.measureTrial(pred);
    // after non-finite values, also limit the next steps' relative size (see capRelativeStep)
    if (!trial.usable) this.relCap = Math.min(0.25 * relStep, 0.5);
    else if (trial.ratio >= this.opts.acceptRatio) this.relCap = Infinity;
    const noise = this.roundingLevel(trial, pred);
    if (noise >= 0) return this.roundingLevelStop(trial, pred, noise);
    this.updateRadius(trial, dirder, pnorm, alpha);
    const costBefore = this.cost;
    const accepted = trial.ratio >= this.opts.acceptRatio && this.acceptIfJacobianFinite(trial.costT, pnorm);
    if (this.report(trial.ratio, accepted)) return USER_STOP;
    const stepStop = this.stepTests(trial, pred, costBefore);
    if (stepStop) return stepStop;
    return accepted ? 'accepted' : 'rejected';
  }

  /** Geodesic acceleration for the step (when enabled): whether to use it, or 'reject' the step. */
  private accelerationFor(alpha: number): boolean | 'reject' {
    if (!this.opts.geodesicAcceleration || this.robust) return false;
    let vnorm = 0;
    for (let q = 0; q < this.k; q++) vnorm += this.ph[q] * this.ph[q];
    vnorm = Math.sqrt(vnorm);
    const res = this.acceleration(alpha);
    if (res !== 'ok') return res === 'reject' ? 'reject' : false;
    let anorm = 0;
    for (let q = 0; q < this.k; q++) anorm += this.ah[q] * this.ah[q];
    anorm = Math.sqrt(anorm);
    // too large an acceleration: the geodesic expansion is not trusted, take the velocity alone
    return 2 * anorm <= this.opts.geodesicMaxRatio * vnorm;
  }

  /** The second-derivative probe gave non-finite residuals: shrink the radius. */
  private probeRejected(xnorm: number): 'rejected' | Stop {
    this.delta *= 0.25;
    if (this.report(-Infinity, false)) return USER_STOP;
    const xtol = Math.max(this.opts.xtol, EPS);
    if (this.delta <= xtol * xnorm) {
      return stopWith(
        'xtol',
        `Trust radius ${fmt(this.delta)} <= xtol·‖Dx‖ = ${fmt(xtol * xnorm)} (trial residuals not finite).`,
      );
    }
    return 'rejected';
  }

  /**
   * Builds the trial point from `ph` (plus half the acceleration when `accelerated`) and returns the
   * velocity's predicted reduction (used for the accelerated step too, as GSL does), the directional
   * derivative and the scaled length of the velocity step.
   */
  private buildStep(accelerated: boolean): { pred: number; dirder: number; pnorm: number } {
    const clippedV = this.buildTrial(this.ph);
    let pred = this.predictedReduction();
    let dirder = this.directionalDerivative();
    const pnorm = this.scaledNorm(this.step);
    if (accelerated) {
      for (let q = 0; q < this.k; q++) this.ph[q] += 0.5 * this.ah[q];
      if (this.buildTrial(this.ph) || clippedV) {
        pred = this.predictedReduction();
        dirder = this.directionalDerivative();
      }
    }
    return { pred, dirder, pnorm };
  }

  /** Evaluates the trial point: cost, actual reduction and gain ratio. */
  private measureTrial(pred: number): TrialMeasure {
    const finite = this.evalTrial(true);
    if (!finite) return { finite, usable: false, costT: Infinity, actred: -Infinity, ratio: -Infinity };
    const costT = this.costOf(this.rt);
    const actred = this.actualReduction(costT);
    let ratio = pred > 0 ? actred / pred : actred > 0 ? 1 : -1;
    if (!Number.isFinite(costT)) ratio = -Infinity;
    return { finite, usable: Number.isFinite(costT), costT, actred, ratio };
  }

  /**
   * Rounding regime: a tiny step whose predicted reduction, and the measured one, are both below
   * what the residuals' rounding lets the cost resolve. The cost cannot judge such a step —
   * accepting or refusing it on the measured value would only select rounding noise (and bias the
   * final sum of squares low) — so it is taken on the model's word and the run has converged.
   * Returns the rounding level when the test passes, -1 otherwise (linear loss only).
   */
  private roundingLevel(trial: TrialMeasure, pred: number): number {
    if (!trial.usable || this.robust || !this.stepIsTiny()) return -1;
    const noise = this.reductionNoise();
    const passes = noise <= 0.1 * this.cost && pred <= noise && Math.abs(trial.actred) <= noise;
    return passes ? noise : -1;
  }

  private roundingLevelStop(trial: TrialMeasure, pred: number, noise: number): Stop {
    const costBefore = this.cost;
    if (this.evalTrialJacobian()) this.acceptTrial(trial.costT);
    if (this.report(trial.ratio, true)) return USER_STOP;
    return stopWith(
      'ftol',
      `Rounding-level test: predicted reduction ${fmt(pred / costBefore)} and actual ` +
        `${fmt(Math.abs(trial.actred) / costBefore)} (relative) are below the cost's rounding noise ` +
        `${fmt(noise / costBefore)}.`,
    );
  }

  /** MINPACK lmder's radius update (and the LM parameter's starting guess for the next solve). */
  private updateRadius(trial: TrialMeasure, dirder: number, pnorm: number, alpha: number): void {
    const { ratio, actred } = trial;
    if (ratio <= 0.25) {
      let temp: number;
      if (!(ratio > -Infinity)) temp = 0.25;
      else if (actred >= 0) temp = 0.5;
      else {
        temp = (0.5 * dirder) / (dirder + actred);
        if (!(temp >= 0.1) || trial.costT > 100 * this.cost) temp = 0.1;
        if (temp > 0.5) temp = 0.5;
      }
      this.delta = temp * Math.min(this.delta, pnorm / 0.1);
      this.alpha = alpha / temp;
    } else if (alpha === 0 || ratio >= 0.75) {
      this.delta = pnorm / 0.5;
      this.alpha = 0.5 * alpha;
    }
  }

  /** Accepts the trial point when its Jacobian is finite; otherwise refuses it and shrinks the radius. */
  private acceptIfJacobianFinite(costT: number, pnorm: number): boolean {
    if (!this.evalTrialJacobian()) {
      this.delta = 0.25 * Math.min(this.delta, pnorm);
      return false;
    }
    this.acceptTrial(costT);
    return true;
  }

  /** MINPACK's step tests, in its order: relative reduction (ftol), then radius (xtol). */
  private stepTests(trial: TrialMeasure, pred: number, costBefore: number): Stop | null {
    const ftol = Math.max(this.opts.ftol, EPS);
    const xtol = Math.max(this.opts.xtol, EPS);
    const { actred, ratio } = trial;
    if (trial.finite && Math.abs(actred) <= ftol * costBefore && pred <= ftol * costBefore && ratio <= 2) {
      return stopWith(
        'ftol',
        `Relative reduction test: actual ${fmt(Math.abs(actred) / costBefore)} and predicted ` +
          `${fmt(pred / costBefore)} <= ftol = ${fmt(ftol)}.`,
      );
    }
    const xnorm = this.scaledNorm(this.x);
    if (this.delta <= xtol * xnorm) {
      return stopWith(
        'xtol',
        `Step test: trust radius ${fmt(this.delta)} <= xtol·‖Dx‖ = ${fmt(xtol * xnorm)}.`,
      );
    }
    return null;
  }

  /**
   * A step test (ftol, xtol, rounding level) that fired because the steps became too short to
   * change the cost, not because the model predicts nothing more: the gradient at the last analysed
   * point is not small (cosine > 1e-4) and its Gauss–Newton step is over 1000 radii long. Not when
   * the residuals have been reduced to the rounding of the start's (`‖r‖ <= eps·‖r₀‖`): at an exact
   * fit the cosine says nothing, and a singular Jacobian there (MGH's Powell singular) gives long
   * Gauss–Newton steps however converged the run is.
   */
  private radiusCollapsed(): boolean {
    if (this.cost <= EPS * EPS * this.initialCost) return false;
    return this.pointCosine > COLLAPSE_COSINE && this.gnNorm > COLLAPSE_RATIO * this.delta;
  }

  /** After the loop: collapse check, polishing after convergence, and the summary. */
  private conclude(stop: Stop): LeastSquaresSummary {
    if (stop.termination === 'user') return this.finish(stop);
    let s = stop;
    if ((s.termination === 'ftol' || s.termination === 'xtol') && this.radiusCollapsed()) {
      s = stopWith(
        'stalled',
        `${s.message} But the trust region collapsed: the gradient is not small (max |cos(r, J_j)| = ` +
          `${fmt(this.pointCosine)}) and the Gauss–Newton step is ${fmt(this.gnNorm / this.delta)} radii ` +
          'long. Try another start or xScale.',
      );
    }
    if (isConverged(s.termination) && this.opts.polishSteps > 0) this.polish();
    if (this.polished > 0) {
      const steps = `${this.polished} Gauss–Newton polishing step${this.polished > 1 ? 's' : ''}`;
      s = stopWith(s.termination, `${s.message} Then ${steps}.`);
    }
    return this.finish(s);
  }

  /**
   * Safeguard for parameters with (nearly) vanishing Jacobian columns: Moré's scaling gives them a
   * tiny `d_j`, so the trust region `‖D p‖ <= Δ` hardly limits their step, and shrinking Δ after
   * non-finite residuals (say `exp` overflowing once such a parameter changes sign) takes dozens
   * of rejections to matter. After a trial with non-finite residuals or cost, the largest relative
   * change `max_j |p_j|/|x_j|` (parameters with `x_j ≠ 0`) of the next steps is capped at a quarter
   * of the failed step's (and at most 0.5), until a step is accepted. Scales the scaled step `ph` in place and
   * returns the (capped) largest relative change.
   */
  private capRelativeStep(): number {
    const { k, free, ph, x, d } = this;
    let rel = 0;
    for (let q = 0; q < k; q++) {
      const j = free[q];
      if (x[j] !== 0) rel = Math.max(rel, Math.abs(ph[q] / d[j]) / Math.abs(x[j]));
    }
    if (rel > this.relCap) {
      const f = this.relCap / rel;
      for (let q = 0; q < k; q++) ph[q] *= f;
      rel = this.relCap;
    }
    return rel;
  }
  private relCap = Infinity;

  /** True when the current `step` changes no parameter by more than 1e-8 relative (scaled for x_j = 0). */
  private stepIsTiny(): boolean {
    const { n, step, x, d } = this;
    const xn = this.scaledNorm(x);
    for (let j = 0; j < n; j++) {
      if (step[j] === 0) continue;
      if (x[j] !== 0 ? Math.abs(step[j]) > 1e-8 * Math.abs(x[j]) : d[j] * Math.abs(step[j]) > 1e-8 * xn)
        return false;
    }
    return true;
  }

  /**
   * Size of the part of the actual reduction not explained by the linear model for the current
   * `step`: with `e = (r̃ − r) − J s`, `ν = ½ Σ |e_i| (|r_i + r̃_i| + |(J s)_i|)` bounds
   * `|actual − predicted|`. For a tiny step `e` is the residuals' rounding noise, so ν is the
   * rounding level of the measured reduction (linear loss only).
   */
  private reductionNoise(): number {
    const { m, n, k, free, step } = this;
    const J = this.J;
    const r = this.r;
    const rt = this.rt;
    let nu = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let js = 0;
      for (let q = 0; q < k; q++) {
        const j = free[q];
        js += J[row + j] * step[j];
      }
      const e = rt[i] - r[i] - js;
      nu += Math.abs(e) * (Math.abs(r[i] + rt[i]) + Math.abs(js));
    }
    return 0.5 * nu;
  }

  /** Calls the user callback; true means stop. */
  private report(ratio: number, accepted: boolean): boolean {
    const cb = this.opts.callback;
    if (!cb) return false;
    const stop = cb({
      iteration: this.iter,
      x: this.x,
      cost: this.cost,
      radius: this.delta,
      ratio,
      accepted,
      nfev: this.nfev,
      njev: this.njev,
    });
    if (stop === true) {
      this.userStop = true;
      return true;
    }
    return false;
  }
  private userStop = false;

  /**
   * Gauss–Newton polishing after convergence (see `SolverOptions.polishSteps`): a step is kept when
   * the cost does not rise beyond rounding level and the next Gauss–Newton step is shorter.
   */
  private polish(): void {
    const maxSteps = this.opts.polishSteps;
    let prevNorm = Infinity;
    let prevCost = this.cost;
    let havePrev = false;
    for (let it = 0; it <= maxSteps; it++) {
      if (!this.factorized) {
        this.analysePoint();
        if (this.k === 0 || this.cost === 0) return;
        this.factorize();
      }
      this.solveSubproblem(Infinity, 0);
      let snorm = 0;
      for (let q = 0; q < this.k; q++) snorm += this.ph[q] * this.ph[q];
      snorm = Math.sqrt(snorm);
      const xnorm = this.scaledNorm(this.x);
      if (havePrev && !(snorm <= prevNorm)) {
        // the last polishing step did not contract: go back to where it started
        this.revertTrial(prevCost);
        this.polished--;
        return;
      }
      // converged to rounding level, out of steps, or contracting too slowly to be worth it
      if (snorm <= 4 * EPS * xnorm || it === maxSteps || (havePrev && snorm > 0.9 * prevNorm)) return;
      if (this.nfev + 1 > this.maxfev) return;
      this.buildTrial(this.ph);
      if (!this.evalTrial(true)) return;
      const costT = this.costOf(this.rt);
      const actred = this.actualReduction(costT);
      // a rise in the cost is tolerated up to rounding level (and the cost's rounding noise, so that
      // the polishing does not select lucky rounding)
      const tol = Math.max(1e-9 * this.cost, this.robust || !this.stepIsTiny() ? 0 : this.reductionNoise());
      if (!(actred >= -tol)) return;
      if (!this.evalTrialJacobian()) return;
      prevCost = this.cost;
      this.acceptTrial(costT);
      this.polished++;
      prevNorm = snorm;
      havePrev = true;
    }
  }

  private finish(stop: Stop): LeastSquaresSummary {
    let { termination, message } = this.userStop ? USER_STOP : stop;
    // gradient / optimality / rank at the final point
    const finite = termination !== 'non-finite';
    if (finite) this.analysePoint();
    const finalFactor = finite && !this.robust ? this.triangularFactor() : undefined;
    const undetermined = finite ? this.undeterminedParameters() : [];
    const rankDeficient = finite && this.k > 0 && this.isRankDeficient();
    const conditionNumber = finite && this.k > 0 ? this.columnScaledCondition() : NaN;
    if (undetermined.length > 0 && isConverged(termination)) {
      termination = 'undetermined';
      message += undeterminedSentence(undetermined, this.problem.names);
    }
    const { activeMask, atBound } = boundStatus(this.x, this.lower, this.upper);
    if (finite) message += this.heldSentence(atBound);
    return new LmSummary({
      n: this.n,
      m: this.m,
      x: Float64Array.from(this.x),
      cost: this.cost,
      initialCost: this.initialCost,
      // the solver is done: the summary takes its buffers rather than copies (an image's J is large)
      residuals: this.r,
      jacobian: this.J,
      gradient: Float64Array.from(this.g),
      optimality: finite ? this.optimality() : NaN,
      termination,
      message,
      nfev: this.nfev,
      njev: this.njev,
      iterations: this.iter,
      activeMask,
      atBound,
      x0Clipped: this.x0Clipped,
      loss: this.opts.loss,
      fScale: this.opts.fScale,
      polishSteps: this.polished,
      radius: this.delta,
      lower: this.lower,
      upper: this.upper,
      rankDeficient,
      undetermined,
      conditionNumber,
      ...(finalFactor ? { finalFactor } : {}),
    });
  }

  /** A copy of `analysePoint`'s R of the free columns of `J` (the covariance factors the same matrix). */
  private triangularFactor(): TriangularFactor {
    const k = this.k;
    return { R: this.qr.R.slice(0, k * k), columns: this.free.slice(0, k) };
  }

  /** ' Parameters on a bound: …' for the parameters held by a (non-degenerate) bound, or ''. */
  private heldSentence(atBound: readonly BoundSide[]): string {
    const held = atBound.flatMap((side, j) =>
      side && this.lower[j] !== this.upper[j] ? [`${parameterName(this.problem.names, j)} (${side})`] : [],
    );
    if (held.length === 0) return '';
    return ` ${held.length === 1 ? 'Parameter' : 'Parameters'} on a bound: ${held.join(', ')}.`;
  }

  /**
   * Free parameters whose Jacobian column is zero to rounding at the current point: exactly zero,
   * or below `eps` times the largest norm the column had at any point of the run (an exponential
   * that underflowed on the way). Requires `analysePoint`.
   */
  private undeterminedParameters(): number[] {
    const out: number[] = [];
    for (let q = 0; q < this.k; q++) {
      const j = this.free[q];
      if (this.cn[j] === 0 || this.cn[j] <= EPS * this.cnMax[j]) out.push(j);
    }
    return out;
  }

  /** True when the free columns of the (scaled) Jacobian are rank-deficient to the SVD cutoff. */
  private isRankDeficient(): boolean {
    this.factorize();
    return !(this.s[this.k - 1] > this.sThreshold);
  }

  /**
   * Condition number of the free columns of `J` scaled to unit norm (independent of the parameters'
   * units): `s_max / s_min` of `R·diag(1/‖J_:j‖)`; Infinity with a zero column. Uses (and
   * overwrites) the factorisation workspace, so it is the last thing `finish` does.
   */
  private columnScaledCondition(): number {
    const { k, free, A, cn } = this;
    const R = this.qr.R;
    A.fill(0, 0, k * k);
    for (let q = 0; q < k; q++) {
      const c = cn[free[q]];
      if (!(c > 0)) return Infinity;
      for (let i = 0; i <= q; i++) A[i * k + q] = R[i * k + q] / c;
    }
    jacobiSVD(A, k, this.s, this.V, this.perm, this.tmp);
    this.factorized = false;
    return this.s[k - 1] > 0 ? this.s[0] / this.s[k - 1] : Infinity;
  }
}
