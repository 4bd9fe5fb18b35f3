import { describe, expect, it } from 'vitest';
import { DEFAULT_SOLVER_OPTIONS, validateOptions } from '../../src/solver/options.ts';
import { validateLbfgsbOptions } from '../../src/solver/lbfgsb.ts';
import { solveLeastSquares } from '../../src/solver/lm.ts';
import { validateNelderMeadOptions } from '../../src/solver/neldermead.ts';
import { ExprfitError } from '../../src/core/errors.ts';

function errorOf(fn: () => unknown): ExprfitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExprfitError);
    return e as ExprfitError;
  }
  throw new Error('expected an ExprfitError');
}

describe('validateOptions', () => {
  it('fills in the documented defaults', () => {
    const o = validateOptions({});
    expect(o).toMatchObject({
      ftol: 1e-15,
      xtol: 1e-15,
      gtol: 1e-15,
      maxIterations: 'auto',
      maxFunctionEvaluations: 'auto',
      initialTrustRadiusFactor: 1,
      xScale: 'jac',
      loss: 'linear',
      fScale: 1,
      geodesicAcceleration: false,
      geodesicMaxRatio: 0.75,
      geodesicStep: 0.1,
      acceptRatio: 1e-4,
      polishSteps: 20,
    });
    expect(validateOptions()).toEqual(o);
    expect(DEFAULT_SOLVER_OPTIONS.ftol).toBe(1e-15);
  });

  it('keeps given values', () => {
    const o = validateOptions({
      ftol: 1e-8,
      loss: 'huber',
      fScale: 0.5,
      maxFunctionEvaluations: 50,
      xScale: [1, 2],
    });
    expect(o.ftol).toBe(1e-8);
    expect(o.loss).toBe('huber');
    expect(o.fScale).toBe(0.5);
    expect(o.maxFunctionEvaluations).toBe(50);
  });

  it("xScale 'unit' is accepted and means a scale of 1 for every parameter", () => {
    expect(validateOptions({ xScale: 'unit' }).xScale).toBe('unit');
    const problem = {
      n: 2,
      m: 2,
      residuals: (x: Float64Array, r: Float64Array) => r.set([10 * (x[1] - x[0] * x[0]), 1 - x[0]]),
      jacobian: (x: Float64Array, J: Float64Array) => J.set([-20 * x[0], 10, -1, 0]),
    };
    const unit = solveLeastSquares(problem, [-1.2, 1], { xScale: 'unit' });
    const ones = solveLeastSquares(problem, [-1.2, 1], { xScale: [1, 1] });
    const jac = solveLeastSquares(problem, [-1.2, 1]);
    expect(unit.nfev).toBe(ones.nfev);
    expect(Array.from(unit.x)).toEqual(Array.from(ones.x));
    expect(unit.nfev).not.toBe(jac.nfev);
  });

  it.each([
    [{ ftol: -1 }, /solver option 'ftol' must be a finite number >= 0 and <= 1, got -1/],
    [{ xtol: NaN }, /solver option 'xtol' must be a finite number >= 0 and <= 1, got NaN/],
    [{ gtol: 'small' }, /solver option 'gtol' must be a finite number >= 0 and <= 1, got 'small'/],
    [{ ftol: 2 }, /solver option 'ftol' must be a finite number >= 0 and <= 1, got 2/],
    [{ maxIterations: 0 }, /solver option 'maxIterations' must be 'auto' or an integer >= 1, got 0/],
    [
      { maxFunctionEvaluations: 2.5 },
      /solver option 'maxFunctionEvaluations' must be 'auto' or an integer >= 1, got 2.5/,
    ],
    [
      { initialTrustRadiusFactor: 0 },
      /solver option 'initialTrustRadiusFactor' must be a finite number > 0, got 0/,
    ],
    [
      { loss: 'l1' },
      /solver option 'loss' must be one of 'linear', 'soft_l1', 'huber', 'cauchy' or 'arctan', got 'l1'/,
    ],
    [{ fScale: 0 }, /solver option 'fScale' must be a finite number > 0, got 0/],
    [
      { xScale: 'auto' },
      /solver option 'xScale' must be 'jac', 'unit' or an array of finite numbers > 0, got 'auto'/,
    ],
    [
      { xScale: [1, -2] },
      /solver option 'xScale' must be 'jac', 'unit' or an array of finite numbers > 0, got an array of length 2/,
    ],
    [{ geodesicAcceleration: 1 }, /solver option 'geodesicAcceleration' must be true or false, got 1/],
    [{ polishSteps: -1 }, /solver option 'polishSteps' must be an integer >= 0, got -1/],
    [{ acceptRatio: 0.5 }, /solver option 'acceptRatio' must be a finite number >= 0 and <= 0.25, got 0.5/],
    [{ callback: 3 }, /solver option 'callback' must be a function, got 3/],
  ])('rejects %j', (opts, msg) => {
    const e = errorOf(() => validateOptions(opts as never));
    expect(e.code).toBe('option');
    expect(e.message).toMatch(msg);
  });

  it('rejects unknown option names with a did-you-mean hint', () => {
    const e = errorOf(() => validateOptions({ ftoll: 1e-8 } as never));
    expect(e.message).toBe("unknown solver option 'ftoll'");
    expect(e.hints).toEqual(["did you mean 'ftol'?"]);
    const f = errorOf(() => validateOptions({ maxfev: 10 } as never));
    expect(f.message).toBe("unknown solver option 'maxfev'");
  });

  it('rejects a non-object', () => {
    expect(errorOf(() => validateOptions(3 as never)).message).toMatch(/must be an object, got 3/);
  });

  it('validates the minimizer options too', () => {
    expect(validateLbfgsbOptions({}).memory).toBe(10);
    expect(errorOf(() => validateLbfgsbOptions({ memory: 0 })).message).toMatch(
      /L-BFGS-B option 'memory' must be an integer >= 1, got 0/,
    );
    expect(errorOf(() => validateLbfgsbOptions({ gtoll: 1 } as never)).hints).toEqual([
      "did you mean 'gtol'?",
    ]);
    expect(validateNelderMeadOptions({}).adaptive).toBe(true);
    expect(errorOf(() => validateNelderMeadOptions({ initialStep: -1 })).message).toMatch(
      /Nelder–Mead option 'initialStep' must be a finite number > 0/,
    );
  });
});
