/**
 * The integrators against exact solutions: exponential decay, the harmonic oscillator (forwards and, as in
 * symfit's test_single_eval, backwards from t0), the stiff Robertson problem (auto switches to Rodas4), and
 * failure as a status.
 */
import { describe, expect, it } from 'vitest';
import { integrate, validateOdeOptions, type OdeMethod } from '../../src/ode/integrate.ts';
import type { OdeFunctions } from '../../src/ode/steppers.ts';

function linear(a: number[][]): OdeFunctions {
  const n = a.length;
  return {
    n,
    rhs(_t, y, out) {
      for (let i = 0; i < n; i++) out[i] = a[i].reduce((s, v, j) => s + v * y[j], 0);
    },
    jacobian(_t, _y, jac, ft) {
      jac.set(a.flat());
      ft.fill(0);
    },
  };
}

const robertson: OdeFunctions = {
  n: 3,
  rhs(_t, y, o) {
    o[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
    o[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2;
    o[2] = 3e7 * y[1] ** 2;
  },
  jacobian(_t, y, J, ft) {
    J.set([-0.04, 1e4 * y[2], 1e4 * y[1], 0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1], 0, 6e7 * y[1], 0]);
    ft.fill(0);
  },
};

const METHODS: OdeMethod[] = ['dopri5', 'rosenbrock'];

describe('integrate', () => {
  it.each(METHODS)('%s: exponential decay to the tolerance', (method) => {
    const times = Float64Array.from({ length: 11 }, (_v, i) => i * 0.37);
    for (const rtol of [1e-6, 1e-10]) {
      const s = integrate(
        linear([[-1]]),
        0,
        Float64Array.of(1),
        times,
        validateOdeOptions({ method, rtol, atol: rtol * 1e-2 }),
      );
      expect(s.status).toBe('ok');
      times.forEach((t, i) => expect(Math.abs(s.values[i] - Math.exp(-t))).toBeLessThan(20 * rtol));
    }
  });

  it.each(METHODS)('%s: harmonic oscillator forwards and backwards (symfit test_single_eval)', (method) => {
    const k = 0.1;
    const times = Float64Array.from({ length: 101 }, (_v, i) => -100 + 2 * i).reverse();
    const f = linear([
      [0, -k],
      [k, 0],
    ]);
    const s = integrate(
      f,
      0,
      Float64Array.of(1, 0),
      times,
      validateOdeOptions({ method, rtol: 1e-10, atol: 1e-12 }),
    );
    expect(s.status).toBe('ok');
    times.forEach((t, i) => {
      expect(s.values[2 * i]).toBeCloseTo(Math.cos(k * t), 8);
      expect(s.values[2 * i + 1]).toBeCloseTo(Math.sin(k * t), 8);
    });
  });

  it('auto switches to the stiff method on Robertson and matches the reference values', () => {
    const times = Float64Array.of(0.4, 40, 4e5);
    const s = integrate(
      robertson,
      0,
      Float64Array.of(1, 0, 0),
      times,
      validateOdeOptions({ rtol: 1e-8, atol: 1e-12 }),
    );
    expect(s.status).toBe('ok');
    expect(s.method).toBe('rosenbrock');
    const ref = [
      0.98517211, 3.3863954e-5, 0.014794022, 0.71582707, 9.185534e-6, 0.28416375, 0.0049382745, 1.9849941e-8,
      0.99506171,
    ];
    ref.forEach((v, i) => expect(s.values[i]).toBeCloseTo(v, 7));
  });

  it('reports running out of steps as a status with NaN rows, not an exception', () => {
    const s = integrate(
      robertson,
      0,
      Float64Array.of(1, 0, 0),
      Float64Array.of(0.1, 40),
      validateOdeOptions({ method: 'dopri5', maxSteps: 200 }),
    );
    expect(s.status).toBe('max-steps');
    expect(s.message).toMatch(/more than 200 steps/);
    expect(Number.isNaN(s.values[3])).toBe(true);
  });

  it('reports a solution that blows up as a collapsed step size', () => {
    const blowUp: OdeFunctions = {
      n: 1,
      rhs: (_t, y, o) => {
        o[0] = y[0] * y[0];
      },
      jacobian: (_t, y, J, ft) => {
        J[0] = 2 * y[0];
        ft[0] = 0;
      },
    };
    const s = integrate(blowUp, 0, Float64Array.of(1), Float64Array.of(0.5, 2), validateOdeOptions({}));
    expect(s.values[0]).toBeCloseTo(2, 7);
    expect(s.status).not.toBe('ok');
  });

  it('rejects bad options with the option name', () => {
    expect(() => validateOdeOptions({ rtol: -1 })).toThrow(/rtol/);
    expect(() => validateOdeOptions({ method: 'rk45' as OdeMethod })).toThrow(/method/);
  });
});
