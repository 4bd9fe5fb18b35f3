/** The batch kernel's loop accumulation (large joint groups) equals the unrolled one. */
import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { compileProgram } from '../../src/compile/fragments.ts';
import { prepareMany } from '../../src/batch/fitMany.ts';
import { generateAccumulate, LOOP_ACCUMULATION_ABOVE } from '../../src/batch/kernel.ts';
import type { AccumulateKernel, AccumulateOptions } from '../../src/batch/kernel.ts';
import { kernelBuffers, type BatchSetup } from '../../src/batch/problem.ts';
import { multiSpotModel, spotModel } from '../../src/batch/models.ts';
import { printExpr } from '../../src/ast/print.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { rng } from './helpers.ts';

const W = 11;
const axis = (n: number, shape: number[]) =>
  new NdArray(
    Float64Array.from({ length: n }, (_v, i) => i),
    shape,
  );

/** χ², gradient and Hessian of fit 1 of the setup. */
function runKernel(k: AccumulateKernel, s: BatchSetup, p: Float64Array) {
  const P = p.length;
  const { tables, scratch } = kernelBuffers(k, s);
  const h = new Float64Array(P * P).fill(NaN);
  const g = new Float64Array(P).fill(NaN);
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
  return { sum, g: [...g], h: [...h] };
}

describe('loop accumulation', () => {
  // Three spots and a background: 13 parameters (the loops are forced on and off).
  const multi = multiSpotModel(spotModel('symmetric'), 3);
  const text = printExpr(multi.expr);
  const start: Record<string, number> = {};
  multi.rename.forEach((names, i) => {
    start[names.get('amplitude')!] = 200 + 50 * i;
    start[names.get('x0')!] = 3 + 2.5 * i;
    start[names.get('y0')!] = 4 + i;
    start[names.get('sigma')!] = 1.3 + 0.1 * i;
  });
  start.background = 6;
  for (const [estimator, weighted] of [
    ['lse', false],
    ['lse', true],
    ['poisson', false],
  ] as const) {
    it(`equals the unrolled kernel: ${estimator}${weighted ? ', weighted' : ''}`, () => {
      const u = rng(2);
      const obs = Float64Array.from({ length: 2 * W * W }, () => Math.round(5 + 80 * u()));
      const wts = weighted ? Float64Array.from({ length: 2 * W * W }, () => 0.5 + u()) : null;
      const data = { z: new NdArray(obs, [2, W, W]), x: axis(W, [1, W]), y: axis(W, [W, 1]) };
      const prep = prepareMany(text, data, start, {
        estimator,
        ...(wts ? { weights: new NdArray(wts, [2, W, W]) } : {}),
      });
      const s = prep.setup;
      const program = compileProgram(parseExpr(text), {
        params: s.params,
        fixed: [],
        variables: s.variables,
      });
      const layout = { levels: s.levels, variables: s.layouts };
      const opts: AccumulateOptions = { estimator, weighted };
      const p = Float64Array.from(s.params.map((q) => start[q]));
      const unrolled = runKernel(generateAccumulate(program, layout, { ...opts, loops: false }), s, p);
      const looped = generateAccumulate(program, layout, { ...opts, loops: true });
      expect(looped.source).toContain('new Float64Array(13)');
      const got = runKernel(looped, s, p);
      expect(got.sum).toBe(unrolled.sum);
      got.g.forEach((v, i) => expect(v).toBeCloseTo(unrolled.g[i], 9));
      got.h.forEach((v, i) =>
        expect(Math.abs(v - unrolled.h[i])).toBeLessThanOrEqual(1e-12 * Math.abs(unrolled.h[i]) + 1e-9),
      );
    });
  }
  it('is the default above the threshold only', () => {
    expect(LOOP_ACCUMULATION_ABOVE).toBeGreaterThanOrEqual(13);
  });
});
