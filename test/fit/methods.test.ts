/** fit() with the scalar minimizers: termination contract (issue 10). */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';

describe('fit with method lbfgsb', () => {
  it('an exact fit (objective exactly 0) is a success', () => {
    const r = fit('y = a*x', { x: [1, 2, 3], y: [2, 4, 6] }, { a: 1 }, { method: 'lbfgsb' });
    expect(r.values.a).toBeCloseTo(2, 12);
    expect(r.success).toBe(true);
  });
});

describe('fit option xScale (issue 10)', () => {
  const x = Array.from({ length: 20 }, (_, i) => i * 10);
  const y = x.map((v) => 3 * Math.exp(-v / 70) + 0.5);
  const model = 'y = A*exp(-x/tau) + c';
  const start = { A: 1, tau: 20, c: 0 };

  it.each(['jac', 'unit', { tau: 100, A: 1 }] as const)('%o reaches the solution', (xScale) => {
    const r = fit(model, { x, y }, start, { xScale });
    expect(r.success).toBe(true);
    expect(r.values.tau).toBeCloseTo(70, 6);
  });

  it('reaches the solver: the scalings take different paths', () => {
    const far = { A: 1, tau: 1000, c: 10 };
    const jac = fit(model, { x, y }, far, { xScale: 'jac' });
    const unit = fit(model, { x, y }, far, { xScale: 'unit' });
    const dflt = fit(model, { x, y }, far);
    expect(dflt.nfev).toBe(jac.nfev);
    expect(unit.nfev).not.toBe(jac.nfev);
  });

  it('bad values are option errors naming the value', () => {
    expect(() => fit(model, { x, y }, start, { xScale: 'unt' as 'unit' })).toThrow(/did you mean 'unit'/);
    expect(() => fit(model, { x, y }, start, { xScale: { tau: -1 } })).toThrow(
      /xScale.tau: expected a positive/,
    );
    expect(() => fit(model, { x, y }, start, { xScale: { taux: 1 } })).toThrow(
      /'taux' is not a free parameter.*did you mean 'tau'/,
    );
  });
});
