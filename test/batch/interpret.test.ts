/** The interpreted batch accumulation (no code generation) against the generated kernel. */
import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { compileProgram } from '../../src/compile/fragments.ts';
import { prepareMany } from '../../src/batch/fitMany.ts';
import { interpretedAccumulate } from '../../src/batch/interpret.ts';
import { generateAccumulate } from '../../src/batch/kernel.ts';
import type { AccumulateKernel, AccumulateOptions } from '../../src/batch/kernel.ts';
import { kernelBuffers, type BatchSetup } from '../../src/batch/problem.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { rng } from './helpers.ts';

const W = 9;
const H = 7;
const xs = new NdArray(
  Float64Array.from({ length: W }, (_v, i) => i),
  [1, W],
);
const ys = new NdArray(
  Float64Array.from({ length: H }, (_v, i) => i),
  [H, 1],
);

const MODELS: { expr: string; params: Record<string, number> }[] = [
  {
    expr: 'A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg',
    params: { A: 300, x0: 4.2, y0: 3.1, s: 1.4, bg: 7 },
  },
  {
    expr: 'A*exp(-((x - x0)*cos(t) + (y - y0)*sin(t))^2/(2*sx^2) - ((y - y0)*cos(t) - (x - x0)*sin(t))^2/(2*sy^2)) + bg',
    params: { A: 250, x0: 4.4, y0: 2.8, sx: 2.1, sy: 1.2, t: 0.4, bg: 5 },
  },
];

/** Runs one kernel on fit 1 of the setup: χ², gradient, Hessian (and the Poisson model values). */
function runKernel(k: AccumulateKernel, s: BatchSetup, p: Float64Array) {
  const P = p.length;
  const { tables, scratch } = kernelBuffers(k, s);
  const h = new Float64Array(P * P);
  const g = new Float64Array(P);
  const arrays = s.variableData as Float64Array[];
  const sum = k.fn(
    p,
    new Float64Array(0),
    s.dims,
    s.strides,
    arrays,
    tables,
    s.observed,
    s.size,
    s.weights,
    h,
    g,
    scratch,
    0,
  );
  const values =
    k.valueSlice < 0 ? [] : [...scratch.subarray(k.valueSlice * s.size, (k.valueSlice + 1) * s.size)];
  return { sum, h: [...h], g: [...g], values };
}

function expectClose(a: readonly number[], b: readonly number[]): void {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1, ...b.map(Math.abs));
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-12 * scale));
}

describe('interpreted batch kernels', () => {
  for (const m of MODELS) {
    for (const [estimator, fisher] of [
      ['lse', false],
      ['poisson', false],
      ['poisson', true],
    ] as const) {
      for (const weighted of [false, true]) {
        it(`equal the generated kernel: ${m.expr.slice(0, 30)}…, ${estimator}${fisher ? ' fisher' : ''}${weighted ? ', weighted' : ''}`, () => {
          const u = rng(5);
          const obs = Float64Array.from({ length: 2 * W * H }, () => Math.round(5 + 50 * u()));
          const wts = weighted ? Float64Array.from({ length: 2 * W * H }, () => 0.5 + u()) : null;
          const prep = prepareMany(m.expr, { z: new NdArray(obs, [2, H, W]), x: xs, y: ys }, m.params, {
            estimator,
            ...(wts ? { weights: new NdArray(wts, [2, H, W]) } : {}),
          });
          const s = prep.setup;
          const program = compileProgram(parseExpr(m.expr), {
            params: s.params,
            fixed: [],
            variables: s.variables,
          });
          const layout = { levels: s.levels, variables: s.layouts };
          const opts: AccumulateOptions = { estimator, weighted, fisher };
          const p = Float64Array.from(s.params.map((q) => m.params[q]));
          const want = runKernel(generateAccumulate(program, layout, opts), s, p);
          const got = runKernel(interpretedAccumulate(program, layout, opts), s, p);
          expect(Math.abs(got.sum - want.sum)).toBeLessThanOrEqual(1e-12 * Math.abs(want.sum));
          expectClose(got.g, want.g);
          expectClose(got.h, want.h);
          expectClose(got.values, want.values);
          expect(want.g.some((v) => v !== 0)).toBe(true);
        });
      }
    }
  }
});
