/**
 * ODE fits: symfit's test_ode.py cases (kinetics against the analytic solution, initial values as
 * parameters), failure to integrate as a fit status, fixed parameters and sigma, and the interpreted kernels
 * (no code generation) agreeing with the generated ones.
 */
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../src/syntax/index.ts';
import { fit } from '../../src/fit/fit.ts';
import { fitOde, prepareOdeFit } from '../../src/ode/fit.ts';
import { compileVector } from '../../src/ode/kernel.ts';

const KINETICS = { t: [10, 26, 44, 70, 120], adata: [44, 34, 27, 20, 14].map((v) => v * 10e-4) };

describe('fitOde', () => {
  it('symfit test_simple_kinetics: matches the fit of the analytic solution', () => {
    const ode = fitOde('D(a, t) = -k*a^2; D(b, t) = k*a^2; a(0) = 54*10e-4; b(0) = 0; adata = a', KINETICS, {
      k: 0.01,
    });
    const exact = fit('adata = 1/(k*t + 1/(54*10e-4))', KINETICS, { k: 0.01 });
    expect(ode.values.k).toBeCloseTo(exact.values.k, 8);
    expect(ode.params.k.stderr / exact.params.k.stderr).toBeCloseTo(1, 6);
    expect(ode.r2).toBeCloseTo(exact.r2, 8);
  });

  it('symfit test_initial_parameters: an initial value as a free parameter, another fixed', () => {
    const model = [
      'D(d, t) = l*c*(a0 - d + a) - m*d',
      'D(c, t) = k*a*(a0 - d + a) - p*c - l*c*(a0 - d + a) + m*d',
      'D(a, t) = -k*a*(a0 - d + a) + p*c',
      'a(0) = a0; c(0) = c0; d(0) = 0',
      'AA = a; AAB = c; BAAB = d',
    ].join('\n');
    const t = Float64Array.from({ length: 40 }, (_v, i) => (3 * i) / 39);
    const truth = {
      k: 0.1,
      l: 0.2,
      m: 0.3,
      p: 0.3,
      a0: { value: 10, fixed: true },
      c0: { value: 0, fixed: true },
    };
    const zeros = new Float64Array(t.length);
    const { prep } = prepareOdeFit(model, { t, AA: zeros, AAB: zeros, BAAB: zeros }, truth);
    const held = Float64Array.from(prep.held.map((n) => prep.params.get(n)!.value));
    const x = Float64Array.from(prep.free.map((n) => prep.params.get(n)!.value));
    const data: Record<string, Float64Array> = { t };
    for (const eq of prep.equations) {
      data[eq.lhs] = new Float64Array(eq.size);
      eq.kernel.values(x, held, data[eq.lhs]);
    }
    const r = fitOde(model, data, { a0: { value: 10, fixed: true }, c0: { value: 0.05, min: 0 } });
    expect(r.success).toBe(true);
    expect(r.values.a0).toBe(10);
    expect(r.values.c0).toBeCloseTo(0, 6);
    for (const [n, v] of Object.entries({ k: 0.1, l: 0.2, m: 0.3, p: 0.3 }))
      expect(r.values[n]).toBeCloseTo(v, 6);
  });

  it('symfit test_full_eval_range: an initial time inside the data (integrated backwards too)', () => {
    const data = { t: [0, 10, 26, 44, 70, 120], adata: [54, 44, 34, 27, 20, 14].map((v) => v * 10e-4) };
    for (const t0 of ['26', '26 + 1e-5']) {
      const model = `D(a, t) = -k*a^2; D(b, t) = k*a^2; a(${t0}) = 34*10e-4; b(${t0}) = 0.02729855; adata = a`;
      const r = fitOde(model, data, { k: 0.01 });
      expect(r.success).toBe(true);
      expect(r.r2).toBeGreaterThan(0.95);
    }
  });

  it('a solution that blows up ends the fit with a status naming the integration, not an exception', () => {
    const t = [0.5, 1, 1.5, 2];
    const r = fitOde(
      'D(u, t) = k*u^2; u(0) = 1; y = u',
      { t, y: [2, 3, 4, 5] },
      { k: 1 },
      { ode: { maxSteps: 500 } },
    );
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/ODE integration failed/);
  });

  it('evaluates outputs and their confidence band at new times', () => {
    const t = [0, 0.5, 1, 1.5, 2, 3];
    const y = t.map((v, i) => 2 * Math.exp(-0.8 * v) + 0.01 * Math.sin(5 * i));
    const r = fitOde('D(u, t) = -k*u; u(0) = u0; y = u', { t, y }, { k: 1, u0: 1 });
    const at = { t: [0.25, 4] };
    const f = r.eval(at, 'y');
    at.t.forEach((v, i) => expect(f.data[i]).toBeCloseTo(r.values.u0 * Math.exp(-r.values.k * v), 8));
    const band = r.evalUncertainty({ at, equation: 'y' });
    expect(band.size).toBe(2);
    expect(band.data.every((v) => v > 0 && v < 0.05)).toBe(true);
    expect(r.evaluates('y')).toBe(true);
  });

  it('uses sigma and holds fixed parameters', () => {
    const t = [0, 0.5, 1, 1.5, 2, 3];
    const y = t.map((v) => 2 * Math.exp(-0.8 * v));
    const r = fitOde(
      'D(u, t) = -k*u; u(0) = u0; y = u',
      { t, y },
      { k: 1, u0: { value: 2, fixed: true } },
      { sigma: { y: 0.1 } },
    );
    expect(r.values.k).toBeCloseTo(0.8, 8);
    expect(r.free).toEqual(['k']);
  });

  it('rejects data that do not match', () => {
    expect(() => fitOde('D(u, t) = -k*u; u(0) = 1; y = u', { t: [0, 1], y: [1] })).toThrow(
      /'y' has 1 values but its times 't' have 2/,
    );
    expect(() => fitOde('D(u, t) = -k*u; u(0) = 1; y = u', { t: [0, 1] })).toThrow(/no data for 'y'/);
    expect(() => fitOde('D(u, t) = -k*u; u(0) = 1', { t: [0, 1] })).toThrow(/no output/);
    expect(() => fitOde('D(u, t) = -k*u; u(0) = 1; y = u', { t: [0, 1], y: [1, 2] }, { q: 1 })).toThrow(
      /'q' does not appear/,
    );
  });
});

describe('compileVector', () => {
  it('interpreted programs (no code generation) give the generated values and Jacobian', () => {
    const exprs = [parseExpr('-k1*A*exp(t)'), parseExpr('k1*A - k2*B^2/(1 + t)')];
    const args = [exprs, ['A', 'B', 'k1', 'k2'], ['t']] as const;
    const gen = compileVector(...args);
    const int = compileVector(...args, { interpret: true });
    const x = Float64Array.of(1.5, 2, 0.3, 4);
    const out = [new Float64Array(2), new Float64Array(2)];
    const jac = [new Float64Array(8), new Float64Array(8)];
    gen.run(x, Float64Array.of(0.7), out[0], jac[0]);
    int.run(x, Float64Array.of(0.7), out[1], jac[1]);
    expect(Array.from(out[1])).toEqual(Array.from(out[0]));
    jac[0].forEach((v, i) => expect(jac[1][i]).toBeCloseTo(v, 14));
    expect(gen.source).toMatch(/^function/);
  });
});
