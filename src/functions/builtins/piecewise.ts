/** Piecewise functions: abs, sign, rounding, steps, min/max and the conditional `if`. */
import { and, cmp, type Expr } from '../../ast/index.ts';
import type { FunctionDef } from '../types.ts';
import { unaryFunction } from './define.ts';
import { ZERO, fn, isZero } from '../dsl.ts';
import { heaviside as heavisideR } from '../runtime.ts';

const CATEGORY = 'Piecewise functions and conditionals';

export const abs = unaryFunction({
  name: 'abs',
  evaluate: Math.abs,
  js: 'Math.abs',
  derivative: (u) => fn('sign', u),
  description: 'Absolute value.',
  nonSmooth: 'The derivative is `sign(x)`; at x = 0 it is taken as 0.',
  examples: [
    { expr: 'abs(-2.5)', value: 2.5 },
    { expr: 'abs(3)', value: 3 },
  ],
  category: CATEGORY,
});

export const sign = unaryFunction({
  name: 'sign',
  evaluate: Math.sign,
  js: 'Math.sign',
  derivative: () => ZERO,
  description: 'The sign of x: -1, 0 or 1 (NaN for NaN).',
  nonSmooth: 'The derivative is taken as 0 everywhere, including at the jump at 0.',
  examples: [
    { expr: 'sign(-2)', value: -1 },
    { expr: 'sign(0)', value: 0 },
    { expr: 'sign(3.5)', value: 1 },
  ],
  category: CATEGORY,
  piecewiseConstant: true,
});

export const floor = unaryFunction({
  name: 'floor',
  evaluate: Math.floor,
  js: 'Math.floor',
  derivative: () => ZERO,
  description: 'The largest integer <= x.',
  nonSmooth: 'The derivative is taken as 0 everywhere, including at the jumps (the integers).',
  examples: [
    { expr: 'floor(2.7)', value: 2 },
    { expr: 'floor(-2.5)', value: -3 },
  ],
  category: CATEGORY,
  piecewiseConstant: true,
});

export const ceil = unaryFunction({
  name: 'ceil',
  evaluate: Math.ceil,
  js: 'Math.ceil',
  derivative: () => ZERO,
  description: 'The smallest integer >= x.',
  nonSmooth: 'The derivative is taken as 0 everywhere, including at the jumps (the integers).',
  examples: [
    { expr: 'ceil(2.2)', value: 3 },
    { expr: 'ceil(-2.5)', value: -2 },
  ],
  category: CATEGORY,
  piecewiseConstant: true,
});

export const heaviside: FunctionDef = {
  name: 'heaviside',
  arity: [1, 2],
  evaluate: heavisideR,
  derivative: (args, dargs) => {
    // only the value at 0 depends on h0
    if (args.length < 2 || isZero(dargs[1])) return ZERO;
    return fn('if', cmp('==', args[0], ZERO), dargs[1], ZERO);
  },
  emit: (a) => (a.length === 1 ? `R.heaviside(${a[0]})` : `R.heaviside(${a[0]}, ${a[1]})`),
  help: {
    signature: 'heaviside(x) or heaviside(x, h0)',
    description: 'Unit step: 0 for x < 0, 1 for x > 0, and h0 (default 0.5) at x = 0.',
    nonSmooth: 'The derivative with respect to x is taken as 0 everywhere, including at the jump at 0.',
    examples: [
      { expr: 'heaviside(2)', value: 1 },
      { expr: 'heaviside(-1)', value: 0 },
      { expr: 'heaviside(0)', value: 0.5 },
      { expr: 'heaviside(0, 1)', value: 1 },
    ],
  },
  category: CATEGORY,
  piecewiseConstant: true,
};

/**
 * Derivative of the argument that `min` (`less` = '<=') or `max` (`>=`) selects, ties going to the first:
 * `if(a0 <= a1 and a0 <= a2, d0, if(a1 <= a2, d1, d2))`.
 */
function selectedDerivative(op: '<=' | '>=', args: readonly Expr[], dargs: readonly Expr[]): Expr {
  if (dargs.every(isZero)) return ZERO;
  let result = dargs[dargs.length - 1];
  for (let i = args.length - 2; i >= 0; i--) {
    let cond: Expr | undefined;
    for (let j = i + 1; j < args.length; j++) {
      const c = cmp(op, args[i], args[j]);
      cond = cond ? and(cond, c) : c;
    }
    result = fn('if', cond!, dargs[i], result);
  }
  return result;
}

export const min: FunctionDef = {
  name: 'min',
  arity: [2, Infinity],
  evaluate: Math.min,
  derivative: (args, dargs) => selectedDerivative('<=', args, dargs),
  emit: (a) => `Math.min(${a.join(', ')})`,
  help: {
    signature: 'min(x1, x2, ...)',
    description: 'The smallest argument (NaN if any argument is NaN).',
    nonSmooth:
      'The derivative is that of the selected argument; on ties, of the first of the tied arguments.',
    examples: [
      { expr: 'min(3, 1, 2)', value: 1 },
      { expr: 'min(2, 5)', value: 2 },
    ],
  },
  category: CATEGORY,
};

export const max: FunctionDef = {
  name: 'max',
  arity: [2, Infinity],
  evaluate: Math.max,
  derivative: (args, dargs) => selectedDerivative('>=', args, dargs),
  emit: (a) => `Math.max(${a.join(', ')})`,
  help: {
    signature: 'max(x1, x2, ...)',
    description: 'The largest argument (NaN if any argument is NaN).',
    nonSmooth:
      'The derivative is that of the selected argument; on ties, of the first of the tied arguments.',
    examples: [
      { expr: 'max(3, 1, 2)', value: 3 },
      { expr: 'max(-2, -5)', value: -2 },
    ],
  },
  category: CATEGORY,
};

export const ifFunction: FunctionDef = {
  name: 'if',
  arity: [3, 3],
  evaluate: (c: number, a: number, b: number) => (c !== 0 ? a : b),
  derivative: (args, dargs) =>
    isZero(dargs[1]) && isZero(dargs[2]) ? ZERO : fn('if', args[0], dargs[1], dargs[2]),
  emit: (a) => `(${a[0]} !== 0 ? ${a[1]} : ${a[2]})`,
  help: {
    signature: 'if(cond, a, b)',
    description:
      'a when cond is true (non-zero; NaN counts as true), else b. Only the selected branch is evaluated. Conditions are usually comparisons (1/0) combined with and, or, not.',
    nonSmooth:
      "The derivative is that of the selected branch, `if(cond, a', b')`; the condition contributes nothing (also at the switching point).",
    examples: [
      { expr: 'if(1 < 2, 10, 20)', value: 10 },
      { expr: 'if(0, 1, 2)', value: 2 },
      { expr: 'if(2 > 1 and 3 > 4, 1, 0)', value: 0 },
    ],
  },
  category: CATEGORY,
};
