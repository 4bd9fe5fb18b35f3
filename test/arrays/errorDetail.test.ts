/**
 * The errors of the array functions carry their structured detail from the start (src/arrays/util.ts,
 * `Subject`): `detail.function`, `detail.separator`, `detail.reason`, `detail.value`, and the message is
 * composed from them (never sliced back out of the message text).
 */
import { describe, expect, it } from 'vitest';
import { crBasis, gausskernel1d, sumOfGaussians } from '../../src/arrays/index.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { NdArray } from '../../src/data/ndarray.ts';

function errorOf(f: () => unknown): ExprfitError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExprfitError) return e;
    throw e;
  }
  throw new Error('expected an ExprfitError');
}

describe('errors of API functions: detail { function, separator, reason, value }', () => {
  it.each([
    [
      'a NaN in x',
      () => crBasis([1, 2, NaN], { df: 3 }),
      'crBasis x[2] is NaN',
      { function: 'crBasis', separator: ' ', reason: 'x[2] is NaN', value: NaN },
    ],
    [
      'neither df nor knots',
      () => crBasis([1, 2, 3]),
      "crBasis needs 'df' or 'knots'",
      { function: 'crBasis', separator: ' ', reason: "needs 'df' or 'knots'" },
    ],
    [
      'an empty x without bounds',
      () => crBasis([], { df: 3 }),
      'crBasis: x is empty, so lowerBound and upperBound must be given',
      {
        function: 'crBasis',
        separator: ': ',
        reason: 'x is empty, so lowerBound and upperBound must be given',
      },
    ],
    [
      'a string in x (NdArray.from, in the data layer)',
      () => crBasis(['a'] as unknown as number[], { df: 3 }),
      'crBasis x[0] is "a", not a number',
      { function: 'crBasis', separator: ' ', reason: 'x[0] is "a", not a number', value: 'a' },
    ],
    [
      'a knot outside the bounds',
      () => crBasis([0, 1, 2, 3], { knots: [5] }),
      'crBasis knot 5 is outside the bounds [0, 3]',
      { function: 'crBasis', separator: ' ', reason: 'knot 5 is outside the bounds [0, 3]', value: 5 },
    ],
    [
      'a negative sigma of one kernel (checkPositive)',
      () =>
        sumOfGaussians(
          [10, 10],
          [
            [1, 1],
            [2, 2],
          ],
          [
            [1, 1],
            [-1, 1],
          ],
        ),
      'sumOfGaussians sigma sx[1] must be > 0, got -1',
      { function: 'sumOfGaussians', separator: ' ', reason: 'sigma sx[1] must be > 0, got -1', value: -1 },
    ],
    [
      'a shape entry that is not an integer (checkShape)',
      () => sumOfGaussians([10, 2.5], [[1, 1]], 1),
      'sumOfGaussians shape[1] must be an integer >= 0, got 2.5 in [10,2.5]',
      {
        function: 'sumOfGaussians',
        separator: ' ',
        reason: 'shape[1] must be an integer >= 0, got 2.5 in [10,2.5]',
        value: 2.5,
      },
    ],
    [
      'an image above the array limit (checkArraySize, in the data layer)',
      () => sumOfGaussians([1e5, 1e5], [[1, 1]], 1),
      'sumOfGaussians: shape [100000, 100000] has 10000000000 values, more than the limit of 268435456 (2^28 values, 2 GiB of float64)',
      {
        function: 'sumOfGaussians',
        separator: ': ',
        reason:
          'shape [100000, 100000] has 10000000000 values, more than the limit of 268435456 (2^28 values, 2 GiB of float64)',
        value: 1e10,
      },
    ],
  ])('%s', (_what, f, message, detail) => {
    const e = errorOf(f);
    expect(e.message).toBe(message);
    expect(e.detail).toEqual(detail);
    expect(`${e.detail.function}${e.detail.separator}${e.detail.reason}`).toBe(e.message);
  });

  it('the centres matrix as the offending value', () => {
    const e = errorOf(() => sumOfGaussians([10, 10], [[1, 2, 3]], 1));
    expect(e.message).toBe('sumOfGaussians centres must be [k, 2] rows (x, y), got shape [1, 3]');
    expect(e.detail.reason).toBe('centres must be [k, 2] rows (x, y), got shape [1, 3]');
    expect(e.detail.value).toBeInstanceOf(NdArray);
    expect((e.detail.value as NdArray).shape).toEqual([1, 3]);
  });

  it('a check with a plain name (not inside an API function) has the value but no function', () => {
    const e = errorOf(() => gausskernel1d(0, 1));
    expect(e.message).toBe('gausskernel size must be >= 1, got 0');
    expect(e.detail).toEqual({ value: 0 });
  });
});
