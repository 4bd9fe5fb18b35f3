/**
 * Constraints of a fit (`constraints: ['a + b <= 1', 'y >= 0']`, `.fit`: `constrain a + b <= 1`): parsed,
 * checked against the model's names, compiled to kernels with exact Jacobians, and the standard errors of the
 * constrained problem (the covariance projected onto the tangent space of the active constraints).
 *
 * A constraint `left OP right` (`OP` one of `<=`, `>=`, `==`, or `=`) becomes `c = right − left >= 0`,
 * `c = left − right >= 0` or `c = left − right = 0`. Names are parameters (tied ones are replaced by their
 * expression), constants, or a model line's output (`y`): then the constraint holds at every data point of
 * the model's variables (symfit's `Ge(y, 0)`), one row per point.
 */
import { type Expr, printExpr, sub } from '../ast/index.ts';
import { compileModelCached } from '../compile/index.ts';
import { ExprfitError } from '../core/index.ts';
import type { NdArray } from '../data/index.ts';
import {
  type ConstraintFunctions,
  covarianceFromInformation,
  covarianceFromJacobian,
  type CovarianceResult,
  jacobiSVD,
} from '../solver/index.ts';
import { differentiate, freeSymbols, substitute } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';

/** One constraint as parsed: `expr = 0` (equality) or `expr >= 0`. */
export interface ParsedConstraint {
  readonly text: string;
  readonly expr: Expr;
  readonly equality: boolean;
}

/** One constraint ready to evaluate: its kernel over the parameters (and the data of model outputs). */
type Bound = ReturnType<ReturnType<typeof compileModelCached>['bind']>;

export interface PreparedConstraint extends ParsedConstraint {
  readonly kernel: Bound;
  /** Per free parameter p_j, the kernel of ∂c/∂p_j: its Jacobian rows are those of the Hessian of c. */
  readonly curvature: readonly Bound[];
  /** Rows: 1 for a constraint on parameters, the number of data points for one on a model output. */
  readonly size: number;
}

/** What a constraint reports after the fit. */
export interface ConstraintResult {
  readonly text: string;
  readonly equality: boolean;
  /** `c` at the solution (the smallest over the points for a constraint on a model output). */
  readonly value: number;
  /** Equalities always; inequalities when `c <= activeTol` at some point. */
  readonly active: boolean;
  /** Lagrange multiplier ν (`∇(χ²/2) = Σ ν ∇c`), summed over the points of a model-output constraint. */
  readonly multiplier: number;
}

const COMPARISONS: Readonly<Record<string, 'le' | 'ge' | 'eq'>> = { '<=': 'le', '>=': 'ge', '==': 'eq' };

/** `a + b = 1` (one `=`) as `a + b == 1`, so the expression parser reads it. */
function normalizedText(text: string): string {
  return text.replace(/(^|[^<>=!])=(?!=)/g, '$1==');
}

function constraintError(text: string, problem: string): ExprfitError {
  return new ExprfitError('value', `constraint '${text}': ${problem}`, {
    hints: ["write it as 'left <= right', 'left >= right' or 'left = right', e.g. 'a + b <= 1'"],
  });
}

/** Parses one constraint's text (an `ExprfitError` naming it, with the position, for bad syntax). */
export function parseConstraint(text: unknown, index: number): ParsedConstraint {
  if (typeof text !== 'string' || !text.trim()) {
    throw new ExprfitError(
      'value',
      `constraint ${index + 1} must be a non-empty string such as 'a + b <= 1', got ${String(text)}`,
    );
  }
  let e: Expr;
  try {
    e = parseExpr(normalizedText(text));
  } catch (err) {
    if (!(err instanceof ExprfitError)) throw err;
    // without the span: it points into the normalized text, not the one the caller wrote
    throw new ExprfitError(err.code, `constraint '${text}': ${err.message}`, {
      hints: err.hints,
      detail: err.detail,
    });
  }
  return constraintOf(e, text);
}

