/**
 * Normal-distribution helpers for the array tools, on top of the builtins' error functions
 * (`R.erf` / `R.erfc` in src/functions/runtime.ts: W. J. Cody's rational approximations, ~1e-16 relative).
 */
import { R } from '../functions/index.ts';

/** The error function (re-exported from the builtins' runtime). */
export const erf: (x: number) => number = R.erf;
/** The complementary error function 1 - erf(x), accurate in the upper tail. */
export const erfc: (x: number) => number = R.erfc;

const SQRT1_2 = Math.SQRT1_2;

/** Standard normal CDF Φ(t). */
export function normCdf(t: number): number {
  return 0.5 * erfc(-t * SQRT1_2);
}

/**
 * P(a < Z < b) for a standard normal Z and a <= b, without cancellation: tails use differences of erfc
 * (both small, relative accuracy kept), intervals across 0 add two erf values of the same sign.
 */
export function normMass(a: number, b: number): number {
  if (a >= 0) return upperMass(a, b);
  if (b <= 0) return upperMass(-b, -a);
  return 0.5 * (erf(b * SQRT1_2) + erf(-a * SQRT1_2));
}

/** P(a < Z < b) for 0 <= a <= b. */
function upperMass(a: number, b: number): number {
  const sa = a * SQRT1_2;
  const sb = b * SQRT1_2;
  if (sa < 0.5) return 0.5 * (erf(sb) - erf(sa));
  return 0.5 * (erfc(sa) - erfc(sb));
}
