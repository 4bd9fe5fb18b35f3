import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { parseExpr } from '../../src/syntax/parse.ts';
import { compileModel, compileValues } from '../../src/compile/kernel.ts';
import type { BindOptions, DataArray } from '../../src/compile/kernel.ts';
import { codeGenerationAllowed } from '../../src/compile/interpret.ts';
import { lcg } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly expr: string;
  readonly params: string[];
  readonly fixed?: string[];
  readonly variables: string[];
  readonly p: number[];
  readonly data: (u: () => number) => Record<string, DataArray>;
  readonly opts?: (u: () => number) => BindOptions;
}

const column = (u: () => number, n: number, shape: number[]): NdArray =>
  new NdArray(
    Float64Array.from({ length: n }, () => 4 * u() - 2),
    shape,
  );

const CASES: Case[] = [
  {
    name: '1-D decay with observed values and a weight array',
    expr: 'A*exp(-t/tau) + c',
    params: ['A', 'tau', 'c'],
    variables: ['t'],
    p: [2, 1.3, 0.1],
    data: (u) => ({ t: column(u, 30, [30]) }),
    opts: (u) => ({ observed: column(u, 30, [30]), weights: column(u, 30, [30]) }),
  },
  {
    name: '2-D broadcast (a row and a column), a fixed value, a scalar weight',
    expr: 'A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + k*sin(x*y) + erf(x)',
    params: ['A', 'x0', 'y0', 's'],
    fixed: ['k'],
    variables: ['x', 'y'],
    p: [3, 0.2, -0.3, 1.1],
    data: (u) => ({ x: column(u, 7, [1, 7]), y: column(u, 5, [5, 1]) }),
    opts: (u) => ({ observed: column(u, 35, [5, 7]), weights: 0.5 }),
  },
  {
    name: 'a scalar variable, piecewise functions and powers',
    expr: 'if(x > 0, a*x^3, b*abs(x)^1.5) + max(a, b)*z',
    params: ['a', 'b'],
    variables: ['x', 'z'],
    p: [0.7, -1.2],
    data: (u) => ({ x: column(u, 12, [12]), z: 2.5 }),
  },
];

/** Relative closeness (the generated code may reassociate products; the interpreter does not). */
function expectClose(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(a[i]), Math.abs(b[i]));
    expect(Math.abs(a[i] - b[i]) / scale).toBeLessThan(1e-13);
  }
}

describe('interpreted kernels', () => {
  it('code generation is allowed in the test process (the probe is cached)', () => {
    expect(codeGenerationAllowed()).toBe(true);
    expect(codeGenerationAllowed()).toBe(true);
  });

  for (const c of CASES) {
    it(`values, Jacobians and residuals equal the generated code's: ${c.name}`, () => {
      const k = compileModel(parseExpr(c.expr), {
        params: c.params,
        fixed: c.fixed ?? [],
        variables: c.variables,
      });
      const u = lcg(7);
      const data = c.data(u);
      const opts = c.opts?.(u) ?? {};
      const compiled = k.bind(data, opts);
      const interpreted = k.bind(data, { ...opts, interpret: true });
      expect(interpreted.sourceFor('values')).toMatch(/interpreted/);
      const p = Float64Array.from(c.p);
      const fixed = Float64Array.from({ length: (c.fixed ?? []).length }, () => 0.3);
      const n = compiled.size;
      const P = c.params.length;
      const run = (b: typeof compiled) => {
        const values = new Float64Array(n);
        const out = new Float64Array(n);
        const jac = new Float64Array(n * P);
        b.values(p, fixed, values);
        b.valuesAndJacobian(p, fixed, out, jac);
        const res = new Float64Array(n);
        const resOut = new Float64Array(n);
        const resJac = new Float64Array(n * P);
        if (b.residuals && b.residualsAndJacobian) {
          b.residuals(p, fixed, res);
          b.residualsAndJacobian(p, fixed, resOut, resJac);
        }
        return [values, out, jac, res, resOut, resJac];
      };
      const want = run(compiled);
      const got = run(interpreted);
      want.forEach((w, j) => expectClose(got[j], w));
      expect(want[0].some((v) => v !== 0)).toBe(true);
    });
  }

  it('a values-only kernel interprets too', () => {
    const k = compileValues(parseExpr('a*x^2 + b'), { params: ['a', 'b'], variables: ['x'] });
    const x = Float64Array.of(-1, 0, 2);
    const out = new Float64Array(3);
    k.bind({ x }, { interpret: true }).values(Float64Array.of(2, 1), new Float64Array(0), out);
    expect([...out]).toEqual([3, 1, 9]);
  });
});