/** A parsed comparison as a constraint (the `.fit` statement parses it with the script). */
export function constraintOf(e: Expr, text: string = printExpr(e)): ParsedConstraint {
  const kind = e.kind === 'binary' ? COMPARISONS[e.op] : undefined;
  if (e.kind !== 'binary' || kind === undefined) {
    const strict = e.kind === 'binary' && (e.op === '<' || e.op === '>');
    throw constraintError(
      text,
      strict ? `use '${e.op}=' (a strict inequality cannot be held at a boundary)` : 'it is not a comparison',
    );
  }
  if (kind === 'le') return { text, expr: sub(e.right, e.left), equality: false };
  return { text, expr: sub(e.left, e.right), equality: kind === 'eq' };
}

/** What preparing the constraints needs of the fit being prepared. */
export interface ConstraintContext {
  readonly params: ReadonlySet<string>;
  readonly ties: ReadonlyMap<string, Expr>;
  /** Each model line's output: its tie-substituted right-hand side. */
  readonly outputs: ReadonlyMap<string, Expr>;
  readonly arrays: ReadonlyMap<string, NdArray>;
  readonly isConstant: (name: string) => boolean;
}

/** The constraint's expression in parameters, constants and data variables (outputs and ties replaced). */
function expandedExpr(c: ParsedConstraint, ctx: ConstraintContext): Expr {
  const map = new Map<string, Expr>();
  for (const s of freeSymbols(c.expr)) {
    const replacement = ctx.outputs.get(s) ?? ctx.ties.get(s);
    if (replacement) map.set(s, replacement);
    else if (!ctx.params.has(s) && !ctx.isConstant(s)) throw unknownName(c, s, ctx);
  }
  return map.size ? substitute(c.expr, map) : c.expr;
}

function unknownName(c: ParsedConstraint, name: string, ctx: ConstraintContext): ExprfitError {
  const known = [...ctx.params, ...ctx.outputs.keys()].join(', ');
  const what = ctx.arrays.has(name)
    ? 'a data variable (constrain a model output such as y >= 0 instead)'
    : 'not a parameter or a model output';
  return new ExprfitError('unknown-name', `constraint '${c.text}': '${name}' is ${what} (known: ${known})`);
}

/** The names of parameters a constraint uses (after replacing outputs and ties). */
export function constraintParams(c: ParsedConstraint, ctx: ConstraintContext): string[] {
  return [...freeSymbols(expandedExpr(c, ctx))].filter((s) => ctx.params.has(s));
}

/** Compiles and binds each constraint over the free parameters (held ones as fixed values). */
export function prepareConstraints(
  parsed: readonly ParsedConstraint[],
  ctx: ConstraintContext,
  free: readonly string[],
  held: readonly string[],
): PreparedConstraint[] {
  return parsed.map((c) => {
    const expr = expandedExpr(c, ctx);
    const variables = [...freeSymbols(expr)].filter((s) => ctx.arrays.has(s));
    const data = Object.fromEntries(variables.map((v) => [v, finiteData(c, v, ctx.arrays.get(v)!)]));
    const compile = (e: Expr): Bound =>
      compileModelCached(e, { params: [...free], fixed: [...held], variables }).bind(data);
    const kernel = compile(expr);
    return { ...c, kernel, size: kernel.size, curvature: free.map((p) => compile(differentiate(expr, p))) };
  });
}

/** The data of a model-output constraint: every point counts, so a NaN or infinity is an error naming it. */
function finiteData(c: ParsedConstraint, name: string, a: NdArray): NdArray {
  const k = a.data.findIndex((v) => !Number.isFinite(v));
  if (k < 0) return a;
  throw new ExprfitError(
    'value',
    `constraint '${c.text}': data '${name}' has ${a.data[k]} at index ${k} (a constraint on a model output holds at every point)`,
  );
}

