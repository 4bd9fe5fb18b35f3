/** fit() with the scalar minimizers: termination contract (issue 10). */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';

describe('fit with method lbfgsb', () => {
  it('an exact fit (objective exactly 0) is a success', () => {
    const r = fit('y = a*x', { x: [1, 2, 3], y: [2, 4, 6] }, { a: 1 }, { method: 'lbfgsb' });
    expect(r.values.a).toBeCloseTo(2, 12);
    expect(r.success).toBe(true);
  });
});
