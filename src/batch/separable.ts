/**
 * Symbolic separability: `exp(a(x) + b(y))` → `exp(a(x)) * exp(b(y))` when, on the loop nest of a fit, the
 * terms of the exponent vary along different loop levels (on an image grid: x along columns, y along rows).
 * The derivatives are then taken of the factored form, so the value and every partial derivative share the
 * two 1-D factors: the planner computes `exp(b(y))` once per row and tabulates `exp(a(x))` once per column
 * (issue 5 measured 3.1x for the Gaussian on a grid).
 *
 * The compiler's planner (src/compile/plan.ts) can factor such an `exp` itself, but it guards the product
 * against leaving the normal range with a per-point branch that costs a fused accumulation loop 2.3x in V8;
 * factoring before compilation needs no guard. The price: where the factors overflow or underflow separately
 * (|a|, |b| > 708 with opposite signs) the product is `Infinity * 0 = NaN` or 0 instead of the exact value —
 * a step into such a region is rejected by the solver (χ² not finite). Models whose exponent terms have one
 * sign (Gaussians) are exact to a few ulps.
 */
import { binary, call, type Expr, num, unary } from '../ast/index.ts';
import { mapChildren } from '../symbolic/index.ts';

/**
 * Factors every separable `exp` of `expr`. `maskOf(name)` is the bit mask of loop levels along which the name
 * varies (0 for parameters and constants).
 */
export function factorSeparableExp(expr: Expr, maskOf: (name: string) => number): Expr {
  const maskMemo = new Map<Expr, number>();
  const mask = (e: Expr): number => {
    const hit = maskMemo.get(e);
    if (hit !== undefined) return hit;
    let m = 0;
    if (e.kind === 'sym') m = maskOf(e.name);
    else mapChildren(e, (c) => ((m |= mask(c)), c));
    maskMemo.set(e, m);
    return m;
  };
  const visit = (e: Expr): Expr => {
    const inner = mapChildren(e, visit);
    if (inner.kind !== 'call' || inner.fn !== 'exp' || inner.args.length !== 1) return inner;
    const split = splitSum(inner.args[0], mask);
    return split ?? inner;
  };
  return visit(expr);
}

interface Term {
  readonly e: Expr;
  readonly neg: boolean;
  /** Invariant factors (mask 0) applied to the term: multiplications and divisions, outermost first. */
  readonly scale: readonly { readonly by: Expr; readonly div: boolean }[];
}

function splitSum(arg: Expr, mask: (e: Expr) => number): Expr | undefined {
  const union = mask(arg);
  if (union === 0) return undefined;
  const terms: Term[] = [];
  const walk = (x: Expr, neg: boolean, scale: Term['scale']): void => {
    if (x.kind === 'binary' && (x.op === '+' || x.op === '-')) {
      walk(x.left, neg, scale);
      walk(x.right, x.op === '-' ? !neg : neg, scale);
      return;
    }
    if (x.kind === 'unary' && x.op === '-') {
      walk(x.arg, !neg, scale);
      return;
    }
    if (x.kind === 'binary' && x.op === '*' && mask(x.left) === 0 && mask(x.right) !== 0) {
      walk(x.right, neg, [...scale, { by: x.left, div: false }]);
      return;
    }
    if (x.kind === 'binary' && (x.op === '*' || x.op === '/') && mask(x.right) === 0 && mask(x.left) !== 0) {
      walk(x.left, neg, [...scale, { by: x.right, div: x.op === '/' }]);
      return;
    }
    terms.push({ e: x, neg, scale });
  };
  walk(arg, false, []);
  if (terms.length < 2) return undefined;
  const masks = [...new Set(terms.map((t) => mask(t.e)))].sort((a, b) => popcount(b) - popcount(a));
  const groups: number[] = [];
  for (const m of masks) if (m !== 0 && !groups.some((g) => (g & m) === m)) groups.push(m);
  if (groups.length < 2) return undefined;
  const buckets: Expr[][] = groups.map(() => []);
  for (const t of terms) {
    const m = mask(t.e);
    const g = m === 0 ? 0 : groups.findIndex((gm) => (gm & m) === m);
    let e: Expr = t.neg ? unary('-', t.e) : t.e;
    // Re-apply the scale factors, innermost first.
    for (let k = t.scale.length - 1; k >= 0; k--) {
      const s = t.scale[k];
      e = s.div ? binary('/', e, s.by) : binary('*', s.by, e);
    }
    buckets[g].push(e);
  }
  const factors = buckets.map((b) =>
    call('exp', [b.slice(1).reduce<Expr>((acc, x) => binary('+', acc, x), b[0] ?? num(0))]),
  );
  return factors.slice(1).reduce<Expr>((acc, f) => binary('*', acc, f), factors[0]);
}

function popcount(m: number): number {
  let c = 0;
  for (; m; m &= m - 1) c++;
  return c;
}