/** Tied parameters with bounds: `tie >= min`, `tie <= max` (the tie's value then stays in its box). */
export function tieBoundConstraints(
  specs: Iterable<{ name: string; min: number; max: number; expr?: string }>,
): ParsedConstraint[] {
  const out: ParsedConstraint[] = [];
  for (const p of specs) {
    if (p.expr === undefined) continue;
    if (p.min > -Infinity) out.push(parseConstraint(`${p.name} >= ${p.min}`, out.length));
    if (p.max < Infinity) out.push(parseConstraint(`${p.name} <= ${p.max}`, out.length));
  }
  return out;
}

/** The constraints as the solver sees them: every row of every constraint. */
export function constraintFunctions(
  cons: readonly PreparedConstraint[],
  n: number,
  heldValues: Float64Array,
): ConstraintFunctions {
  const count = cons.reduce((s, c) => s + c.size, 0);
  const equality = cons.flatMap((c) => Array<boolean>(c.size).fill(c.equality));
  return {
    count,
    equality,
    evaluate(x, c, C) {
      let row = 0;
      for (const k of cons) {
        const out = c.subarray(row, row + k.size);
        if (C) k.kernel.valuesAndJacobian(x, heldValues, out, C.subarray(row * n, (row + k.size) * n));
        else k.kernel.values(x, heldValues, out);
        row += k.size;
      }
    },
  };
}

/** Per constraint: its value (smallest row), whether active, its multiplier (summed over rows). */
export function constraintResults(
  cons: readonly PreparedConstraint[],
  values: Float64Array,
  multipliers: Float64Array,
  active: readonly boolean[],
): ConstraintResult[] {
  let row = 0;
  return cons.map((c) => {
    const rows = Array.from({ length: c.size }, (_, i) => row + i);
    row += c.size;
    const value = c.equality
      ? rows.reduce((m, i) => (Math.abs(values[i]) > Math.abs(m) ? values[i] : m), 0)
      : Math.min(...rows.map((i) => values[i]));
    return {
      text: c.text,
      equality: c.equality,
      value,
      active: rows.some((i) => active[i]),
      multiplier: rows.reduce((s, i) => s + multipliers[i], 0),
    };
  });
}

/** `Σ_rows ν_row ∇²c_row` at `x` (row-major `n x n`): the constraints' part of the Lagrangian's Hessian. */
export function constraintCurvature(
  cons: readonly PreparedConstraint[],
  x: Float64Array,
  held: Float64Array,
  multipliers: Float64Array,
): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  let row = 0;
  for (const c of cons) {
    const out = new Float64Array(c.size);
    const jac = new Float64Array(c.size * n);
    c.curvature.forEach((k, j) => {
      k.valuesAndJacobian(x, held, out, jac);
      for (let i = 0; i < c.size; i++)
        for (let q = 0; q < n; q++) H[j * n + q] += multipliers[row + i] * jac[i * n + q];
    });
    row += c.size;
  }
  return H;
}

/**
 * Covariance of the constrained problem: with `A` the Jacobian of the active constraints (rows), `Z` an
 * orthonormal basis of its null space and `curvature = Σ ν ∇²c`, `C = Z·(Zᵀ(JᵀJ − curvature)Z)⁺·Zᵀ·scale`:
 * the parameters move only along the active constraints, whose curvature counts. Without curvature (linear
 * constraints) it is computed as the covariance of the reduced Jacobian `JZ` (no normal equations). Parameters
 * on a bound are excluded as in the unconstrained case (NaN).
 */
