/** Trigonometric and hyperbolic functions and their inverses. */
import type { FunctionDef } from '../types.ts';
import { unaryFunction } from './define.ts';
import { ONE, ZERO, fn, isZero, minus, negate, over, plus, square, times } from '../dsl.ts';

const TRIG = 'Trigonometric functions';
const HYP = 'Hyperbolic functions';

export const sin = unaryFunction({
  name: 'sin',
  evaluate: Math.sin,
  js: 'Math.sin',
  derivative: (u) => fn('cos', u),
  description: 'Sine (radians).',
  examples: [
    { expr: 'sin(0)', value: 0 },
    { expr: 'sin(pi/2)', value: 1 },
    { expr: 'sin(1)', value: 0.8414709848078965 },
  ],
  category: TRIG,
});

export const cos = unaryFunction({
  name: 'cos',
  evaluate: Math.cos,
  js: 'Math.cos',
  derivative: (u) => negate(fn('sin', u)),
  description: 'Cosine (radians).',
  examples: [
    { expr: 'cos(0)', value: 1 },
    { expr: 'cos(pi)', value: -1 },
    { expr: 'cos(1)', value: 0.5403023058681398 },
  ],
  category: TRIG,
});

export const tan = unaryFunction({
  name: 'tan',
  evaluate: Math.tan,
  js: 'Math.tan',
  derivative: (u) => over(ONE, square(fn('cos', u))),
  description: 'Tangent (radians).',
  examples: [
    { expr: 'tan(0)', value: 0 },
    { expr: 'tan(1)', value: 1.5574077246549023 },
  ],
  category: TRIG,
});

export const asin = unaryFunction({
  name: 'asin',
  evaluate: Math.asin,
  js: 'Math.asin',
  derivative: (u) => over(ONE, fn('sqrt', minus(ONE, square(u)))),
  description: 'Inverse sine, in [-pi/2, pi/2]; NaN outside [-1, 1].',
  nonSmooth: 'At x = -1 and x = 1 the derivative `1/sqrt(1 - x^2)` is Infinity.',
  examples: [
    { expr: 'asin(1)', value: 1.5707963267948966 },
    { expr: 'asin(0.5)', value: 0.5235987755982989 },
  ],
  category: TRIG,
});

export const acos = unaryFunction({
  name: 'acos',
  evaluate: Math.acos,
  js: 'Math.acos',
  derivative: (u) => negate(over(ONE, fn('sqrt', minus(ONE, square(u))))),
  description: 'Inverse cosine, in [0, pi]; NaN outside [-1, 1].',
  nonSmooth: 'At x = -1 and x = 1 the derivative `-1/sqrt(1 - x^2)` is -Infinity.',
  examples: [
    { expr: 'acos(1)', value: 0 },
    { expr: 'acos(0.5)', value: 1.0471975511965979 },
    { expr: 'acos(-1)', value: 3.141592653589793 },
  ],
  category: TRIG,
});

export const atan = unaryFunction({
  name: 'atan',
  evaluate: Math.atan,
  js: 'Math.atan',
  derivative: (u) => over(ONE, plus(ONE, square(u))),
  description: 'Inverse tangent, in (-pi/2, pi/2).',
  examples: [
    { expr: 'atan(0)', value: 0 },
    { expr: 'atan(1)', value: 0.7853981633974483 },
  ],
  category: TRIG,
});

export const atan2: FunctionDef = {
  name: 'atan2',
  arity: [2, 2],
  evaluate: Math.atan2,
  derivative: (args, dargs) => {
    const [y, x] = args;
    const [dy, dx] = dargs;
    const numer = minus(times(x, dy), times(y, dx));
    if (isZero(numer)) return ZERO;
    return over(numer, plus(square(x), square(y)));
  },
  emit: (a) => `Math.atan2(${a[0]}, ${a[1]})`,
  help: {
    signature: 'atan2(y, x)',
    description: 'Angle of the point (x, y) from the positive x axis, in (-pi, pi].',
    nonSmooth:
      'The derivative `(x*dy - y*dx)/(x^2 + y^2)` is NaN at the origin; the jump from pi to -pi on the negative x axis is ignored (the derivative is that of the continuous branch).',
    examples: [
      { expr: 'atan2(1, 1)', value: 0.7853981633974483 },
      { expr: 'atan2(1, -1)', value: 2.356194490192345 },
      { expr: 'atan2(-1, -1)', value: -2.356194490192345 },
    ],
  },
  category: TRIG,
};

export const sinh = unaryFunction({
  name: 'sinh',
  evaluate: Math.sinh,
  js: 'Math.sinh',
  derivative: (u) => fn('cosh', u),
  description: 'Hyperbolic sine.',
  examples: [
    { expr: 'sinh(0)', value: 0 },
    { expr: 'sinh(1)', value: 1.1752011936438014 },
  ],
  category: HYP,
});

export const cosh = unaryFunction({
  name: 'cosh',
  evaluate: Math.cosh,
  js: 'Math.cosh',
  derivative: (u) => fn('sinh', u),
  description: 'Hyperbolic cosine.',
  examples: [
    { expr: 'cosh(0)', value: 1 },
    { expr: 'cosh(1)', value: 1.5430806348152437 },
  ],
  category: HYP,
});

export const tanh = unaryFunction({
  name: 'tanh',
  evaluate: Math.tanh,
  js: 'Math.tanh',
  derivative: (u) => over(ONE, square(fn('cosh', u))),
  description: 'Hyperbolic tangent. Its derivative is computed as `1/cosh(x)^2` (accurate for large |x|).',
  examples: [
    { expr: 'tanh(0)', value: 0 },
    { expr: 'tanh(1)', value: 0.7615941559557649 },
    { expr: 'tanh(20)', value: 1 },
  ],
  category: HYP,
});

export const asinh = unaryFunction({
  name: 'asinh',
  evaluate: Math.asinh,
  js: 'Math.asinh',
  derivative: (u) => over(ONE, fn('sqrt', plus(square(u), ONE))),
  description: 'Inverse hyperbolic sine.',
  examples: [
    { expr: 'asinh(0)', value: 0 },
    { expr: 'asinh(1)', value: 0.881373587019543 },
  ],
  category: HYP,
});

export const acosh = unaryFunction({
  name: 'acosh',
  evaluate: Math.acosh,
  js: 'Math.acosh',
  derivative: (u) => over(ONE, fn('sqrt', times(minus(u, ONE), plus(u, ONE)))),
  description: 'Inverse hyperbolic cosine, for x >= 1 (NaN below).',
  nonSmooth: 'At x = 1 the derivative `1/sqrt((x - 1)*(x + 1))` is Infinity.',
  examples: [
    { expr: 'acosh(1)', value: 0 },
    { expr: 'acosh(2)', value: 1.3169578969248166 },
  ],
  category: HYP,
});

export const atanh = unaryFunction({
  name: 'atanh',
  evaluate: Math.atanh,
  js: 'Math.atanh',
  derivative: (u) => over(ONE, times(minus(ONE, u), plus(ONE, u))),
  description: 'Inverse hyperbolic tangent, for -1 < x < 1 (+-Infinity at +-1, NaN outside).',
  examples: [
    { expr: 'atanh(0)', value: 0 },
    { expr: 'atanh(0.5)', value: 0.5493061443340548 },
  ],
  category: HYP,
});
