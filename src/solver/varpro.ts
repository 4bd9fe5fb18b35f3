/**
 * Variable projection (Golub & Pereyra 1973) for separable least squares: residuals r(θ, c) = A(θ)c + b(θ)
 * that are linear in the parameters c. For each θ the best c(θ) solves the linear problem min‖A c + b‖
 * exactly (Householder QR with column pivoting), and the nonlinear solver minimises the projected residual
 * r(θ) = P⊥(θ) b(θ) over θ alone. Its Jacobian is Kaufman's (1975) approximation P⊥ ∂r/∂θ at c(θ), which
 * drops the second, small term of the exact Golub–Pereyra derivative and costs one projection per column.
 *
 * Numeric only: the caller says which parameters are linear (src/fit detects them symbolically).
 */
import type { LeastSquaresProblem } from './lm.ts';
import { solveLeastSquares } from './lm.ts';
import type { SolverOptionsInput } from './options.ts';
import { EPS } from './linalg.ts';

/** Householder QR with column pivoting of an m x p matrix (column-major), for least squares and projections. */
class PivotedQR {
  /** Householder vectors below and on the diagonal, R above it. */
  private readonly a: Float64Array;
  private readonly tau: Float64Array;
  private readonly rdiag: Float64Array;
  private readonly perm: Int32Array;
  readonly rank: number;

  constructor(
    a: Float64Array,
    private readonly m: number,
    private readonly p: number,
  ) {
    this.a = a;
    this.tau = new Float64Array(p);
    this.rdiag = new Float64Array(p);
    this.perm = Int32Array.from({ length: p }, (_, j) => j);
    this.rank = this.factor();
  }

  private columnNorm2(j: number, from: number): number {
    let s = 0;
    for (let i = from; i < this.m; i++) s += this.a[j * this.m + i] ** 2;
    return s;
  }

  private swapColumns(j: number, k: number): void {
    const { a, m, perm } = this;
    for (let i = 0; i < m; i++) {
      const t = a[j * m + i];
      a[j * m + i] = a[k * m + i];
      a[k * m + i] = t;
    }
    const t = perm[j];
    perm[j] = perm[k];
    perm[k] = t;
  }

  /** The column (at or after j) with the largest remaining norm, moved to j; its norm. */
  private pivot(j: number): number {
    let best = j;
    let bestNorm = -1;
    for (let k = j; k < this.p; k++) {
      const s = this.columnNorm2(k, j);
      if (s > bestNorm) {
        best = k;
        bestNorm = s;
      }
    }
    if (best !== j) this.swapColumns(j, best);
    return Math.sqrt(bestNorm);
  }

  /** Reflects column j onto its diagonal; applies the reflection to the later columns. */
  private reflect(j: number, norm: number): void {
    const { a, m } = this;
    const o = j * m;
    const alpha = a[o + j] >= 0 ? -norm : norm;
    a[o + j] -= alpha;
    let v2 = 0;
    for (let i = j; i < m; i++) v2 += a[o + i] ** 2;
    this.tau[j] = v2 > 0 ? 2 / v2 : 0;
    this.rdiag[j] = alpha;
    for (let k = j + 1; k < this.p; k++) this.applyReflection(j, a, k * m);
  }

  /** v ← (I - τ u uᵀ) v for reflection j, on the m entries of `v` from `offset`. */
  private applyReflection(j: number, v: Float64Array, offset: number): void {
    const { a, m } = this;
    const o = j * m;
    let s = 0;
    for (let i = j; i < m; i++) s += a[o + i] * v[offset + i];
    s *= this.tau[j];
    for (let i = j; i < m; i++) v[offset + i] -= s * a[o + i];
  }

  private factor(): number {
    const steps = Math.min(this.m, this.p);
    let first = 0;
    for (let j = 0; j < steps; j++) {
      const norm = this.pivot(j);
      if (j === 0) first = norm;
      if (!(norm > Math.max(this.m, this.p) * EPS * first)) return j;
      this.reflect(j, norm);
    }
    return steps;
  }

