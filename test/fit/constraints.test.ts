/**
 * Constrained fits (src/fit/constraints.ts, src/solver/augmented.ts) against scipy's SLSQP on the same problems
 * (test/fixtures/constraints-scipy.json, made by scripts/constraints-fixtures.py), and symfit's
 * test_constrained.py cases.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fit } from '../../src/fit/fit.ts';
import { ExprfitError } from '../../src/core/errors.ts';

interface Case {
  name: string;
  x: number[];
  chi2: number;
  multipliers: number[];
  stderr: number[];
  constraintValues: number[];
  [key: string]: unknown;
}
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/constraints-scipy.json', import.meta.url), 'utf8'),
) as { cases: Case[] };
const byName = (name: string): Case => fixtures.cases.find((c) => c.name === name)!;

function expectClose(actual: number, expected: number, rel: number, abs = 0): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('constrained fits against scipy SLSQP', () => {
  it('triangle angles: a + b + c = 180 (symfit test_vector_constrained_fitting)', () => {
    const c = byName('triangle');
    const [a, b, cc] = c.data as number[][];
    const r = fit(
      'a_i = a; b_i = b; c_i = c',
      { a_i: a, b_i: b, c_i: cc },
      { a: 1, b: 1, c: 1 },
      {
        constraints: ['a + b + c = 180'],
      },
    );
    expect(r.success).toBe(true);
    ['a', 'b', 'c'].forEach((p, j) => {
      expectClose(r.values[p], c.x[j], 1e-10);
      expectClose(r.params[p].stderr, c.stderr[j], 1e-6);
    });
    expectClose(r.values.a + r.values.b + r.values.c, 180, 1e-12);
    expect(r.constraints[0]).toMatchObject({ text: 'a + b + c = 180', equality: true, active: true });
    expectClose(r.constraints[0].multiplier, c.multipliers[0], 1e-6);
    expect(r.dof).toBe(21 - 3 + 1);
  });

  it('triangle without data for c: c follows from the constraint', () => {
    const c = byName('triangle without c data');
    const [a, b] = c.data as number[][];
    const r = fit(
      'a_i = a; b_i = b; c_i = c',
      { a_i: a, b_i: b },
      { a: 1, b: 1, c: 1 },
      {
        constraints: ['a + b + c == 180'],
      },
    );
    expect(r.ok).toBe(true);
    ['a', 'b', 'c'].forEach((p, j) => {
      expectClose(r.values[p], c.x[j], 1e-8);
      expectClose(r.params[p].stderr, c.stderr[j], 1e-6);
    });
  });

  it('an active inequality with a bounded parameter: a + c <= 2', () => {
    const c = byName('decay a + c <= 2');
    const r = fit(
      'y = a*exp(-b*t) + c',
      { t: c.t as number[], y: c.y as number[] },
      {
        a: 1,
        b: { value: 0.2, min: 0, max: 0.5 },
        c: 0.1,
      },
      { constraints: ['a + c <= 2'] },
    );
    expect(r.success).toBe(true);
    ['a', 'b', 'c'].forEach((p, j) => {
      expectClose(r.values[p], c.x[j], 1e-6);
      expectClose(r.params[p].stderr, c.stderr[j], 1e-4);
    });
    expect(r.constraints[0].active).toBe(true);
    expectClose(r.constraints[0].multiplier, c.multipliers[0], 1e-5);
  });

  it("a constraint on the model's output at every data point: y >= 0 (symfit Ge(y, 0))", () => {
    const c = byName('line y >= 0');
    const r = fit(
      'y = a + b*x',
      { x: c.x_data as number[], y: c.y as number[] },
      { a: 1, b: 1 },
      {
        constraints: ['y >= 0'],
      },
    );
    expect(r.success).toBe(true);
    expectClose(r.values.a, c.x[0], 0, 1e-9);
    expectClose(r.values.b, c.x[1], 1e-8);
    expectClose(r.params.b.stderr, c.stderr[1], 1e-6);
    expect(r.constraints[0].active).toBe(true);
    expectClose(r.constraints[0].multiplier, c.multipliers[0], 1e-6);
  });

  it('a nonlinear inequality: x0^2 + y0^2 >= r^2 with r a fixed parameter', () => {
    const c = byName('circle x0^2 + y0^2 >= r^2');
    const r = fit(
      'u = x0; v = y0',
      { u: c.u as number[], v: c.v as number[] },
      {
        x0: 1,
        y0: 1,
        r: { value: 1, fixed: true },
      },
      { constraints: ['x0^2 + y0^2 >= r^2'] },
    );
    expect(r.success).toBe(true);
    expectClose(r.values.x0, c.x[0], 1e-8);
    expectClose(r.values.y0, c.x[1], 1e-8);
    expectClose(r.params.x0.stderr, c.stderr[0], 1e-5);
    expectClose(r.params.y0.stderr, c.stderr[1], 1e-5);
    expectClose(r.constraints[0].multiplier, c.multipliers[0], 1e-6);
  });

  it('symfit #165: fixed parameters and theta1 >= theta2 (no worse than SLSQP)', () => {
    const c = byName('symfit #165 theta1 >= theta2');
    const r = fit(
      'y = (1 + x*theta1 + theta2*x^2) / (1 + phi1*x*theta1 + phi2*theta2*x^2)',
      { x: c.x_data as number[], y: c.y as number[] },
      {
        phi1: { value: c.phi1 as number, fixed: true },
        phi2: { value: c.phi2 as number, fixed: true },
        theta1: 1,
        theta2: 1,
      },
      { constraints: ['theta1 >= theta2'] },
    );
    expect(r.success).toBe(true);
    expect(r.values.theta1 - r.values.theta2).toBeGreaterThanOrEqual(-1e-9);
    expect(r.chi2).toBeLessThanOrEqual(c.chi2 * (1 + 1e-9));
  });
});

describe('bounds on tied parameters become constraints', () => {
  it('keeps the tie inside its bounds', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = x.map((v) => 1 + 0.5 * v);
    const r = fit('y = a + b*x', { x, y }, { a: 1, s: 1, b: { expr: 's - a', max: 0.3 } });
    expect(r.success).toBe(true);
    expectClose(r.values.b, 0.3, 0, 1e-9);
    expect(r.constraints.map((c) => c.text)).toEqual(['b <= 0.3']);
    expect(r.constraints[0].active).toBe(true);
  });
});

describe('constraint mistakes are ExprfitErrors naming them', () => {
  const x = [0, 1, 2];
  const data = { x, y: [1, 2, 3] };
  it.each([
    [['a + b < 1'], /constraint 'a \+ b < 1': use '<='/],
    [['a + b'], /constraint 'a \+ b': it is not a comparison/],
    [['a + q <= 1'], /constraint 'a \+ q <= 1': 'q' is not a parameter or a model output/],
    [['x >= 0'], /'x' is a data variable/],
    [['a + (b <= 1'], /constraint 'a \+ \(b <= 1'/],
    ['a <= 1', /option 'constraints'|constraints/],
  ])('%s', (constraints, message) => {
    const f = (): unknown =>
      fit('y = a + b*x', data, { a: 1, b: 1 }, { constraints: constraints as string[] });
    expect(f).toThrow(ExprfitError);
    expect(f).toThrow(message);
  });

  it('a model-output constraint over data with a NaN names the point', () => {
    const f = (): unknown =>
      fit(
        'y = a + b*x',
        { x: [0, NaN, 2], y: [1, 2, 3] },
        { a: 1, b: 1 },
        { constraints: ['y >= 0'], nanPolicy: 'omit' },
      );
    expect(f).toThrow(/constraint 'y >= 0': data 'x' has NaN at index 1/);
  });

  it('infeasible constraints end without success, saying so (no exception)', () => {
    const r = fit('y = a + b*x', data, { a: 1, b: 1 }, { constraints: ['a + b <= 1', 'a + b >= 2'] });
    expect(r.success).toBe(false);
    expect(r.termination).toBe('maxiter');
    expect(r.message).toMatch(/constraints not met after 60 outer iterations: max violation 5\.00e-1/);
  });

  it('constraints need the least-squares lm solver', () => {
    const f = (): unknown =>
      fit('y = a + b*x', data, { a: 1, b: 1 }, { constraints: ['a <= 1'], method: 'nelder' });
    expect(f).toThrow(/constraints/);
  });
});

describe('a saved constrained fit', () => {
  it('keeps its constraints and degrees of freedom through toJSON and loadResult', async () => {
    const { loadResult } = await import('../../src/fit/load.ts');
    const x = [0, 1, 2, 3, 4];
    const r = fit(
      'y = a + b*x',
      { x, y: [0.2, 0.9, 2.2, 2.8, 4.1] },
      { a: 1, b: 1 },
      { constraints: ['a + b == 1'] },
    );
    const back = loadResult(JSON.stringify(r.toJSON()));
    expect(back.constraints).toEqual(r.constraints);
    expect(back.dof).toBe(r.dof);
    expect(back.redchi).toBe(r.redchi);
    expect(back.report()).toContain('[[Constraints]]');
  });
});