export function projectedCovariance(
  J: Float64Array,
  m: number,
  n: number,
  activeRows: Float64Array,
  k: number,
  options: { exclude: readonly boolean[]; scale: number; curvature?: Float64Array },
): CovarianceResult {
  const keep = Array.from({ length: n }, (_, j) => j).filter((j) => !options.exclude[j]);
  const Z = nullSpace(activeRows, k, n, keep);
  const q = Z.length / Math.max(keep.length, 1);
  if (options.curvature?.some((v) => v !== 0)) {
    const reduced = reducedLagrangianHessian(J, m, n, options.curvature, Z, q, keep);
    return expandCovariance(covarianceFromInformation(reduced, q, { scale: options.scale }), Z, q, keep, n);
  }
  const JZ = new Float64Array(m * q);
  for (let i = 0; i < m; i++)
    for (let a = 0; a < q; a++) {
      let s = 0;
      for (let b = 0; b < keep.length; b++) s += J[i * n + keep[b]] * Z[b * q + a];
      JZ[i * q + a] = s;
    }
  const reduced = covarianceFromJacobian(JZ, m, q, { scale: options.scale });
  return expandCovariance(reduced, Z, q, keep, n);
}

/** `Zᵀ(JᵀJ − Σν∇²c)Z` (`q x q`): the Gauss–Newton Hessian of the Lagrangian on the tangent space. */
function reducedLagrangianHessian(
  J: Float64Array,
  m: number,
  n: number,
  curvature: Float64Array,
  Z: Float64Array,
  q: number,
  keep: readonly number[],
): Float64Array {
  const p = keep.length;
  const H = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let s = -curvature[keep[a] * n + keep[b]];
      for (let i = 0; i < m; i++) s += J[i * n + keep[a]] * J[i * n + keep[b]];
      H[a * p + b] = s;
    }
  const R = new Float64Array(q * q);
  for (let u = 0; u < q; u++)
    for (let w = 0; w < q; w++) {
      let s = 0;
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) s += Z[a * q + u] * H[a * p + b] * Z[b * q + w];
      R[u * q + w] = s;
    }
  return R;
}

/** The rank of `k` constraint rows (row-major `k x n`). */
export function constraintRank(A: Float64Array, k: number, n: number): number {
  const all = Array.from({ length: n }, (_, j) => j);
  return n - nullSpace(A, k, n, all).length / Math.max(n, 1);
}

/** Orthonormal basis (columns, `keep.length x q` row-major) of the null space of the active rows on `keep`. */
function nullSpace(A: Float64Array, k: number, n: number, keep: readonly number[]): Float64Array {
  const p = keep.length;
  const AtA = new Float64Array(p * p);
  for (let i = 0; i < k; i++)
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) AtA[a * p + b] += A[i * n + keep[a]] * A[i * n + keep[b]];
  const s = new Float64Array(p);
  const v = new Float64Array(p * p);
  jacobiSVD(AtA, p, s, v, new Int32Array(p), new Float64Array(p * p));
  const tol = (s[0] ?? 0) * 1e-12;
  const cols = Array.from({ length: p }, (_, j) => j).filter((j) => s[j] <= tol);
  const Z = new Float64Array(p * cols.length);
  for (let a = 0; a < p; a++) cols.forEach((c, q) => (Z[a * cols.length + q] = v[a * p + c]));
  return Z;
}

/** `Z·C_r·Zᵀ` into the full `n x n` layout (NaN for excluded parameters). */
function expandCovariance(
  reduced: CovarianceResult,
  Z: Float64Array,
  q: number,
  keep: readonly number[],
  n: number,
): CovarianceResult {
  const cov = new Float64Array(n * n).fill(NaN);
  const Cr = reduced.covariance;
  for (let a = 0; a < keep.length; a++)
    for (let b = 0; b < keep.length; b++) {
      let s = 0;
      for (let u = 0; u < q; u++)
        for (let w = 0; w < q; w++) s += Z[a * q + u] * Cr[u * q + w] * Z[b * q + w];
      cov[keep[a] * n + keep[b]] = s;
    }
  const stderr = Float64Array.from({ length: n }, (_, j) => Math.sqrt(cov[j * n + j]));
  const identifiable = Array.from({ length: n }, (_, j) => keep.includes(j) && reduced.rank === q);
  return { ...reduced, covariance: cov, stderr, included: keep.length, identifiable };
}
