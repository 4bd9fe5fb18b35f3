import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { evaluateArray } from '../../src/script/arrayExpr.ts';
import { ExprfitError } from '../../src/core/errors.ts';

describe('evaluateArray', () => {
  it('broadcasts [1, w] against [h, 1] into an image', async () => {
    const v = (await evaluateArray('exp(-(x^2 + y^2)/2)', { x: [[-1, 0, 1]], y: [[0], [2]] })) as NdArray;
    expect(v.shape).toEqual([2, 3]);
    expect(v.get(0, 1)).toBe(1);
    expect(v.get(1, 0)).toBeCloseTo(Math.exp(-2.5), 15);
  });

  it('combines kernels as in the heatmap question', async () => {
    const P1 = new NdArray(Float64Array.from([0.1, 0.5, 0.9, 0]), [2, 2]);
    const P2 = new NdArray(Float64Array.from([0.2, 0.5, 0, 1]), [2, 2]);
    const v = (await evaluateArray('1 - (1 - P1)*(1 - P2)', { P1, P2 })) as NdArray;
    expect(Array.from(v.data)).toEqual([1 - 0.9 * 0.8, 0.75, 0.9, 1]);
  });

  it('reaches array functions, literals and slicing', async () => {
    expect(await evaluateArray('sum(linspace(0, 1, 5))')).toBeCloseTo(2.5, 14);
    const s = (await evaluateArray('[1, 2, 3, 4][1:3] * 10')) as NdArray;
    expect(Array.from(s.data)).toEqual([20, 30]);
  });

  it('reports shape and name errors with positions', async () => {
    await expect(evaluateArray('a + b', { a: [1, 2], b: [1, 2, 3] })).rejects.toThrow(/broadcast/);
    const err = await evaluateArray('a + nope', { a: [1] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).format()).toMatch(/\^/);
  });
});
