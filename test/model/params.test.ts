import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { ExprfitError } from '../../src/core/errors.ts';

describe('parameter bounds', () => {
  it.each([
    [Infinity, Infinity],
    [-Infinity, -Infinity],
  ])('[%s, %s] leave no finite value: an error naming the parameter', (min, max) => {
    const run = () => fit('y = a*x', { x: [1, 2, 3], y: [2, 4, 6] }, { a: { value: 1, min, max } });
    expect(run).toThrow(ExprfitError);
    expect(run).toThrow(/parameter 'a': bounds \[-?Infinity, -?Infinity\] leave no finite value/);
  });
});
