/**
 * Semantics of the operators, as data beside the builtin functions: scalar evaluation, JavaScript emission
 * and derivative rules for `+ - * / ^`, the comparisons `< <= > >= == !=` (1 for true, 0 for false), the
 * logical `and`, `or`, `not` (on truthiness: any non-zero value, NaN included, is true; results are 1/0) and
 * unary minus.
 *
 * Emitters follow the registry contract: arguments are code fragments that are atoms (names, numbers, which
 * may be negative literals, calls) or parenthesized; every emitter returns a call or a parenthesized
 * fragment, so fragments compose without precedence surprises.
 *
 * Powers: `^` evaluates as `Math.pow`, except that a power whose exponent is a literal integer with
 * |n| <= 4 is repeated multiplication (`powInt` in runtime.ts). The compiler emits those with
 * `emitIntegerPower` (same operation sequence), the reference evaluator uses `powInt`: both agree bit for bit.
 */
import { type BinaryOp, constant, constantValue, type Expr, type UnaryOp } from '../ast/index.ts';
import { powInt } from './runtime.ts';
import { ONE, ZERO, fn, isZero, minus, negate, over, plus, power, square, times } from './dsl.ts';

export interface BinaryOperatorDef {
  readonly op: BinaryOp;
  readonly evaluate: (a: number, b: number) => number;
  readonly emit: (a: string, b: string) => string;
  /** Derivative given both operands and their derivatives (the literal 0 when constant). */
  readonly derivative: (left: Expr, right: Expr, dleft: Expr, dright: Expr) => Expr;
  readonly description: string;
}

export interface UnaryOperatorDef {
  readonly op: UnaryOp;
  readonly evaluate: (a: number) => number;
  readonly emit: (a: string) => string;
  readonly derivative: (arg: Expr, darg: Expr) => Expr;
  readonly description: string;
}

/**
 * d(u^v): `v*u^(v-1)*u'` when v is constant (exact for negative bases such as `(x-b)^2`),
 * `u^v*log(u)*v'` when u is constant (0 when u is the literal 0), `u^v*(v'*log(u) + v*u'/u)` otherwise.
 */
export function powerDerivative(u: Expr, v: Expr, du: Expr, dv: Expr): Expr {
  if (isZero(dv)) {
    if (isZero(du)) return ZERO;
    const k = constantValue(v);
    const vm1 = k !== undefined ? constant(k - 1) : minus(v, ONE);
    return times(v, power(u, vm1), du);
  }
  // 0^v is 0 for v > 0 (and not differentiable elsewhere): treated as a constant
  if (isZero(u)) return ZERO;
  const uv = power(u, v);
  if (isZero(du)) return times(uv, fn('log', u), dv);
  return times(uv, plus(times(dv, fn('log', u)), over(times(v, du), u)));
}

const zeroDerivative = (): Expr => ZERO;

function comparison(
  op: BinaryOp,
  js: string,
  evaluate: (a: number, b: number) => boolean,
): BinaryOperatorDef {
  return {
    op,
    evaluate: (a, b) => (evaluate(a, b) ? 1 : 0),
    emit: (a, b) => `(${a} ${js} ${b} ? 1 : 0)`,
    derivative: zeroDerivative,
    description: `comparison: 1 when true, 0 when false (${op === '!=' ? 'true' : 'false'} when an operand is NaN); derivative 0`,
  };
}

