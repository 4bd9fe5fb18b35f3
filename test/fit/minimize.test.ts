/**
 * minimize / maximize of expressions (src/fit/minimize.ts) and the minimisers behind them (BFGS, trust-region
 * Newton, Powell, differential evolution, L-BFGS-B, Nelder–Mead) against scipy.optimize on the same problems
 * (test/fixtures/minimize-scipy.json, made by scripts/minimize-fixtures.py) and exact minima.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { maximize, minimize, type Minimizer } from '../../src/fit/minimize.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { fit } from '../../src/fit/fit.ts';

const fx = JSON.parse(readFileSync(new URL('../fixtures/minimize-scipy.json', import.meta.url), 'utf8'));
const ROSEN = '(1 - x)^2 + 100*(y - x^2)^2';
const HIMMELBLAU = '(x^2 + y - 11)^2 + (x + y^2 - 7)^2';
const SCIPY: Record<string, Minimizer> = {
  BFGS: 'bfgs',
  'trust-ncg': 'newton',
  Powell: 'powell',
  'L-BFGS-B': 'lbfgsb',
  'Nelder-Mead': 'nelder',
};

function expectNear(actual: number[], expected: number[], tol: number): void {
  actual.forEach((v, j) =>
    expect(Math.abs(v - expected[j])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[j]))),
  );
}

describe.each([
  ['rosenbrock', ROSEN, [1, 1]],
  ['himmelblau', HIMMELBLAU, [-2.805118086952745, 3.131312518250573]],
])('%s from scipy’s start', (name, objective, exact) => {
  const [x, y] = fx[name].x0 as number[];
  it.each(Object.entries(SCIPY))('%s: the minimum scipy finds, and the exact one', (scipyName, method) => {
    const r = minimize(objective as string, { x, y }, { method });
    expect(r.success).toBe(true);
    const point = [r.values.x, r.values.y];
    expectNear(point, fx[name].results[scipyName].x, 1e-7);
    expectNear(point, exact as number[], 1e-7);
    expect(r.value).toBeLessThan(1e-12);
  });
});

describe('the exact gradient and Hessian', () => {
  it('are reported at the solution (Rosenbrock: H = [[802, -400], [-400, 200]])', () => {
    const r = minimize(ROSEN, { x: -1.2, y: 1 }, { method: 'newton' });
    expect(Math.abs(r.gradient.x)).toBeLessThan(1e-9);
    expectNear(r.hessian.flat(), [802, -400, -400, 200], 1e-8);
  });
});

describe('bounds', () => {
  const params = { x: { value: -1.2, min: -2, max: 0.5 }, y: { value: 1, min: -2, max: 2 } };
  it.each(['lbfgsb', 'powell', 'nelder'] as const)(
    '%s ends on the bound x = 0.5, y = 0.25 (exact; scipy L-BFGS-B)',
    (method) => {
      const r = minimize(ROSEN, params, { method });
      expectNear([r.values.x, r.values.y], fx.bounded['L-BFGS-B'].x, 1e-6);
      expect(r.value).toBeCloseTo(0.25, 10);
    },
  );

  it('differential evolution (scipy defaults, seed 1, polished) finds the bounded minimum', () => {
    const r = minimize(ROSEN, params, { method: 'de' });
    expect(r.success).toBe(true);
    expectNear([r.values.x, r.values.y], [0.5, 0.25], 1e-9);
    expect(r.atBound).toEqual({ x: 'upper' });
  });

  it('differential evolution refuses an absurd population before allocating it', () => {
    expect(() => minimize(ROSEN, params, { method: 'de', popsize: 1e12 } as never)).toThrow(
      "differential evolution option 'popsize' must be an integer >= 1 and <= 10000, got 1000000000000",
    );
  });

  it('differential evolution finds the global minimum of Rastrigin (as scipy does)', () => {
    const b = { min: -5.12, max: 5.12 };
    const r = minimize('20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)', { x: b, y: b }, { method: 'de' });
    expectNear([r.values.x, r.values.y], [0, 0], 1e-8);
    expect(fx.rastrigin.fun).toBe(0);
  });

  it('bfgs and newton are unconstrained: bounds are an error naming the method', () => {
    expect(() => minimize(ROSEN, params, { method: 'bfgs' })).toThrow(/method 'bfgs' is unconstrained/);
  });
});

describe('multi-start', () => {
  it('keeps the lowest of the local minima (Himmelblau: all four are 0; a tilted one has a single global)', () => {
    const b = { min: -5, max: 5 };
    const tilted = `${HIMMELBLAU} + 0.5*x`;
    const one = minimize(tilted, { x: { ...b, value: 3 }, y: { ...b, value: 2 } });
    const many = minimize(tilted, { x: { ...b, value: 3 }, y: { ...b, value: 2 } }, { starts: 12, seed: 2 });
    expect(many.value).toBeLessThan(one.value - 1);
    expect(many.message).toMatch(/best of 12 starts/);
    expect(many.values.x).toBeLessThan(-3);
  });
});

describe('constraints', () => {
  it('the scipy tutorial problem (SLSQP: x = 1.4, y = 1.7)', () => {
    const r = minimize(
      '(x - 1)^2 + (y - 2.5)^2',
      { x: { value: 2, min: 0 }, y: { value: 0, min: 0 } },
      {
        constraints: ['x - 2*y + 2 >= 0', '-x - 2*y + 6 >= 0', '-x + 2*y + 2 >= 0'],
      },
    );
    expect(r.success).toBe(true);
    expectNear([r.values.x, r.values.y], fx.tutorial.x, 1e-7);
    expect(r.constraints.map((c) => c.active)).toEqual([true, false, false]);
    expect(r.constraints[0].multiplier).toBeCloseTo(0.8, 6);
  });

  it('symfit test_constrainedminimizers: maximize with y >= 1 and x^3 = y', () => {
    const free = maximize('2*x*y + 2*x - x^2 - 2*y^2', { x: -1, y: 1 });
    expectNear([free.values.x, free.values.y], [2, 1], 1e-8);
    const r = maximize(
      '2*x*y + 2*x - x^2 - 2*y^2',
      { x: -1, y: 1 },
      { constraints: ['y - 1 >= 0', 'x^3 = y'] },
    );
    expectNear([r.values.x, r.values.y], fx.symfit.x, 1e-8);
    expect(r.value).toBeCloseTo(fx.symfit.fun, 8);
    // ∇f = Σ ν ∇c at (1, 1): (2, -2) = ν₁(0, 1) + ν₂(3, -1)
    expect(r.constraints[0].multiplier).toBeCloseTo(-4 / 3, 6);
    expect(r.constraints[1].multiplier).toBeCloseTo(2 / 3, 6);
  });
});

describe('objectives over data: a sum the user writes', () => {
  it('an exponential log-likelihood: tau = mean(t) (exact), with every method that uses the Hessian', () => {
    const t = fx.exponentialMle.t as number[];
    for (const method of ['lbfgsb', 'newton', 'bfgs'] as const) {
      const r = minimize('-sum(log(exp(-t/tau)/tau))', { tau: 1 }, { data: { t }, method });
      expect(r.values.tau).toBeCloseTo(fx.exponentialMle.tau, 9);
    }
  });

  it('a Gaussian negative log-likelihood gives the sample mean and the population standard deviation', () => {
    const v = [1.2, 0.7, 2.1, 1.6, 0.9, 1.4];
    const mean = v.reduce((a, b) => a + b) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    const r = minimize(
      'sum((v - mu)^2/(2*s^2) + log(s))',
      { mu: 0, s: { value: 1, min: 0.01 } },
      { data: { v } },
    );
    expect(r.values.mu).toBeCloseTo(mean, 8);
    expect(r.values.s).toBeCloseTo(sd, 8);
  });

  it('the chain-rule Hessian of a function of sums matches the direct one', () => {
    const x = [1, 2, 3];
    const y = [2.1, 3.9, 6.2];
    const r = minimize('sum((y - a*x)^2)^2', { a: 1 }, { data: { x, y }, method: 'newton' });
    const sxx = 14;
    const sxy = 2.1 + 7.8 + 18.6;
    expect(r.values.a).toBeCloseTo(sxy / sxx, 9);
  });
});

describe('mistakes are ExprfitErrors', () => {
  it.each([
    [() => minimize('a*x', { a: 1 }, { data: { x: [1, 2] } }), /uses the data 'x' outside sum/],
    [() => minimize('sum(a*x)', { a: 1 }, { data: { x: [1, 2], z: [1] } }), /data 'z' is not used/],
    [() => minimize('(x - 1)^2', {}, { method: 'de' }), /finite bounds/],
    [() => minimize('(x - 1)^2 +', {}), /constraint|expected|syntax|incomplete|ended/i],
    [() => minimize('sum(x, 1)', {}), /sum/],
    [
      () => minimize('(x - 1)^2', {}, { method: 'newtn' as never }),
      /method' must be one of .*'newton'.*got 'newtn'/,
    ],
    [
      () => minimize('(x - 1)^2', {}, { method: 'powell', constraints: ['x <= 0'] }),
      /constraints need method/,
    ],
    [() => minimize('(x - 1)^2', null as never), /params must be an object/],
    [() => minimize('(x - 1)^2', { q: 1 }), /parameter 'q' does not appear in the objective/],
    [() => minimize('(x - 1)^2 + y', { y: { expr: 'z' }, z: { expr: 'y' } }), /cycle/],
    [() => minimize('sum(a*x)', { a: 1 }, { data: { x: [{}] as never } }), /x\[0\] is \{\}, not a number/],
  ])('%#', (f, message) => {
    expect(f).toThrow(ExprfitError);
    expect(f).toThrow(message);
  });
});

describe('the minimisers as fit methods', () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7];
  const y = x.map((t) => 3 * Math.exp(-0.4 * t) + 0.5 + 0.01 * Math.sin(7 * t));
  const model = 'y = A*exp(-k*x) + c';
  const lm = fit(model, { x, y }, { A: 1, k: 0.1, c: 0 });

  it.each([
    ['powell', { A: 1, k: 0.1, c: 0 }],
    ['bfgs', { A: 1, k: 0.1, c: 0 }],
    ['de', { A: { min: 0, max: 10 }, k: { min: 0, max: 2 }, c: { min: -1, max: 1 } }],
  ] as const)('%s reaches the lm solution', (method, params) => {
    const r = fit(model, { x, y }, params, { method });
    expect(r.success).toBe(true);
    for (const p of ['A', 'k', 'c']) expect(r.values[p]).toBeCloseTo(lm.values[p], 6);
  });

  it('de without finite bounds, bfgs with bounds: errors naming the parameter', () => {
    expect(() => fit(model, { x, y }, { A: 1, k: 0.1, c: 0 }, { method: 'de' })).toThrow(
      /give parameter 'A' a min and a max/,
    );
    expect(() => fit(model, { x, y }, { A: 1, k: { value: 0.1, min: 0 }, c: 0 }, { method: 'bfgs' })).toThrow(
      /parameter 'k' has bounds/,
    );
  });
});
