/** `matmul` (the script's `A @ b`, `dot(A, b)`) against products written out. */
import { describe, expect, it } from 'vitest';
import { matmul } from '../../src/arrays/matmul.ts';
import { NdArray } from '../../src/data/ndarray.ts';

const A = new NdArray(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);

describe('matmul', () => {
  it('contracts the last axis of a matrix with a vector', () => {
    const r = matmul(A, new NdArray(Float64Array.from([1, 0, -1]))) as NdArray;
    expect(r.shape).toEqual([2]);
    expect(Array.from(r.data)).toEqual([-2, -2]);
  });
  it('multiplies matrices, and a vector by a matrix', () => {
    const B = new NdArray(Float64Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    const r = matmul(A, B) as NdArray;
    expect(r.shape).toEqual([2, 2]);
    expect(Array.from(r.data)).toEqual([22, 28, 49, 64]);
    const v = matmul(new NdArray(Float64Array.from([1, 1, 1])), B) as NdArray;
    expect(Array.from(v.data)).toEqual([9, 12]);
  });
  it('reports shapes that do not align', () => {
    expect(() => matmul(A, new NdArray(Float64Array.from([1, 2])))).toThrow(
      'matrix product: shapes [2, 3] and [2] do not align',
    );
  });
});
