/** Every operation whose options are declared in a schema reports unknown keys in the one format. */
import { describe, expect, it } from 'vitest';
import { grid } from '../../src/arrays/basic.ts';
import { crBasis } from '../../src/arrays/crbasis.ts';
import { sumOfGaussians } from '../../src/arrays/gaussian.ts';
import { smoothingSpline } from '../../src/arrays/spline.ts';
import { OptionError } from '../../src/core/options.ts';
import { validateFitOptions } from '../../src/fit/options.ts';
import { validateLbfgsbOptions } from '../../src/solver/lbfgsb.ts';
import { validateNelderMeadOptions } from '../../src/solver/neldermead.ts';
import { minimizeNLL } from '../../src/solver/nll.ts';
import { validateOptions as validateSolverOptions } from '../../src/solver/options.ts';

function errorOf(f: () => unknown): OptionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error('expected an OptionError');
}

const likelihood = {
  n: 1,
  m: 1,
  pdf: (_x: Float64Array, p: Float64Array) => p.fill(1),
  pdfJacobian: (_x: Float64Array, P: Float64Array) => P.fill(0),
};

describe('unknown options', () => {
  it.each([
    ['solver', 'ftoll', 'ftol', () => validateSolverOptions({ ftoll: 1 } as never)],
    ['L-BFGS-B', 'memroy', 'memory', () => validateLbfgsbOptions({ memroy: 1 } as never)],
    ['Nelder–Mead', 'restart', 'restarts', () => validateNelderMeadOptions({ restart: 1 } as never)],
    ['likelihood', 'rcnd', 'rcond', () => minimizeNLL(likelihood, [1], { rcnd: 1 } as never)],
    ['fit', 'maxfevs', 'maxfev', () => validateFitOptions({ maxfevs: 3 } as never)],
    ['grid', 'ful', 'full', () => grid([2, 2], { ful: true } as never)],
    ['crBasis', 'knot', 'knots', () => crBasis([1, 2, 3], { knot: [2] } as never)],
    [
      'sumOfGaussians',
      'normalise',
      'normalize',
      () => sumOfGaussians([4, 4], [[1, 1]], 1, 1, { normalise: true } as never),
    ],
    [
      'smoothingSpline',
      'smoth',
      'smooth',
      () => smoothingSpline([0, 1, 2, 3, 4], [0, 1, 2, 3, 4], { smoth: 0.5 } as never),
    ],
  ])('%s: %s', (scope, key, near, f) => {
    const e = errorOf(f);
    expect(e.code).toBe('option');
    expect(e.message).toBe(`unknown ${scope} option '${key}'`);
    expect(e.hints).toEqual([`did you mean '${near}'?`]);
    expect(e.detail).toMatchObject({ scope, problem: 'unknown', key, suggestions: [near] });
  });
});

describe('fit option aliases', () => {
  it('maxiter and nan are other spellings of maxIterations and nanPolicy', () => {
    expect(validateFitOptions({ maxiter: 5, nan: 'omit' } as never)).toMatchObject({
      maxIterations: 5,
      nanPolicy: 'omit',
    });
  });
});
