/**
 * Variable projection (`linear: 'varpro'`) and vector parameters against exact linear least squares and
 * scipy's curve_fit (fixtures: test/fixtures/varpro/make_varpro.py).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { ExprfitError } from '../../src/core/errors.ts';

interface Fixture {
  bspline: { x: number[]; y: number[]; shape: number[]; B: number[]; beta: number[]; chi2: number };
  peaks: {
    x: number[];
    y: number[];
    names: string[];
    p0: number[];
    popt: number[];
    stderr: number[];
    chi2: number;
  };
}
const fx = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/varpro/varpro.json'), 'utf8'),
) as Fixture;

const B = new NdArray(Float64Array.from(fx.bspline.B), fx.bspline.shape);
const spectrum = Array.from({ length: 5 }, (_, i) => `a${i}*exp(-(x-c${i})^2/(2*w${i}^2))`).join(' + ');
const peaksModel = `y = ${spectrum} + b0 + b1*x`;
const peakData = { x: fx.peaks.x, y: fx.peaks.y };

function fixtureStarts(keep: (name: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  fx.peaks.names.forEach((n, i) => {
    if (keep(n)) out[n] = fx.peaks.p0[i];
  });
  return out;
}

describe('a basis regression y = B @ beta', () => {
  it('equals linear least squares (numpy.linalg.lstsq)', () => {
    const r = fit('y = dot(B, beta)', { B, y: fx.bspline.y });
    fx.bspline.beta.forEach((b, k) => expect(r.params[`beta[${k}]`].value).toBeCloseTo(b, 9));
    expect(r.chi2).toBeCloseTo(fx.bspline.chi2, 10);
  });

  it('is solved in one projection with varpro (no nonlinear parameter)', () => {
    const r = fit('y = dot(B, beta)', { B, y: fx.bspline.y }, {}, { linear: 'varpro' });
    fx.bspline.beta.forEach((b, k) => expect(r.params[`beta[${k}]`].value).toBeCloseTo(b, 9));
    expect(r.iterations).toBeLessThanOrEqual(1);
  });

  it('takes per-element starts, bounds and fixed values', () => {
    const fixed = fx.bspline.beta.map((_, k) => k === 0);
    const r = fit(
      'y = dot(B, beta)',
      { B, y: fx.bspline.y },
      { beta: { value: 0, fixed, min: -10, max: 10 } },
    );
    expect(r.params['beta[0]'].value).toBe(0);
    expect(r.chi2).toBeGreaterThan(fx.bspline.chi2);
  });

  it("drops the rows with NaN (matrix or data) with nanPolicy 'omit'", () => {
    const [n, K] = fx.bspline.shape;
    const withNaN = Float64Array.from(fx.bspline.B);
    withNaN[1] = NaN; // row 0
    const y = Float64Array.from(fx.bspline.y);
    y[2] = NaN; // row 2
    const r = fit('y = dot(B, beta)', { B: new NdArray(withNaN, [n, K]), y }, {}, { nanPolicy: 'omit' });
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i !== 0 && i !== 2);
    const rows = new NdArray(Float64Array.from(keep.flatMap((i) => fx.bspline.B.slice(i * K, (i + 1) * K))), [
      n - 2,
      K,
    ]);
    const ref = fit('y = dot(B, beta)', { B: rows, y: keep.map((i) => y[i]) });
    expect(r.chi2).toBeCloseTo(ref.chi2, 10);
    expect(r.params['beta[4]'].value).toBeCloseTo(ref.params['beta[4]'].value, 9);
  });

  it('reports a matrix whose columns do not match the vector, at the product', () => {
    const err = (() => {
      try {
        fit('y = dot(B, beta)', { B, y: fx.bspline.y }, { beta: { length: 11 } });
      } catch (e) {
        return e as ExprfitError;
      }
    })();
    expect(err).toBeInstanceOf(ExprfitError);
    expect(err!.message).toContain("last axis (12) does not match the 11 elements of 'beta'");
    expect(err!.span?.column).toBe(5);
  });

  it('reports operands that are not a data matrix and a vector, at the operand', () => {
    const cases: [string, string, number][] = [
      ['y = beta @ B', 'first operand', 5],
      ['y = B @ (2*beta)', 'second operand', 10],
    ];
    for (const [model, which, column] of cases) {
      const err = (() => {
        try {
          fit(model, { B, y: fx.bspline.y });
        } catch (e) {
          return e as ExprfitError;
        }
      })();
      expect(err?.message).toContain(`the ${which} of a matrix product`);
      expect(err?.span?.column).toBe(column);
    }
  });

  it('reports an element index out of range at the index', () => {
    expect(() => fit('y = dot(B, beta) + beta[12]', { B, y: fx.bspline.y })).toThrow(
      "index 12 is out of range for 'beta', which has 12 elements (0 to 11)",
    );
  });
});

describe("linear: 'varpro' on a 5-peak spectrum", () => {
  const full = fit(
    peaksModel,
    peakData,
    fixtureStarts(() => true),
  );
  const noAmplitudes = fixtureStarts((n) => !/^[ab]/.test(n));
  const projected = fit(peaksModel, peakData, noAmplitudes, { linear: 'varpro' });

  it('reaches the minimum of the full fit and of scipy, without amplitude starts', () => {
    expect(full.chi2).toBeCloseTo(fx.peaks.chi2, 9);
    expect(projected.chi2).toBeCloseTo(fx.peaks.chi2, 9);
    fx.peaks.names.forEach((n, i) => {
      expect(projected.params[n].value).toBeCloseTo(fx.peaks.popt[i], 6);
      expect(projected.params[n].stderr!).toBeCloseTo(fx.peaks.stderr[i], 6);
    });
  });

  it('needs fewer iterations than the full fit from the same starts', () => {
    const same = fit(peaksModel, peakData, noAmplitudes);
    expect(same.chi2).toBeCloseTo(fx.peaks.chi2, 9);
    expect(projected.ok).toBe(true);
    expect(projected.iterations).toBeLessThan(same.iterations);
    expect(projected.message).toContain('variable projection solved 7 linear parameters exactly');
    expect(projected.notes[0]).toBe(
      "a0, a1, a2, a3, a4, b0, b1: solved exactly by variable projection (linear: 'varpro'; no start used)",
    );
    // the projected parameters' starts were not used: no 'no start value given' note for them
    expect(projected.notes.join('\n')).not.toMatch(/no start value given/);
    expect(projected.params.a0.notes).toEqual([]);
  });

  it('keeps per-parameter scales and multi-start working', () => {
    const decay = { x: [0, 1, 2, 3, 4, 5, 6, 7], y: [3.5, 2.51, 1.85, 1.41, 1.1, 0.9, 0.77, 0.67] };
    const plain = fit('y = A*exp(-x/tau) + c', decay, { tau: 1, A: 3, c: 0.5 });
    const scaled = fit('y = A*exp(-x/tau) + c', decay, { tau: 1 }, { linear: 'varpro', xScale: { tau: 2 } });
    const multi = fit(
      'y = A*exp(-x/tau) + c',
      decay,
      { tau: { value: 1, min: 0.1, max: 10 } },
      { linear: 'varpro', starts: 3 },
    );
    for (const r of [scaled, multi]) expect(r.params.tau.value).toBeCloseTo(plain.params.tau.value, 7);
  });

  it('is refused with another method', () => {
    expect(() => fit(peaksModel, peakData, {}, { linear: 'varpro', method: 'nelder' })).toThrow(/linear/);
  });
});
