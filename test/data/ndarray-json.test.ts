import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';

describe('NdArray JSON', () => {
  it('is { shape, data } with the values in row-major order; NaN becomes null', () => {
    const a = new NdArray(Float64Array.from([1, 2, 3, 4, 5, NaN]), [2, 3]);
    expect(JSON.stringify(a)).toBe('{"shape":[2,3],"data":[1,2,3,4,5,null]}');
  });

  it('reads back with new NdArray(Float64Array.from(data), shape)', () => {
    const a = new NdArray(Float64Array.from([0.5, -2, 1e-300]), [3, 1]);
    const { shape, data } = JSON.parse(JSON.stringify(a)) as { shape: number[]; data: number[] };
    expect(new NdArray(Float64Array.from(data), shape)).toEqual(a);
  });
});
