import { describe, expect, it } from 'vitest';
import { MAX_ARRAY_ELEMENTS, NdArray, checkArraySize } from '../../src/data/ndarray.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import {
  arange,
  concat,
  full,
  grid,
  linspace,
  max,
  mean,
  meshgrid,
  min,
  ones,
  ravel,
  reshape,
  slice,
  std,
  sum,
  transpose,
  zeros,
} from '../../src/arrays/index.ts';
import type { SliceItem } from '../../src/arrays/index.ts';
import { expectClose } from './helpers.ts';

const A = (data: number[], shape: number[]) => new NdArray(Float64Array.from(data), shape);
/** 0..n-1 in the given shape (numpy arange(n).reshape(shape)). */
const iota = (shape: number[]) => arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);

function throwsExprfit(f: () => unknown, code: string, text: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExprfitError);
    expect((e as ExprfitError).code).toBe(code);
    expect((e as ExprfitError).message).toMatch(text);
    return;
  }
  throw new Error('expected an ExprfitError');
}

describe('constructors', () => {
  it.each([
    [0, 1, 5, true, [0, 0.25, 0.5, 0.75, 1]],
    [1, 0, 3, true, [1, 0.5, 0]],
    [2, 3, 1, true, [2]],
    [0, 1, 4, false, [0, 0.25, 0.5, 0.75]],
    [0, 1, 0, true, []],
  ])('linspace(%d, %d, %d, endpoint=%s)', (a, b, n, ep, expected) => {
    const r = linspace(a, b, n, ep);
    expect(r.shape).toEqual([expected.length]);
    expect(Array.from(r.data)).toEqual(expected);
  });

  it('linspace ends exactly at b and matches numpy start + i*step', () => {
    const r = linspace(-2.5, 2.5, 6);
    expect(r.data[5]).toBe(2.5);
    expect(r.data[1]).toBe(1 * (5 / 5) + -2.5);
  });

  it.each([
    [[5], [0, 1, 2, 3, 4]],
    [
      [2, 5],
      [2, 3, 4],
    ],
    [
      [0, 1, 0.25],
      [0, 0.25, 0.5, 0.75],
    ],
    [
      [5, 0, -2],
      [5, 3, 1],
    ],
    [[3, 1], []],
    [
      [0, 0.3, 0.1],
      [0, 0.1, 0.2],
    ],
  ])('arange(%j)', (args, expected) => {
    const r = arange(...(args as [number, number?, number?]));
    expect(Array.from(r.data)).toEqual(
      expected.map((v, i) => (args.length === 3 ? args[0] + i * args[2] : v)),
    );
    expect(r.data.length).toBe(expected.length);
  });

  it('zeros, ones, full', () => {
    expect(zeros([2, 3]).shape).toEqual([2, 3]);
    expect(Array.from(ones(3).data)).toEqual([1, 1, 1]);
    expect(Array.from(full([2], 7).data)).toEqual([7, 7]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).size).toBe(1);
  });

  it.each([
    [() => arange(0, 5, 0), 'value', /step must not be 0/],
    [() => linspace(0, 1, -1), 'value', /linspace count must be >= 0, got -1/],
    [() => linspace(0, NaN, 3), 'value', /linspace stop must be a finite number, got NaN/],
    [() => zeros([2, -1]), 'value', /zeros shape\[1\] must be an integer >= 0, got -1/],
    [() => ones([1.5]), 'value', /got 1.5/],
  ])('constructor errors %#', (f, code, text) => throwsExprfit(f, code, text));
});

