/** Model comparison against scipy.stats and numpy least squares (test/fixtures/compare-scipy.json, written by
 * scripts/compare-fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import { akaikeWeights, bicWeights, fTest, likelihoodRatioTest } from '../../src/fit/compare.ts';
import { chi2Sf, fSf } from '../../src/fit/distributions.ts';
import { fit } from '../../src/fit/fit.ts';
import { loadResult } from '../../src/fit/load.ts';

const fx = JSON.parse(readFileSync(new URL('../fixtures/compare-scipy.json', import.meta.url), 'utf8')) as {
  fsf: [number, number, number, number][];
  chi2sf: [number, number, number][];
  poly: {
    x: number[];
    y: number[];
    fits: { k: number; chi2: number }[];
    F: number;
    Fp: number;
    LR: number;
    LRp: number;
    aicWeights: number[];
    bicWeights: number[];
  };
};
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('F and χ² tails', () => {
  it('equal scipy.stats f.sf and chi2.sf to 1e-12 relative', () => {
    for (const [v, d1, d2, p] of fx.fsf)
      expect(rel(fSf(v, d1, d2), p), `f.sf(${v}, ${d1}, ${d2})`).toBeLessThan(1e-12);
    for (const [v, k, p] of fx.chi2sf)
      expect(rel(chi2Sf(v, k), p), `chi2.sf(${v}, ${k})`).toBeLessThan(1e-12);
    expect(fSf(0, 1, 2)).toBe(1);
    expect(chi2Sf(0, 3)).toBe(1);
    expect(chi2Sf(Infinity, 3)).toBe(0);
  });
});

describe('nested polynomial fits', () => {
  const { x, y } = fx.poly;
  const lin = fit('y = c0 + c1*x', { x, y }, { c0: 0, c1: 0 });
  const quad = fit('y = c0 + c1*x + c2*x^2', { x, y }, { c0: 0, c1: 0, c2: 0 });
  const cubic = fit('y = c0 + c1*x + c2*x^2 + c3*x^3', { x, y }, { c0: 0, c1: 0, c2: 0, c3: 0 });

  it('χ² equal numpy polyfit', () => {
    [lin, quad, cubic].forEach((r, i) => expect(rel(r.chi2, fx.poly.fits[i].chi2)).toBeLessThan(1e-9));
  });

  it('fTest and likelihoodRatioTest equal the scipy numbers', () => {
    const F = fTest(lin, quad);
    expect(F.df).toEqual([1, 22]);
    expect(rel(F.statistic, fx.poly.F)).toBeLessThan(1e-8);
    expect(rel(F.pValue, fx.poly.Fp)).toBeLessThan(1e-6);
    const L = likelihoodRatioTest(lin, quad);
    expect(L.df).toEqual([1]);
    expect(rel(L.statistic, fx.poly.LR)).toBeLessThan(1e-9);
    expect(rel(L.pValue, fx.poly.LRp)).toBeLessThan(1e-6);
  });

  it('AIC and BIC weights equal the numpy numbers and sum to 1', () => {
    const a = akaikeWeights([lin, quad, cubic]);
    const b = bicWeights([lin, quad, cubic]);
    a.weights.forEach((w, i) => expect(Math.abs(w - fx.poly.aicWeights[i])).toBeLessThan(1e-9));
    b.weights.forEach((w, i) => expect(Math.abs(w - fx.poly.bicWeights[i])).toBeLessThan(1e-9));
    expect(a.delta[1]).toBe(0);
    expect(a.values).toEqual([lin.aic, quad.aic, cubic.aic]);
  });

  it('works on loaded results', () => {
    const F = fTest(loadResult(lin.toJSON()), loadResult(quad.toJSON()));
    expect(F.statistic).toBe(fTest(lin, quad).statistic);
  });

  it('known sigma: Λ = Δχ²', () => {
    const o = { sigma: { y: 0.05 }, absoluteSigma: true };
    const r = fit('y = c0 + c1*x', { x, y }, { c0: 0, c1: 0 }, o);
    const f = fit('y = c0 + c1*x + c2*x^2', { x, y }, { c0: 0, c1: 0, c2: 0 }, o);
    expect(likelihoodRatioTest(r, f).statistic).toBeCloseTo(r.chi2 - f.chi2, 8);
    expect(() => likelihoodRatioTest(lin, f)).toThrow(/absoluteSigma/);
  });

  it('mistakes are ExprfitErrors naming the problem', () => {
    expect(() => fTest(quad, lin)).toThrow(/more free parameters.*\(restricted, full\)/);
    const other = fit('y = c0 + c1*x', { x: x.slice(1), y: y.slice(1) }, { c0: 0, c1: 0 });
    expect(() => fTest(other, quad)).toThrow(/24 and 25 data points|25 and 24 data points/);
    expect(() => akaikeWeights([])).toThrow(ExprfitError);
    expect(() => fTest({ ...lin, chi2: 1e9 } as never, { ...quad, chi2: 1e10 } as never)).toThrow(
      /not nested/,
    );
    expect(() => akaikeWeights([1 as never])).toThrow(/must be a fit result/);
  });
});
