/**
 * Small constructors for writing derivative rules. They skip the obvious zeros and ones so that raw
 * derivatives stay small (simplify does the real work afterwards). Constants are always numbers, never the
 * names `pi` or `e` (a model may use those names for its own parameters).
 */
import { add, call, constant, constantValue, div, type Expr, mul, neg, pow, sub } from '../ast/index.ts';

export const ZERO: Expr = constant(0);
export const ONE: Expr = constant(1);

export function isZero(e: Expr): boolean {
  return constantValue(e) === 0;
}

export function isOne(e: Expr): boolean {
  return constantValue(e) === 1;
}

/** A numeric constant in canonical form (`neg(num(2))` for -2). */
export function n(value: number): Expr {
  return constant(value);
}

/** Product of the factors, skipping ones; zero when any factor is the constant 0. */
export function times(...factors: Expr[]): Expr {
  const kept: Expr[] = [];
  for (const f of factors) {
    const v = constantValue(f);
    if (v === 0) return ZERO;
    if (v === 1) continue;
    kept.push(f);
  }
  if (kept.length === 0) return ONE;
  let acc = kept[0];
  for (let i = 1; i < kept.length; i++) acc = mul(acc, kept[i]);
  return acc;
}

export function plus(...terms: Expr[]): Expr {
  const kept = terms.filter((t) => !isZero(t));
  if (kept.length === 0) return ZERO;
  let acc = kept[0];
  for (let i = 1; i < kept.length; i++) acc = add(acc, kept[i]);
  return acc;
}

export function minus(a: Expr, b: Expr): Expr {
  if (isZero(b)) return a;
  if (isZero(a)) return neg(b);
  return sub(a, b);
}

export function negate(a: Expr): Expr {
  if (isZero(a)) return ZERO;
  return neg(a);
}

export function over(a: Expr, b: Expr): Expr {
  if (isZero(a)) return ZERO;
  if (isOne(b)) return a;
  return div(a, b);
}

export function power(base: Expr, exponent: Expr | number): Expr {
  return pow(base, typeof exponent === 'number' ? constant(exponent) : exponent);
}

export function square(x: Expr): Expr {
  return pow(x, constant(2));
}

export function fn(name: string, ...args: Expr[]): Expr {
  return call(name, args);
}

/** Chain rule for a one-argument function: `outer'(u) * du` (zero when `du` is zero). */
export function chain(du: Expr, outerDerivative: () => Expr): Expr {
  if (isZero(du)) return ZERO;
  return times(outerDerivative(), du);
}