describe('grids', () => {
  it('grid gives broadcastable pixel-centre coordinates', () => {
    const { x, y } = grid([2, 3]);
    expect(x.shape).toEqual([1, 3]);
    expect(y.shape).toEqual([2, 1]);
    expect(Array.from(x.data)).toEqual([0, 1, 2]);
    expect(Array.from(y.data)).toEqual([0, 1]);
  });

  it('grid full and from an image', () => {
    const { x, y } = grid(zeros([2, 3]), { full: true });
    expect(x.shape).toEqual([2, 3]);
    expect(Array.from(x.data)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(y.data)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('grid rejects non-2-D', () => throwsExprfit(() => grid(zeros([2, 3, 4])), 'shape', /\[2, 3, 4\]/));

  it('meshgrid uses xy indexing', () => {
    const [X, Y] = meshgrid([1, 2, 3], [10, 20]);
    expect(X.shape).toEqual([2, 3]);
    expect(Array.from(X.data)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(Array.from(Y.data)).toEqual([10, 10, 10, 20, 20, 20]);
  });
});

describe('reductions', () => {
  const a = A([1, 2, 3, 4, 5, 6], [2, 3]);
  it.each([
    ['sum', undefined, [], [21]],
    ['sum', 0, [3], [5, 7, 9]],
    ['sum', 1, [2], [6, 15]],
    ['sum', -1, [2], [6, 15]],
    ['mean', undefined, [], [3.5]],
    ['mean', 0, [3], [2.5, 3.5, 4.5]],
    ['min', 1, [2], [1, 4]],
    ['max', 0, [3], [4, 5, 6]],
    ['max', undefined, [], [6]],
    ['std', undefined, [], [Math.sqrt(17.5 / 6)]],
    ['std', 1, [2], [Math.sqrt(2 / 3), Math.sqrt(2 / 3)]],
  ] as const)('%s axis %s', (fn, axis, shape, expected) => {
    const f = { sum, mean, min, max, std }[fn];
    const r = f(a, axis);
    expect(r.shape).toEqual(shape);
    expectClose(r.data, expected, 1e-15, 'rel');
  });

  it('keepdims and ddof', () => {
    expect(sum(a, 1, { keepdims: true }).shape).toEqual([2, 1]);
    expect(mean(a, undefined, { keepdims: true }).shape).toEqual([1, 1]);
    expectClose(
      std(a, 0, { ddof: 1 }).data,
      [Math.SQRT2 * 1.5, Math.SQRT2 * 1.5, Math.SQRT2 * 1.5],
      1e-15,
      'rel',
    );
  });

  it('3-D middle axis', () => {
    const r = sum(iota([2, 3, 2]), 1);
    expect(r.shape).toEqual([2, 2]);
    expect(Array.from(r.data)).toEqual([6, 9, 24, 27]);
  });

  it('NaN propagates through min/max', () => {
    expect(max(A([1, NaN, 3], [3])).data[0]).toBeNaN();
    expect(min(A([NaN, 1, 3], [3])).data[0]).toBeNaN();
  });

  it('sum of many values is accurate (pairwise)', () => {
    const n = 1_000_001;
    const r = sum(new NdArray(new Float64Array(n).fill(0.1)));
    expect(Math.abs(r.data[0] - n * 0.1)).toBeLessThan(1e-8);
  });

  it.each([
    [() => sum(a, 2), 'value', /axis 2 is out of range for an array of 2 dims/],
    [() => max(zeros([0])), 'value', /max of an empty array \(shape \[0\]\)/],
    [() => mean(a, 1.5), 'value', /axis must be an integer, got 1.5/],
  ])('reduction errors %#', (f, code, text) => throwsExprfit(f, code, text));
});

describe('shape operations', () => {
  it('reshape with -1, sharing storage', () => {
    const a = iota([2, 3]);
    const r = reshape(a, [3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(a.data);
  });

  it('reshape errors name both shapes', () =>
    throwsExprfit(() => reshape(iota([2, 3]), [4, 2]), 'shape', /shape \[2, 3\] \(6 values\) into \[4, 2\]/));

  it('ravel', () => {
    expect(ravel(iota([2, 2])).shape).toEqual([4]);
  });

  it('transpose 2-D (blocked) matches the definition', () => {
    const a = iota([37, 45]);
    const t = transpose(a);
    expect(t.shape).toEqual([45, 37]);
    for (let i = 0; i < 37; i += 7) for (let j = 0; j < 45; j += 5) expect(t.get(j, i)).toBe(a.get(i, j));
  });

  it('transpose with a permutation', () => {
    const a = iota([2, 3, 4]);
    const t = transpose(a, [1, 2, 0]);
    expect(t.shape).toEqual([3, 4, 2]);
    expect(t.get(2, 3, 1)).toBe(a.get(1, 2, 3));
    expect(transpose(a).get(3, 2, 1)).toBe(a.get(1, 2, 3));
  });

  it('transpose errors', () => {
    throwsExprfit(() => transpose(iota([2, 3]), [0, 0]), 'value', /repeated axis/);
    throwsExprfit(() => transpose(iota([2, 3]), [0]), 'value', /shape \[2, 3\]/);
  });

  // expectations from numpy: np.arange(20).reshape(4, 5)[items]
  it.each<[SliceItem[], number[], number[]]>([
    [[1], [5], [5, 6, 7, 8, 9]],
    [[-1, -2], [], [18]],
    [[{ start: 1, stop: 3 }], [2, 5], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]],
    [
      [null, { step: 2 }],
      [4, 3],
      [0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19],
    ],
    [[{ step: -1 }, 0], [4], [15, 10, 5, 0]],
    [
      ['1:3', '::-2'],
      [2, 3],
      [9, 7, 5, 14, 12, 10],
    ],
    [
      [':', '-2:'],
      [4, 2],
      [3, 4, 8, 9, 13, 14, 18, 19],
    ],
    [[{ start: -100, stop: 100 }, 4], [4], [4, 9, 14, 19]],
    [[{ start: 3, stop: 1 }], [0, 5], []],
    [[{ start: 5, stop: -100, step: -1 }, 2], [4], [17, 12, 7, 2]],
    [['...', 1], [4], [1, 6, 11, 16]],
    [[2, '...'], [5], [10, 11, 12, 13, 14]],
    [
      [
        { start: 1, stop: 2 },
        { start: 1, stop: 2 },
      ],
      [1, 1],
      [6],
    ],
  ])('slice %j', (items, shape, expected) => {
    const r = slice(iota([4, 5]), items);
    expect(r.shape).toEqual(shape);
    expect(Array.from(r.data)).toEqual(expected);
  });

  it('slice 3-D', () => {
    const r = slice(iota([3, 4, 5]), [{ start: 1 }, 2, { start: 1, stop: 4, step: 2 }]);
    expect(r.shape).toEqual([2, 2]);
    expect(Array.from(r.data)).toEqual([31, 33, 51, 53]);
  });

  it.each<[SliceItem[], string, RegExp]>([
    [[4], 'value', /index 4 is out of bounds for axis 0 with size 4 \(shape \[4, 5\]\)/],
    [[0, 0, 0], 'shape', /too many indices \(3\) for an array of shape \[4, 5\]/],
    [[{ step: 0 }], 'value', /step for axis 0 must be a non-zero integer, got 0/],
    [['1:x'], 'value', /bad slice '1:x'/],
    [[0.5], 'value', /index 0.5 for axis 0 is not an integer/],
  ])('slice errors %j', (items, code, text) => throwsExprfit(() => slice(iota([4, 5]), items), code, text));

  it('concat along axes', () => {
    const a = iota([2, 2]);
    const b = A([9, 9], [1, 2]);
    const r0 = concat([a, b]);
    expect(r0.shape).toEqual([3, 2]);
    expect(Array.from(r0.data)).toEqual([0, 1, 2, 3, 9, 9]);
    const r1 = concat([a, A([7, 8], [2, 1])], 1);
    expect(Array.from(r1.data)).toEqual([0, 1, 7, 2, 3, 8]);
    expect(concat([A([1], [1]), A([2, 3], [2])], -1).shape).toEqual([3]);
  });

  it('concat errors name the shapes', () =>
    throwsExprfit(() => concat([iota([2, 2]), iota([3, 3])], 0), 'shape', /\[2, 2\], \[3, 3\]/));
});

describe('size limit (2^28 values)', () => {
  const limit = /more than the limit of 268435456 \(2\^28 values/;
  it.each([
    ['linspace', () => linspace(0, 1, 1e12), /^linspace\(0, 1, 1000000000000\): shape \[1000000000000\]/],
    ['arange', () => arange(0, 1e13), /^arange\(0, 10000000000000, 1\): shape \[10000000000000\]/],
    ['arange overflow', () => arange(-1e308, 1e308), /^arange\(.*\): shape \[Infinity\]/],
    ['zeros', () => zeros([1e6, 1e6]), /^zeros: shape \[1000000, 1000000\] has 1000000000000 values/],
    ['ones', () => ones([1e6, 1e6]), /^ones: shape \[1000000, 1000000\]/],
    ['full', () => full([1e5, 1e5], 2), /^full: shape \[100000, 100000\]/],
    ['grid', () => grid([1e9, 1e9]), /^grid: shape \[1000000000, 1000000000\] needs an array of 1000000000/],
    ['grid full', () => grid([3e4, 3e4], { full: true }), /^grid: shape \[30000, 30000\] has 900000000/],
    ['meshgrid', () => meshgrid(arange(2 ** 15), arange(2 ** 15)), /^meshgrid: shape \[32768, 32768\]/],
  ])('%s is an ExprfitError naming the function and the shape', (_name, f, text) => {
    throwsExprfit(f, 'value', text);
    throwsExprfit(f, 'value', limit);
  });

  it('sizes at the limit are fine, one more is not; the helper is the one of src/data', () => {
    expect(checkArraySize('f', [2 ** 14, 2 ** 14])).toBe(2 ** 28);
    expect(MAX_ARRAY_ELEMENTS).toBe(2 ** 28);
    throwsExprfit(() => checkArraySize('f', [2 ** 28 + 1]), 'value', /^f: shape \[268435457\]/);
    throwsExprfit(() => checkArraySize('f', [NaN]), 'value', /^f: shape \[NaN\]/);
    throwsExprfit(() => NdArray.zeros([1e5, 1e5]), 'value', /^zeros: shape \[100000, 100000\]/);
  });

  it('rejects counts and sizes that are not whole numbers >= 0', () => {
    throwsExprfit(() => linspace(0, 1, -3), 'value', /linspace count must be >= 0, got -3/);
    throwsExprfit(() => linspace(0, 1, 2.5), 'value', /linspace count must be an integer, got 2.5/);
    throwsExprfit(() => zeros([2.5, 3]), 'value', /zeros shape\[0\] must be an integer >= 0, got 2.5/);
    throwsExprfit(() => full([3, -1], 0), 'value', /full shape\[1\] must be an integer >= 0, got -1/);
    throwsExprfit(() => ones(-1), 'value', /ones shape\[0\] must be an integer >= 0/);
  });

  it('grid rejects unknown options', () => {
    throwsExprfit(() => grid([2, 2], { ful: true } as never), 'option', /^unknown grid option 'ful'$/);
    expect(() => grid([2, 2], { ful: true } as never)).toThrow(
      expect.objectContaining({ hints: ["did you mean 'full'?"] }),
    );
  });
});