export const BINARY_OPERATORS: Readonly<Record<BinaryOp, BinaryOperatorDef>> = {
  '+': {
    op: '+',
    evaluate: (a, b) => a + b,
    emit: (a, b) => `(${a} + ${b})`,
    derivative: (_l, _r, dl, dr) => plus(dl, dr),
    description: 'addition',
  },
  '-': {
    op: '-',
    evaluate: (a, b) => a - b,
    emit: (a, b) => `(${a} - ${b})`,
    derivative: (_l, _r, dl, dr) => minus(dl, dr),
    description: 'subtraction',
  },
  '*': {
    op: '*',
    evaluate: (a, b) => a * b,
    emit: (a, b) => `(${a} * ${b})`,
    derivative: (l, r, dl, dr) => plus(times(dl, r), times(l, dr)),
    description: 'multiplication',
  },
  '/': {
    op: '/',
    evaluate: (a, b) => a / b,
    emit: (a, b) => `(${a} / ${b})`,
    derivative: (l, r, dl, dr) => minus(over(dl, r), over(times(l, dr), square(r))),
    description: 'division',
  },
  '^': {
    op: '^',
    evaluate: (a, b) => Math.pow(a, b),
    emit: (a, b) => `Math.pow(${a}, ${b})`,
    derivative: (l, r, dl, dr) => powerDerivative(l, r, dl, dr),
    description:
      'power (also written `**`): right-associative, binds tighter than unary minus; `-x^2` is `-(x^2)`, `2^-x^2` is `2^(-(x^2))`',
  },
  '<': comparison('<', '<', (a, b) => a < b),
  '<=': comparison('<=', '<=', (a, b) => a <= b),
  '>': comparison('>', '>', (a, b) => a > b),
  '>=': comparison('>=', '>=', (a, b) => a >= b),
  '==': comparison('==', '===', (a, b) => a === b),
  '!=': comparison('!=', '!==', (a, b) => a !== b),
  and: {
    op: 'and',
    evaluate: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
    emit: (a, b) => `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`,
    derivative: zeroDerivative,
    description:
      'logical and: 1 when both operands are non-zero (NaN counts as non-zero), else 0; derivative 0',
  },
  or: {
    op: 'or',
    evaluate: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
    emit: (a, b) => `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`,
    derivative: zeroDerivative,
    description:
      'logical or: 1 when either operand is non-zero (NaN counts as non-zero), else 0; derivative 0',
  },
};

export const UNARY_OPERATORS: Readonly<Record<UnaryOp, UnaryOperatorDef>> = {
  '-': {
    op: '-',
    evaluate: (a) => -a,
    emit: (a) => `(-(${a}))`,
    derivative: (_a, da) => negate(da),
    description: 'negation',
  },
  not: {
    op: 'not',
    evaluate: (a) => (a === 0 ? 1 : 0),
    emit: (a) => `(${a} === 0 ? 1 : 0)`,
    derivative: zeroDerivative,
    description: 'logical not: 1 when the operand is 0, else 0 (`not NaN` is 0); derivative 0',
  },
};

/** The largest |n| for which a literal integer power is emitted as multiplications. */
export const MAX_INLINE_POWER = 4;

/** True when `x^exponent` is evaluated as repeated multiplication (a literal integer with |n| <= 4). */
export function isInlinePower(exponent: Expr): boolean {
  const k = constantValue(exponent);
  return k !== undefined && Number.isInteger(k) && Math.abs(k) <= MAX_INLINE_POWER;
}

/**
 * JavaScript for `base^n` with a literal integer `n`, |n| <= 4, as multiplications (the operation sequence
 * of `powInt`); `undefined` for other exponents (emit `Math.pow`). `base` is repeated, so it must be a name
 * or number (the compiler hoists anything else into a temporary first).
 */
export function emitIntegerPower(base: string, n: number): string | undefined {
  if (!Number.isInteger(n) || Math.abs(n) > MAX_INLINE_POWER) return undefined;
  const b = base;
  switch (n) {
    case 0:
      return '1';
    case 1:
      return b;
    case 2:
      return `(${b} * ${b})`;
    case 3:
      return `(${b} * ${b} * ${b})`;
    case 4:
      return `(${b} * ${b} * (${b} * ${b}))`;
    case -1:
      return `(1 / ${b})`;
    case -2:
      return `(1 / (${b} * ${b}))`;
    case -3:
      return `(1 / (${b} * ${b} * ${b}))`;
    default:
      return `(1 / (${b} * ${b} * (${b} * ${b})))`;
  }
}

/** Evaluates `a^b` where `b` came from the expression `exponent` (literal small integers multiply). */
export function evaluatePower(a: number, b: number, exponent: Expr): number {
  return isInlinePower(exponent) ? powInt(a, b) : Math.pow(a, b);
}
