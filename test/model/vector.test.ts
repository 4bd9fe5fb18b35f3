import { describe, expect, it } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import { minimize } from '../../src/fit/minimize.ts';
import { requireScalarParams } from '../../src/model/vector.ts';
import { fitOde } from '../../src/ode/fit.ts';

describe('operations that take scalar parameters only', () => {
  it('name the vector parameter they refuse', () => {
    expect(requireScalarParams({ a: 1, b: { value: 2 } }, 'x')).toEqual({ a: 1, b: { value: 2 } });
    expect(() => requireScalarParams({ a: 1, beta: { length: 3 } }, 'x')).toThrow(
      "x takes scalar parameters only: 'beta' is a vector parameter",
    );
  });

  it('minimize and ODE fits give that error, not a wrong fit', () => {
    const vector = { k: [1, 2] };
    expect(() => minimize('(k - 1)^2', vector)).toThrow(ExprfitError);
    expect(() => minimize('(k - 1)^2', vector)).toThrow(
      /minimize\/maximize takes scalar parameters only: 'k'/,
    );
    const data = { t: [0, 1, 2], adata: [1, 0.5, 0.25] };
    expect(() => fitOde('D(a, t) = -k*a; a(0) = 1; adata = a', data, vector)).toThrow(
      /an ODE fit takes scalar parameters only: 'k'/,
    );
  });
});