  /** v ← Qᵀ v (length m). */
  applyQt(v: Float64Array): void {
    for (let j = 0; j < this.rank; j++) this.applyReflection(j, v, 0);
  }

  /** v ← Q v (length m). */
  applyQ(v: Float64Array): void {
    for (let j = this.rank - 1; j >= 0; j--) this.applyReflection(j, v, 0);
  }

  /** c minimising ‖A c - b‖ (the basic solution: 0 for the columns beyond the rank). */
  solve(b: Float64Array): Float64Array {
    const y = Float64Array.from(b);
    this.applyQt(y);
    const z = new Float64Array(this.p);
    const { a, m } = this;
    for (let i = this.rank - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < this.rank; k++) s -= a[k * m + i] * z[k];
      z[i] = s / this.rdiag[i];
    }
    const c = new Float64Array(this.p);
    for (let k = 0; k < this.p; k++) c[this.perm[k]] = z[k];
    return c;
  }

  /** v ← P⊥ v = v - Q Qᵀ v, the part of v orthogonal to the columns of A. */
  project(v: Float64Array): void {
    this.applyQt(v);
    v.fill(0, 0, this.rank);
    this.applyQ(v);
  }
}

/** What a variable-projection solve returns: the full parameter vector (linear ones solved) and its cost. */
interface VarproSummary {
  readonly x: Float64Array;
  readonly iterations: number;
  /** Evaluations of the full problem (two per projected residual: at c = 0 and at c(θ)). */
  readonly nfev: number;
  readonly success: boolean;
  readonly message: string;
}

/**
 * The reduced problem over the nonlinear parameters, and the full x of its last evaluation. It has no fused
 * `residualsAndJacobian`, so trial steps cost one evaluation and only accepted ones a second (for the Jacobian).
 */
class Projected {
  readonly n: number;
  readonly m: number;
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
  readonly x: Float64Array;
  evaluations = 0;
  private readonly r: Float64Array;
  private readonly J: Float64Array;
  private readonly Jr: Float64Array;
  private readonly col: Float64Array;
  private last: Float64Array | null = null;
  private qr: PivotedQR | null = null;
  private jacobianReady = false;

  constructor(
    private readonly full: LeastSquaresProblem,
    private readonly linear: readonly number[],
    private readonly nonlinear: readonly number[],
    x0: Float64Array,
  ) {
    this.n = nonlinear.length;
    this.m = full.m;
    this.x = Float64Array.from(x0);
    this.r = new Float64Array(full.m);
    this.J = new Float64Array(full.m * full.n);
    this.Jr = new Float64Array(full.m * nonlinear.length);
    this.col = new Float64Array(full.m);
    if (full.lower) this.lower = Float64Array.from(nonlinear, (j) => full.lower![j]);
    if (full.upper) this.upper = Float64Array.from(nonlinear, (j) => full.upper![j]);
  }

  /** r and J of the full problem at the current x. */
  private evaluateFull(): void {
    this.evaluations++;
    if (this.full.residualsAndJacobian) this.full.residualsAndJacobian(this.x, this.r, this.J);
    else {
      this.full.residuals(this.x, this.r);
      this.full.jacobian(this.x, this.J);
    }
  }

  /** The linear parameters' columns of J, column-major. */
  private linearColumns(): Float64Array {
    const { m, linear } = this;
    const N = this.full.n;
    const A = new Float64Array(m * linear.length);
    linear.forEach((j, k) => {
      for (let i = 0; i < m; i++) A[k * m + i] = this.J[i * N + j];
    });
    return A;
  }

