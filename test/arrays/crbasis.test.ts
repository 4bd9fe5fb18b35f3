import { describe, expect, it } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import { crBasis, makeCrBasis, smoothingSpline } from '../../src/arrays/index.ts';
import type { CrBasisOptions } from '../../src/arrays/index.ts';
import { expectClose, fixture } from './helpers.ts';

const f = fixture('crbasis.json');

interface CrCase {
  formula: string;
  opts: CrBasisOptions;
  shape: number[];
  expected: number[];
  expectedNew: number[];
}

describe("crBasis against patsy's cr()", () => {
  it.each((f.cases as CrCase[]).map((c) => [c.formula, c] as const))('%s', (_f, c) => {
    const b = makeCrBasis(f.x, c.opts);
    const m = b.transform(f.x);
    expect(m.shape).toEqual(c.shape);
    expectClose(m.data, c.expected, 1e-12);
    const nw = b.transform(f.xnew);
    expect(nw.shape).toEqual([f.xnew.length, c.shape[1]]);
    expectClose(nw.data, c.expectedNew, 1e-12);
    expectClose(crBasis(f.x, c.opts).data, c.expected, 1e-12);
  });
});

describe('crBasis defining properties', () => {
  const x = Array.from(
    { length: 50 },
    (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453),
  ).map((v) => v * 8 - 3);
  const b = makeCrBasis(x, { df: 6 });
  const k = b.knots;

  it('cardinal: column j is 1 at knot j, 0 at the others', () => {
    const m = b.transform(k);
    for (let i = 0; i < k.length; i++)
      for (let j = 0; j < k.length; j++) expect(m.get(i, j)).toBeCloseTo(i === j ? 1 : 0, 13);
  });

  it('partition of unity and reproduction of linear functions (also outside the knots)', () => {
    const t = [-5, -3, -1.2, 0, 0.7, 2.9, 4.9, 7];
    const m = b.transform(t);
    for (let p = 0; p < t.length; p++) {
      let s = 0;
      let lin = 0;
      for (let j = 0; j < k.length; j++) {
        s += m.get(p, j);
        lin += m.get(p, j) * (2 - 3 * k[j]);
      }
      expect(s).toBeCloseTo(1, 12);
      expect(lin).toBeCloseTo(2 - 3 * t[p], 11);
    }
  });

  it('natural: any combination is the natural interpolating spline of its knot values', () => {
    const coef = [0.3, -1, 2, 0.5, 1.5, -0.7];
    const t = Array.from({ length: 41 }, (_, i) => k[0] - 1 + (i * (k[5] - k[0] + 2)) / 40);
    const m = b.transform(t);
    const fit = t.map((_, p) => coef.reduce((s, c, j) => s + c * m.get(p, j), 0));
    // the lam = 0 smoothing spline through (knots, coef) is the natural interpolating cubic spline
    const nat = smoothingSpline(k, coef, { lam: 0 }).evaluate(t);
    expectClose(fit, nat, 1e-10);
  });

  it('centering: columns have mean zero over the training x', () => {
    const c = crBasis(x, { df: 5, constraints: 'center' });
    expect(c.shape).toEqual([50, 5]);
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let p = 0; p < 50; p++) s += c.get(p, j);
      expect(Math.abs(s / 50)).toBeLessThan(1e-14);
    }
  });

  it.each([
    [() => crBasis(x, {}), 'option', /needs 'df' or 'knots'/],
    [() => crBasis(x, { df: 1 }), 'value', /df must be an integer >= 2, got 1/],
    [() => crBasis(x, { df: 5, knots: [0, 1] }), 'value', /needs 3 interior knots but 2 were given/],
    [() => crBasis(x, { knots: [100] }), 'value', /knot 100 is outside the bounds/],
    [() => crBasis([1, 1, 1, 1], { df: 3 }), 'value', /cannot place 1 interior knots/],
    [() => crBasis([1, 2, NaN], { df: 3 }), 'value', /x\[2\] is NaN/],
    [() => crBasis(x, { knots: [2, NaN] }), 'value', /crBasis knots\[1\] is NaN: knots must be finite/],
    [
      () => crBasis(x, { df: 4, lowerBound: -Infinity }),
      'option',
      /crBasis option 'lowerBound' must be a finite number, got -Infinity/,
    ],
    [
      () => crBasis(x, { df: 4, constraint: 'center' } as never),
      'option',
      /unknown crBasis option 'constraint'/,
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

describe('crBasis sizes (issue 10: checked before allocation)', () => {
  const x = Array.from({ length: 10 }, (_, i) => i / 9);
  it.each([1e6, 1e15])('df = %d is an error naming the knots and the limit', (df) => {
    expect(() => crBasis(x, { df })).toThrow(ExprfitError);
    expect(() => crBasis(x, { df })).toThrow(/knots .*more than the limit of 268435456/);
  });
});
