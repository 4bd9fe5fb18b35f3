import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { loadResult } from '../../src/fit/load.ts';
import { ExprfitError } from '../../src/core/errors.ts';

const x = Array.from({ length: 20 }, (_, i) => i * 0.5);
const y = x.map((t, i) => 3 * Math.exp(-0.4 * t) + 0.5 + 0.01 * Math.sin(7 * i));

function decayFit() {
  return fit(
    'y = a*exp(-b*x) + c',
    { x, y },
    { a: 1, b: { value: 0.3, min: 0 }, c: 0, half: { expr: 'log(2)/b' } },
  );
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])));
};

describe('saved results', () => {
  it('hold the model, parameter specs, options, data names, curves and lmfit names', () => {
    const r = decayFit();
    const j = r.toJSON();
    expect(j.schema).toBe('exprfit-result');
    expect(j.version).toBe(1);
    expect(j.model).toBe('y = a*exp(-b*x) + c');
    expect(j.params.half.expr).toBe('log(2)/b');
    expect(j.params.b.min).toBe(0);
    expect(j.options.method).toBe('lm');
    expect(j.options.sigma).toEqual([]);
    expect(j.data).toEqual({ y: { variables: ['x'], observed: true, sigma: false } });
    expect(j.nvarys).toBe(3);
    expect(j.dof).toBe(17);
    expect(r.dof).toBe(17);
    expect(j.bestFit.y).toHaveLength(20);
    // residuals are (f - y)/σ, bestFit the model at the solution, initFit the model at the starts
    j.bestFit.y.forEach((f, i) => expect(j.residuals.y[i]).toBeCloseTo(f - y[i], 14));
    expect(j.initFit.y[0]).toBeCloseTo(1 * Math.exp(0) + 0, 14);
    const chi2 = j.residuals.y.reduce((s, v) => s + v * v, 0);
    expect(chi2).toBeCloseTo(r.chi2, 14);
  });

  it('round-trip: fit → JSON text → loadResult gives the same values, eval and band (1e-12)', () => {
    const r = decayFit();
    const back = loadResult(JSON.stringify(r.toJSON()));
    expect(back.values).toEqual(r.values);
    expect(back.chi2).toBe(r.chi2);
    expect(back.aic).toBe(r.aic);
    expect(back.bic).toBe(r.bic);
    expect(back.redchi).toBe(r.redchi);
    expect(back.params.half.stderr).toBe(r.params.half.stderr);
    const at = { x: [0, 0.25, 3.3, 12] };
    close(back.eval(at).data, r.eval(at).data);
    for (const opts of [{}, { sigma: 2 }, { level: 0.9, prediction: true }]) {
      close(back.evalUncertainty({ ...opts, at }).data, r.evalUncertainty({ ...opts, at }).data);
    }
    close(back.bestFit.y, r.bestFit.y);
    close(back.residuals.y, r.residuals.y);
    expect(back.report()).toBe(r.report().replace(/\[\[Notes\]\][^[]*/, ''));
    expect(JSON.parse(JSON.stringify(back.toJSON()))).toEqual(JSON.parse(JSON.stringify(r.toJSON())));
  });

  it('a weighted fit: the prediction band at new points is refused, the confidence band kept', () => {
    const r = fit('y = a*x + b', { x, y }, { a: 1, b: 0 }, { sigma: { y: 0.1 }, absoluteSigma: true });
    const back = loadResult(r.toJSON());
    expect(back.options.absoluteSigma).toBe(true);
    close(back.evalUncertainty({ at: { x: [1, 2] } }).data, r.evalUncertainty({ at: { x: [1, 2] } }).data);
    expect(() => back.evalUncertainty({ at: { x: [1] }, prediction: true })).toThrow(
      /unknown at the new points/,
    );
  });

  it('above 100,000 points the curves are left out of the JSON', () => {
    const n = 100_001;
    const xs = Float64Array.from({ length: n }, (_, i) => i / n);
    const r = fit('y = a*x + b', { x: xs, y: xs.map((v) => 2 * v + 1) }, { a: 1, b: 0 });
    const j = r.toJSON();
    expect(j.bestFit).toEqual({});
    expect(j.residuals).toEqual({});
    expect(r.bestFit.y).toHaveLength(n);
  });

  it('a global fit keeps every equation', () => {
    const z = x.map((t) => 2 * t);
    const r = fit('y = a*exp(-b*x) + c; z = k*x', { x, y, z }, { a: 1, b: 0.3, c: 0, k: 1 });
    const back = loadResult(r.toJSON());
    close(back.eval({ x: [1, 2] }, 'z').data, r.eval({ x: [1, 2] }, 'z').data);
    close(
      back.evalUncertainty({ at: { x: [1, 2] }, equation: 'z' }).data,
      r.evalUncertainty({ at: { x: [1, 2] }, equation: 'z' }).data,
    );
  });

  it('bad input is an ExprfitError naming what is wrong', () => {
    const j = decayFit().toJSON();
    expect(() => loadResult('{')).toThrow(/invalid JSON/);
    expect(() => loadResult('[1]')).toThrow(ExprfitError);
    expect(() => loadResult({ fits: [j] })).toThrow(/exprfit run --json.*json\.fits\[0\]/);
    expect(() => loadResult({ ...j, schema: 'x' } as never)).toThrow(/'schema' is "x"/);
    expect(() => loadResult({ ...j, version: 99 })).toThrow(/version 99/);
    expect(() => loadResult({ ...j, expressions: { y: { expr: 'a*', variables: ['x'] } } })).toThrow(
      /does not parse/,
    );
    expect(() => loadResult({ ...j, chi2: 'x' } as never)).toThrow(/'chi2' of the result must be a number/);
    expect(() => loadResult({ ...j, covariance: { names: ['a'], matrix: [] } })).toThrow(/1 x 1 matrix/);
    expect(() => loadResult(j).evalUncertainty()).toThrow(/give points with 'at'/);
  });
});
