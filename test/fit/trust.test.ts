/** A fit that met a convergence test at a point where the data do not determine its parameters says so. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { trustWarnings } from '../../src/fit/trust.ts';

const ROOT = join(import.meta.dirname, '../..');

function decay(): { t: number[]; y: number[] } {
  const rows = readFileSync(join(ROOT, 'examples/data/decay.csv'), 'utf8').trim().split('\n').slice(1);
  const cols = rows.map((l) => l.split(',').map(Number));
  return { t: cols.map((c) => c[0]), y: cols.map((c) => c[1]) };
}

const MODEL = 'y = A*exp(-t/tau) + c';

describe('trust warnings', () => {
  it('decay from tau = 1e-3: the solver stops on the plateau (undetermined), not ok, naming tau', () => {
    const r = fit(MODEL, decay(), { A: 5, tau: 1e-3, c: 0 });
    expect(r.success).toBe(false);
    expect(r.termination).toBe('undetermined');
    expect(r.values.tau).toBeGreaterThan(1e100);
    expect(r.ok).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['not-determined', 'rank-deficient']);
    expect(r.warnings[0].params).toEqual(['tau']);
    expect(r.warnings[1].params).toEqual(['A', 'c']);
    expect(r.briefReport()).toMatch(
      /^NOT CONVERGED \(undetermined\).* WARNING: tau is not determined by the data/,
    );
    expect(r.report()).toMatch(
      /\[\[Warnings\]\] \(the result is not to be trusted\)\n {4}tau is not determined/,
    );
    const json = r.toJSON();
    expect(json.ok).toBe(false);
    expect(json.warnings[0]).toEqual({
      code: 'not-determined',
      message: r.warnings[0].message,
      params: ['tau'],
    });
  });

  it('decay from tau = 1000: converged (ftol) down a valley where A and c are not determined separately: not ok', () => {
    const r = fit(MODEL, decay(), { A: 5, tau: 1000, c: 0 });
    expect(r.success).toBe(true);
    expect(r.termination).toBe('ftol');
    expect(r.ok).toBe(false);
    expect(r.warnings.map((w) => [w.code, w.params])).toEqual([['rank-deficient', ['A', 'c']]]);
    expect(r.briefReport()).toMatch(/^converged \(ftol\).* WARNING: A and c are not determined separately/);
  });

  it('the same data from tau = 1: ok, no warnings', () => {
    const r = fit(MODEL, decay(), { A: 5, tau: 1, c: 0 });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(r.toJSON().warnings).toEqual([]);
    expect(r.briefReport()).not.toMatch(/WARNING/);
  });

  it('allowWarnings accepts the result (ok) and still reports the warnings', () => {
    const r = fit(MODEL, decay(), { A: 5, tau: 1000, c: 0 }, { allowWarnings: true });
    expect(r.ok).toBe(true);
    expect(r.warnings.length).toBe(1);
    // allowWarnings does not make a fit that did not converge ok
    expect(fit(MODEL, decay(), { A: 5, tau: 1e-3, c: 0 }, { allowWarnings: true }).ok).toBe(false);
    expect(() => fit(MODEL, decay(), {}, { allowWarnings: 1 as never })).toThrow(
      /fit option 'allowWarnings' must be true or false, got 1/,
    );
  });

  it('a parameter the model ignores at the solution (exactly zero derivative) is not determined', () => {
    const x = [1, 2, 3, 4, 5];
    const r = fit('y = a*x + 0*b', { x, y: x.map((v) => 2 * v) }, { a: 1, b: 3 });
    expect(r.warnings.map((w) => [w.code, w.params])).toEqual([['not-determined', ['b']]]);
    expect(Number.isNaN(r.params.b.stderr)).toBe(true);
    expect(r.ok).toBe(false);
  });

  it('a slope that is zero to rounding (constant data) is determined: no warning', () => {
    const x = [0.1, 0.5, 1.3, 2.2, 3.1, 4, 5.5];
    const r = fit('y = a + b*x', { x, y: x.map(() => 3.3) });
    expect(Math.abs(r.values.b)).toBeLessThan(1e-15);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });

  // Moré–Garbow–Hillstrom problems from 100·x0, where the solver meets a convergence test at no minimum.
  it('MGH Box 3-D and Powell badly scaled from 100·x0: a plateau parameter is not determined', () => {
    const t = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => 0.1 * i);
    const box = fit(
      'y = exp(-t*x1) - exp(-t*x2) - x3*(exp(-t) - exp(-10*t))',
      { t, y: t.map(() => 0) },
      { x1: 0, x2: 1000, x3: 2000 },
    );
    const pbs = fit(
      'y = (k == 1)*(1e4*x1*x2 - 1) + (k == 2)*(exp(-x1) + exp(-x2) - 1.0001)',
      { k: [1, 2], y: [0, 0] },
      { x1: 0, x2: 100 },
    );
    for (const r of [box, pbs]) {
      expect(r.ok, r.briefReport()).toBe(false);
      expect(r.warnings.find((w) => w.code === 'not-determined')?.params).toEqual(['x2']);
    }
  });

  it('MGH Jennrich–Sampson from 100·x0: chi-square overflows, not ok', () => {
    const i = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const r = fit('y = exp(i*x1) + exp(i*x2)', { i, y: i.map((v) => 2 + 2 * v) }, { x1: 30, x2: 40 });
    expect(r.ok).toBe(false);
    expect(r.warnings[0]).toMatchObject({
      code: 'non-finite',
      message: 'chi-square is Infinity at the reported solution',
    });
  });

  it('a column of 1e-200 for a parameter of 1e200 is no plateau (no underflow in its norm)', () => {
    const J = Float64Array.from([1e-200, 1, 2e-200, 1, 3e-200, 1]); // columns a, b; 3 rows
    const input = {
      free: ['a', 'b'],
      x: Float64Array.from([1e200, 1]),
      modelNorm: 5,
      activeMask: [false, false],
    };
    const common = { covariance: undefined, chi2: 1, hasChi2: true };
    expect(trustWarnings({ ...input, ...common, jacobian: J })).toEqual([]);
    const flat = Float64Array.from([1e-300, 1, 0, 1, 0, 1]);
    expect(trustWarnings({ ...input, ...common, jacobian: flat })[0].params).toEqual(['a']);
  });

  it('a parameter on a bound is not a warning', () => {
    const x = [1, 2, 3, 4, 5];
    const r = fit('y = a*x + b', { x, y: x.map((v) => 2 * v + 1) }, { a: { value: 1, max: 1.5 }, b: 0 });
    expect(r.params.a.atBound).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(r.success);
  });
});

describe('tied parameters', () => {
  const x = [0, 1, 2, 3, 4, 5];
  const data = { x, y: x.map((v) => 0.3 + 0.1 * v) };
  const model = 'y = c1 + c2*x + c3*x^2 + c4*x^3';

  it('bounds on a tied parameter become constraints of the fit', () => {
    const params = {
      csum: 1,
      c1: 0.3,
      c2: 0.3,
      c3: 0.2,
      c4: { expr: 'csum-c1-c2-c3', min: 0, max: 1 },
    };
    const r = fit(model, data, params);
    expect(r.constraints.map((c) => c.text)).toEqual(['c4 >= 0', 'c4 <= 1']);
    expect(r.values.c4).toBeGreaterThanOrEqual(-1e-9);
  });

  it("init of a tied parameter is its expression's value at the start values", () => {
    const r = fit(model, data, {
      csum: { value: 1, fixed: true },
      c1: 0.3,
      c2: 0.3,
      c3: 0.2,
      c4: { expr: 'csum-c1-c2-c3' },
    });
    expect(r.params.c4.init).toBeCloseTo(0.2, 14);
    expect(r.toJSON().params.c4.init).toBeCloseTo(0.2, 14);
    expect(r.params.c4.value).toBeCloseTo(1 - r.values.c1 - r.values.c2 - r.values.c3, 12);
  });
});