  /**
   * Sets θ and solves for c: one evaluation at c = 0 gives b (the residuals) and A (the linear columns of J);
   * the projected residual is b + A c, exact because r is linear in c.
   */
  private solveLinear(theta: Float64Array): PivotedQR {
    if (this.last && this.qr && this.last.every((v, i) => Object.is(v, theta[i]))) return this.qr;
    this.nonlinear.forEach((j, k) => (this.x[j] = theta[k]));
    for (const j of this.linear) this.x[j] = 0;
    this.evaluateFull();
    const A = this.linearColumns();
    const qr = new PivotedQR(Float64Array.from(A), this.m, this.linear.length);
    const c = qr.solve(this.r.map((v) => -v));
    this.linear.forEach((j, k) => (this.x[j] = c[k]));
    addProduct(this.r, A, c);
    this.last = Float64Array.from(theta);
    this.qr = qr;
    this.jacobianReady = false;
    return qr;
  }

  /** θ set and c solved, and Kaufman's Jacobian P⊥ ∂r/∂θ at (θ, c): a second evaluation, at c. */
  private solveWithJacobian(theta: Float64Array): void {
    const qr = this.solveLinear(theta);
    if (this.jacobianReady) return;
    const r = Float64Array.from(this.r);
    this.evaluateFull();
    this.r.set(r);
    this.projectJacobian(qr);
    this.jacobianReady = true;
  }

  /** The full x at θ with c solved (for the caller, after the solve). */
  settle(theta: Float64Array): void {
    this.solveLinear(theta);
  }

  private projectJacobian(qr: PivotedQR): void {
    const { m, col, Jr } = this;
    const N = this.full.n;
    const n = this.n;
    this.nonlinear.forEach((j, k) => {
      for (let i = 0; i < m; i++) col[i] = this.J[i * N + j];
      qr.project(col);
      for (let i = 0; i < m; i++) Jr[i * n + k] = col[i];
    });
  }

  residuals(theta: Float64Array, out: Float64Array): void {
    this.solveLinear(theta);
    out.set(this.r);
  }
  jacobian(theta: Float64Array, out: Float64Array): void {
    this.solveWithJacobian(theta);
    out.set(this.Jr);
  }
}

/** r += A c (A column-major, m rows). */
function addProduct(r: Float64Array, A: Float64Array, c: Float64Array): void {
  const m = r.length;
  c.forEach((ck, k) => {
    for (let i = 0; i < m; i++) r[i] += A[k * m + i] * ck;
  });
}

/** The solver options for the nonlinear parameters alone (a per-parameter `xScale` keeps their entries). */
function reducedOptions(options: SolverOptionsInput, nonlinear: readonly number[]): SolverOptionsInput {
  const xs = options.xScale;
  if (xs === undefined || typeof xs === 'string') return options;
  return { ...options, xScale: nonlinear.map((j) => xs[j]) };
}

/**
 * Minimises ‖r(x)‖² where the parameters at `linear` (indices into x) enter r linearly: those are solved
 * exactly at every step and need no start (their entries of x0 are ignored); the others start at x0.
 */
export function solveVarpro(
  problem: LeastSquaresProblem,
  linear: readonly number[],
  x0: Float64Array,
  options: SolverOptionsInput = {},
): VarproSummary {
  const isLinear = new Set(linear);
  const nonlinear = Array.from({ length: problem.n }, (_, j) => j).filter((j) => !isLinear.has(j));
  const projected = new Projected(problem, linear, nonlinear, x0);
  const theta0 = Float64Array.from(nonlinear, (j) => x0[j]);
  if (nonlinear.length === 0) {
    projected.settle(theta0);
    return {
      x: projected.x,
      iterations: 0,
      nfev: projected.evaluations,
      success: true,
      message: 'linear least squares',
    };
  }
  const s = solveLeastSquares(projected, theta0, reducedOptions(options, nonlinear));
  projected.settle(s.x);
  return {
    x: projected.x,
    iterations: s.iterations,
    nfev: projected.evaluations,
    success: s.success,
    message: s.message,
  };
}
