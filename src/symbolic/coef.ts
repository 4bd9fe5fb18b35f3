/**
 * Numeric coefficients for simplify: exact rationals `n/d` while numerator and denominator are safe
 * integers, plain doubles (`d = 1`) otherwise. Every operation returns `undefined` instead of a non-finite
 * result, so that simplify never folds a finite expression into Infinity or NaN.
 */

export interface Coef {
  readonly n: number;
  readonly d: number;
}

export const C0: Coef = { n: 0, d: 1 };
export const C1: Coef = { n: 1, d: 1 };
export const CM1: Coef = { n: -1, d: 1 };

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function isRational(c: Coef): boolean {
  return Number.isSafeInteger(c.n) && Number.isSafeInteger(c.d);
}

function fromFloat(v: number): Coef | undefined {
  if (!Number.isFinite(v)) return undefined;
  return v === 0 ? C0 : { n: v, d: 1 };
}

/** n/d reduced (d > 0); `undefined` when not finite. */
export function makeCoef(n: number, d: number): Coef | undefined {
  if (!Number.isFinite(n) || !Number.isFinite(d) || d === 0) return undefined;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  if (n === 0) return C0;
  if (d === 1) return { n, d: 1 };
  if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) {
    const g = gcd(n, d);
    return g === 1 ? { n, d } : { n: n / g, d: d / g };
  }
  return fromFloat(n / d);
}

export function coefValue(c: Coef): number {
  return c.d === 1 ? c.n : c.n / c.d;
}

export function coefFromNumber(v: number): Coef | undefined {
  return fromFloat(v);
}

export function coefNeg(c: Coef): Coef {
  return c.n === 0 ? C0 : { n: -c.n, d: c.d };
}

export function coefAbs(c: Coef): Coef {
  return c.n < 0 ? { n: -c.n, d: c.d } : c;
}

export function coefIsOne(c: Coef): boolean {
  return c.n === 1 && c.d === 1;
}

export function coefIsMinusOne(c: Coef): boolean {
  return c.n === -1 && c.d === 1;
}

export function coefMul(a: Coef, b: Coef): Coef | undefined {
  if (a.d === 1 && b.d === 1) return fromFloat(a.n * b.n);
  if (isRational(a) && isRational(b)) {
    const n = a.n * b.n;
    const d = a.d * b.d;
    if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) return makeCoef(n, d);
  }
  return fromFloat(coefValue(a) * coefValue(b));
}

export function coefInv(a: Coef): Coef | undefined {
  if (a.n === 0) return undefined;
  if (a.d === 1 && !Number.isSafeInteger(a.n)) return fromFloat(1 / a.n);
  return makeCoef(a.d, a.n);
}

export function coefAdd(a: Coef, b: Coef): Coef | undefined {
  if (a.d === 1 && b.d === 1) return fromFloat(a.n + b.n);
  if (isRational(a) && isRational(b)) {
    const n = a.n * b.d + b.n * a.d;
    const d = a.d * b.d;
    if (Number.isSafeInteger(a.n * b.d) && Number.isSafeInteger(b.n * a.d) && Number.isSafeInteger(n)) {
      if (Number.isSafeInteger(d)) return makeCoef(n, d);
    }
  }
  return fromFloat(coefValue(a) + coefValue(b));
}

/** c^k for an integer k (exact for rationals while safe); `undefined` when not finite. */
export function coefPowInt(c: Coef, k: number): Coef | undefined {
  if (k === 0) return C1;
  if (k < 0) {
    const inv = coefInv(c);
    return inv === undefined ? undefined : coefPowInt(inv, -k);
  }
  if (isRational(c)) {
    const n = Math.pow(c.n, k);
    const d = Math.pow(c.d, k);
    if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) return makeCoef(n, d);
  }
  return fromFloat(Math.pow(coefValue(c), k));
}
