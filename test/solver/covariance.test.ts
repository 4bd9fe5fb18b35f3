import { describe, expect, it } from 'vitest';
import {
  correlationFromCovariance,
  covarianceFromInformation,
  covarianceFromJacobian,
} from '../../src/solver/covariance.ts';

/** (JᵀJ)⁻¹ for 2 columns in closed form. */
function inv2(J: number[][]): number[] {
  let a = 0;
  let b = 0;
  let d = 0;
  for (const [u, v] of J) {
    a += u * u;
    b += u * v;
    d += v * v;
  }
  const det = a * d - b * b;
  return [d / det, -b / det, -b / det, a / det];
}

describe('covarianceFromJacobian', () => {
  const rows = [
    [1, 0.5],
    [2, 0.3],
    [3, -0.2],
    [4, 0.9],
    [5, 1.4],
  ];
  const J = Float64Array.from(rows.flat());

  it('equals (JᵀJ)⁻¹ for a full-rank Jacobian, times the scale', () => {
    const c = covarianceFromJacobian(J, 5, 2, { scale: 3 });
    const ref = inv2(rows);
    for (let i = 0; i < 4; i++) expect(c.covariance[i]).toBeCloseTo(3 * ref[i], 13);
    expect(c.rank).toBe(2);
    expect(c.stderr[1]).toBeCloseTo(Math.sqrt(3 * ref[3]), 13);
    expect(c.identifiable).toEqual([true, true]);
    expect(c.conditionNumber).toBeGreaterThan(1);
  });

  it('is invariant to the units of a parameter (column scaling)', () => {
    const scaled = Float64Array.from(rows.flatMap(([u, v]) => [u * 1e6, v]));
    const a = covarianceFromJacobian(J, 5, 2);
    const b = covarianceFromJacobian(scaled, 5, 2);
    expect(b.covariance[0] * 1e12).toBeCloseTo(a.covariance[0], 12);
    expect(b.rank).toBe(2);
  });

  it('excludes parameters (e.g. on a bound): NaN rows, the rest from the reduced Jacobian', () => {
    const c = covarianceFromJacobian(J, 5, 2, { exclude: [true, false] });
    expect(c.covariance[0]).toBeNaN();
    expect(c.covariance[1]).toBeNaN();
    expect(c.stderr[0]).toBeNaN();
    const d = rows.reduce((s, [, v]) => s + v * v, 0);
    expect(c.covariance[3]).toBeCloseTo(1 / d, 14);
    expect(c.included).toBe(1);
    expect(c.identifiable).toEqual([false, true]);
  });

  it('uses the pseudo-inverse when rank deficient (duplicate column) and reports the rank', () => {
    const dup = Float64Array.from(rows.flatMap(([u, v]) => [u, u, v]));
    const c = covarianceFromJacobian(dup, 5, 3);
    expect(c.rank).toBe(2);
    expect(c.identifiable).toEqual([false, false, true]);
    const ref = inv2(rows);
    // var(a + b) equals var of the merged parameter; the split is the minimum-norm one (a = b)
    const varSum = c.covariance[0] + c.covariance[4] + 2 * c.covariance[1];
    expect(varSum).toBeCloseTo(ref[0], 12);
    expect(c.covariance[0]).toBeCloseTo(ref[0] / 4, 12);
    expect(c.covariance[8]).toBeCloseTo(ref[3], 12);
    expect(c.cutoff).toBeGreaterThan(0);
  });

  it('all parameters excluded: rank 0, all NaN', () => {
    const c = covarianceFromJacobian(J, 5, 2, { exclude: [true, true] });
    expect(c.rank).toBe(0);
    expect(Array.from(c.stderr).every(Number.isNaN)).toBe(true);
  });

  it('correlation matrix', () => {
    const c = covarianceFromJacobian(J, 5, 2);
    const r = correlationFromCovariance(c.covariance, 2);
    expect(r[0]).toBeCloseTo(1, 14);
    expect(r[1]).toBeCloseTo(c.covariance[1] / (c.stderr[0] * c.stderr[1]), 14);
  });
});

describe('covarianceFromInformation', () => {
  it('inverts a positive definite information matrix', () => {
    const H = Float64Array.from([4, 1, 1, 3]);
    const c = covarianceFromInformation(H, 2);
    const det = 11;
    expect(c.covariance[0]).toBeCloseTo(3 / det, 14);
    expect(c.covariance[1]).toBeCloseTo(-1 / det, 14);
    expect(c.rank).toBe(2);
  });

  it('treats negative curvature as undetermined (not a minimum in that direction)', () => {
    const H = Float64Array.from([2, 0, 0, -1]);
    const c = covarianceFromInformation(H, 2);
    expect(c.rank).toBe(1);
    expect(c.identifiable).toEqual([true, false]);
    expect(c.covariance[0]).toBeCloseTo(0.5, 14);
  });
});
