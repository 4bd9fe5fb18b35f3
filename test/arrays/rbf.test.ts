import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { rbfkernel } from '../../src/arrays/index.ts';
import { expectClose, fixture } from './helpers.ts';

const f = fixture('rbf.json');

interface RCase {
  X: number[];
  n: number;
  d: number;
  Y: number[] | null;
  m?: number;
  sigma: number;
  expected: number[];
}

describe('rbfkernel against exp(-cdist(X, Y, sqeuclidean) / (2 sigma^2))', () => {
  it.each((f.cases as RCase[]).map((c) => [c.n, c.d, c.Y ? 'X, Y' : 'X, X', c.sigma, c] as const))(
    'n %d d %d (%s) sigma %d',
    (n, d, _l, sigma, c) => {
      const X = new NdArray(Float64Array.from(c.X), [n, d]);
      const Y = c.Y ? new NdArray(Float64Array.from(c.Y), [c.m!, d]) : undefined;
      const K = rbfkernel(X, Y, sigma);
      expect(K.shape).toEqual([n, c.Y ? c.m : n]);
      expectClose(K.data, c.expected, 1e-10);
    },
  );

  it('symmetric case: exact symmetry and unit diagonal across block edges', () => {
    const n = 150;
    const d = 5;
    const X = new NdArray(
      new Float64Array(n * d).map((_, i) => Math.sin(i * 1.7) * 3),
      [n, d],
    );
    const K = rbfkernel(X, null, 2);
    const K2 = rbfkernel(X, X, 2);
    for (let i = 0; i < n; i++) {
      expect(K.data[i * n + i]).toBe(1);
      for (let j = 0; j < n; j++) expect(K.data[i * n + j]).toBe(K.data[j * n + i]);
    }
    // against the direct formula
    const ref = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (X.data[i * d + k] - X.data[j * d + k]) ** 2;
        ref[i * n + j] = Math.exp(-s / 8);
      }
    }
    expectClose(K.data, ref, 1e-12);
    expectClose(K2.data, ref, 1e-12);
  });

  it('1-D input is n points in one dimension; nested arrays work', () => {
    const K = rbfkernel(new NdArray(Float64Array.of(0, 1, 3)), undefined, 1);
    expect(K.shape).toEqual([3, 3]);
    expectClose([K.data[1], K.data[2]], [Math.exp(-0.5), Math.exp(-4.5)], 1e-15, 'rel');
    expect(rbfkernel([[0, 0]], [[3, 4]], 5).data[0]).toBeCloseTo(Math.exp(-0.5), 15);
  });

  it.each([
    [() => rbfkernel([[0, 0]], [[0, 0, 0]], 1), 'shape', /X \[1, 2\] and Y \[1, 3\]/],
    [() => rbfkernel([[0, 0]], null, 0), 'value', /rbfkernel sigma must be > 0, got 0/],
    [() => rbfkernel([[0, 0]], null, -1), 'value', /rbfkernel sigma must be > 0, got -1/],
    [() => rbfkernel([[0, 0]], null, NaN), 'value', /rbfkernel sigma must be a finite number, got NaN/],
    [() => rbfkernel([[0, 0]], null, Infinity), 'value', /rbfkernel sigma must be a finite number/],
    // a NaN point used to get a forced 1 on the diagonal and NaN elsewhere; Inf gave NaN
    [
      () =>
        rbfkernel(
          [
            [0, 1],
            [NaN, 2],
          ],
          null,
          1,
        ),
      'value',
      /^rbfkernel X\[1, 0\] is NaN: every coordinate of the points must be finite/,
    ],
    [() => rbfkernel(NdArray.from([0, 1, Infinity]), null, 1), 'value', /^rbfkernel X\[2\] is Infinity/],
    [() => rbfkernel([[0], [1]], [[0], [-Infinity]], 1), 'value', /^rbfkernel Y\[1, 0\] is -Infinity/],
    [
      () => rbfkernel(NdArray.from(new Float64Array(20000)), null, 1),
      'value',
      /^rbfkernel: shape \[20000, 20000\] has 400000000 values, more than the limit/,
    ],
    [
      () => rbfkernel(new NdArray(new Float64Array(8), [2, 2, 2]), null, 1),
      'shape',
      /2-D array \[n, d\], got shape \[2, 2, 2\]/,
    ],
  ])('errors %#', (fn, code, text) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).code).toBe(code);
    expect((err as ExprfitError).message).toMatch(text);
  });
});

describe('fastExp (the inlined exp of the generated kernels)', () => {
  it('is within 1e-15 relative of Math.exp on [-745, 709], exact at 0, limits at the ends', async () => {
    const { fastExp } = await import('../../src/arrays/fastexp.ts');
    let worst = 0;
    for (let i = 0; i <= 200_000; i++) {
      const x = -745 + (i * 1454) / 200_000;
      const e = Math.exp(x);
      if (e === 0 || !Number.isFinite(e)) continue;
      worst = Math.max(worst, Math.abs(fastExp(x) - e) / e);
    }
    expect(worst).toBeLessThan(1e-15);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-800)).toBe(0);
    expect(fastExp(800)).toBe(Infinity);
    expect(fastExp(NaN)).toBeNaN();
  });
});
