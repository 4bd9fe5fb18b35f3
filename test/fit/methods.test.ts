/** fit() with the scalar minimizers: termination contract (issue 10). */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import type { ExprfitError } from '../../src/core/errors.ts';

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
    const hintsOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ExprfitError).hints;
      }
      return undefined;
    };
    expect(() => fit(model, { x, y }, start, { xScale: 'unt' as 'unit' })).toThrow(
      /fit option 'xScale' must be 'jac', 'unit' or an object \{ parameter: scale \}, got 'unt'/,
    );
    expect(hintsOf(() => fit(model, { x, y }, start, { xScale: 'unt' as 'unit' }))).toEqual([
      "did you mean 'unit'?",
    ]);
    expect(() => fit(model, { x, y }, start, { xScale: { tau: -1 } })).toThrow(
      /fit option 'xScale' must be a finite number > 0 for parameter 'tau', got -1/,
    );
    expect(() => fit(model, { x, y }, start, { xScale: { taux: 1 } })).toThrow(
      /fit option 'xScale' must be an object keyed by the model's free parameters, got 'taux'/,
    );
    expect(hintsOf(() => fit(model, { x, y }, start, { xScale: { taux: 1 } }))).toEqual([
      "did you mean 'tau'?",
    ]);
  });
});
