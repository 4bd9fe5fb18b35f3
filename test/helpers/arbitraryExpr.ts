/**
 * fast-check arbitraries for well-formed expression trees, and numeric helpers for property tests
 * (finite differences, tolerant comparison). Shared by the symbolic and compile tests.
 *
 * Trees are parser-canonical: numbers are non-negative literals (a negative constant is unary minus of a
 * literal), so `parse(print(e))` equals `e` exactly.
 */
import fc from 'fast-check';
import { binary, call, num, sym, unary } from '../../src/ast/build.ts';
import type { BinaryOp, Expr } from '../../src/ast/expr.ts';
import { getFunction } from '../../src/functions/registry.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';

/** Builtins that are smooth (infinitely differentiable) on the open set where they are finite. */
export const SMOOTH_FUNCTIONS: readonly string[] = [
  'exp',
  'log',
  'ln',
  'log10',
  'log2',
  'log1p',
  'expm1',
  'sqrt',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'atan2',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'erf',
  'erfc',
  'gamma',
  'lgamma',
  'digamma',
  'trigamma',
  'pow',
];

/** Builtins that are continuous but have kinks or selections (abs at 0, min/max at ties, ...). */
export const CONTINUOUS_FUNCTIONS: readonly string[] = ['abs', 'min', 'max', 'hypot', 'cbrt'];

/** Builtins that are non-smooth somewhere (kinks, jumps, selections). */
export const NONSMOOTH_FUNCTIONS: readonly string[] = [
  'abs',
  'sign',
  'floor',
  'ceil',
  'heaviside',
  'min',
  'max',
  'hypot',
  'cbrt',
  'if',
];

export const ALL_TEST_FUNCTIONS: readonly string[] = [
  ...SMOOTH_FUNCTIONS,
  ...NONSMOOTH_FUNCTIONS,
  'polygamma',
];

export interface ArbitraryExprOptions {
  /** Names used as leaves (default `x`, `y`, `z`). */
  readonly variables?: readonly string[];
  /** Maximum nesting depth (default 4). */
  readonly maxDepth?: number;
  /** Builtins that may be called (default SMOOTH_FUNCTIONS). */
  readonly functions?: readonly string[];
  /** Include comparisons and `and`/`or`/`not` (default false). */
  readonly logic?: boolean;
  /** Include `^` with arbitrary exponents (default true; integer exponents are always possible). */
  readonly powers?: boolean;
  /**
   * Literal values: 'small' (0..10; default), 'integer' (0..5: exact arithmetic, for tests of discontinuous
   * functions) or 'extreme' (also 1e-300, 1e300, 5e-324, Infinity, ...).
   */
  readonly numbers?: 'small' | 'integer' | 'extreme';
  /** Arithmetic operators to use (default all of `+ - * /`). */
  readonly arithmetic?: readonly BinaryOp[];
  /** Allow literal negative integer exponents `x^-2` (default true). */
  readonly negativePowers?: boolean;
}

const INTEGER_NUMBERS = fc.integer({ min: 0, max: 5 });

const SMALL_NUMBERS = fc.oneof(
  INTEGER_NUMBERS,
  fc.integer({ min: 1, max: 99 }).map((v) => v / 10),
  fc.double({ min: 0.01, max: 10, noNaN: true, noDefaultInfinity: true }),
);

const EXTREME_NUMBERS = fc.oneof(
  SMALL_NUMBERS,
  fc.constantFrom(
    1e-300,
    1e300,
    5e-324,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Infinity,
    0.1,
    1 / 3,
    2 ** 53 + 2,
    1e21,
    1e-7,
  ),
  fc.double({ min: 0, noNaN: true }),
);

const ARITH: BinaryOp[] = ['+', '-', '*', '/'];
const LOGIC: BinaryOp[] = ['<', '<=', '>', '>=', '==', '!=', 'and', 'or'];

/** Random well-formed scalar expressions over the given variables. */
export function arbitraryExpr(options: ArbitraryExprOptions = {}): fc.Arbitrary<Expr> {
  const variables = options.variables ?? ['x', 'y', 'z'];
  const functions = options.functions ?? SMOOTH_FUNCTIONS;
  const maxDepth = options.maxDepth ?? 4;
  const numbers =
    options.numbers === 'extreme'
      ? EXTREME_NUMBERS
      : options.numbers === 'integer'
        ? INTEGER_NUMBERS
        : SMALL_NUMBERS;
  const arithmetic = options.arithmetic ?? ARITH;
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...variables).map((n) => sym(n)) },
    { weight: 2, arbitrary: numbers.map((v) => num(v)) },
  );
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => {
    const sub = tie('expr');
    const choices: fc.Arbitrary<Expr>[] = [
      leaf,
      sub.map((a) => unary('-', a)),
      fc.tuple(fc.constantFrom(...arithmetic), sub, sub).map(([op, l, r]) => binary(op, l, r)),
      fc
        .tuple(sub, fc.integer({ min: options.negativePowers === false ? 0 : -3, max: 4 }))
        .map(([b, k]) => binary('^', b, k < 0 ? unary('-', num(-k)) : num(k))),
    ];
    if (options.powers !== false) choices.push(fc.tuple(sub, sub).map(([l, r]) => binary('^', l, r)));
    if (functions.length > 0) {
      choices.push(
        fc
          .tuple(
            fc.constantFrom(...functions),
            fc.array(sub, { minLength: 3, maxLength: 3 }),
            fc.integer({ min: 0, max: 1 }),
          )
          .map(([fn, args, extra]) => {
            const def = getFunction(fn);
            if (!def) throw new Error(`unknown test function ${fn}`);
            const [lo, hi] = def.arity;
            const count = Math.min(hi, lo + extra);
            const used = args.slice(0, count);
            while (used.length < count) used.push(num(1));
            if (fn === 'polygamma') used[0] = num(extra); // the order must be a literal integer
            return call(fn, used);
          }),
      );
    }
    if (options.logic) {
      choices.push(fc.tuple(fc.constantFrom(...LOGIC), sub, sub).map(([op, l, r]) => binary(op, l, r)));
      choices.push(sub.map((a) => unary('not', a)));
      choices.push(fc.tuple(sub, sub, sub).map(([c, a, b]) => call('if', [c, a, b])));
    }
    return { expr: fc.oneof({ maxDepth, depthIdentifier: 'expr', withCrossShrink: true }, ...choices) };
  });
  return expr;
}

/** Random values for the variables (default range [-3, 3], away from exact zero; or small integers). */
export function arbitraryScope(
  variables: readonly string[] = ['x', 'y', 'z'],
  range: readonly [number, number] = [-3, 3],
  integers = false,
): fc.Arbitrary<Record<string, number>> {
  const value = integers
    ? fc.integer({ min: Math.ceil(range[0]), max: Math.floor(range[1]) })
    : fc
        .double({ min: range[0], max: range[1], noNaN: true, noDefaultInfinity: true })
        .map((v) => (Math.abs(v) < 1e-3 ? v + 0.0137 : v));
  return fc.tuple(...variables.map(() => value)).map((vals) => {
    const scope: Record<string, number> = {};
    variables.forEach((n, i) => (scope[n] = vals[i]));
    return scope;
  });
}

function richardson(f: (x: number) => number, x: number, h: number) {
  let fmax = Math.abs(f(x));
  const d = (s: number) => {
    const a = f(x + s);
    const b = f(x - s);
    fmax = Math.max(fmax, Math.abs(a), Math.abs(b));
    return (a - b) / (2 * s);
  };
  const d1 = d(h);
  const d2 = d(h / 2);
  const d4 = d(h / 4);
  const r1 = (4 * d2 - d1) / 3;
  const r2 = (4 * d4 - d2) / 3;
  const value = (16 * r2 - r1) / 15;
  const finite = [d1, d2, d4, r1, r2, value].every(Number.isFinite);
  return { value, finite, spread: Math.abs(r1 - r2), scale: Math.max(Math.abs(r1), Math.abs(r2)), fmax };
}

/**
 * Central finite difference of `f` at `x` with Richardson extrapolation (error O(h^4)), with an error
 * estimate and a smoothness flag. The estimate is made at two step sizes (h and 8h): truncation error grows
 * with h, rounding noise (also noise amplified by ill-conditioned intermediate steps) shrinks with it, so
 * their disagreement bounds both. `smooth`: the extrapolations agree to 1e-6 beyond rounding noise
 * (otherwise `f` has a kink or pole nearby and the estimate is not to be trusted). `error` bounds the
 * absolute error of `value`.
 */
export function finiteDifference(
  f: (x: number) => number,
  x: number,
  relStep = 1e-4,
  /** Magnitude of the intermediate values f is computed from (their rounding is the noise; default |f|). */
  magnitude = 0,
): { value: number; smooth: boolean; error: number } {
  const h = relStep * (x !== 0 ? Math.abs(x) : 1);
  const fine = richardson(f, x, h);
  const coarse = richardson(f, x, 8 * h);
  // rounding: each difference quotient carries ~eps*|f|/h; Richardson amplifies it by a small factor
  const noise = (64 * 2.3e-16 * Math.max(fine.fmax, magnitude)) / h;
  const smooth = fine.finite && coarse.finite && fine.spread <= 1e-6 * fine.scale + noise;
  const error = fine.spread + noise + Math.abs(fine.value - coarse.value);
  return { value: fine.value, smooth, error };
}

/** The values of every subexpression of `e` (NaN where evaluation fails). */
export function intermediateValues(e: Expr, scope: Record<string, number>): number[] {
  const out: number[] = [];
  const visit = (n: Expr): void => {
    try {
      out.push(evaluate(n, scope));
    } catch {
      out.push(NaN);
    }
    if (n.kind === 'unary') visit(n.arg);
    else if (n.kind === 'binary') {
      visit(n.left);
      visit(n.right);
    } else if (n.kind === 'call') n.args.forEach(visit);
  };
  visit(e);
  return out;
}

/**
 * True when no subexpression of `e` is near underflow or overflow (|v| in (0, 1e-150) or above 1e150) or
 * non-finite: numeric comparisons of such expressions test the floating-point range, not the math.
 */
export function wellScaled(e: Expr, scope: Record<string, number>): boolean {
  return intermediateValues(e, scope).every(
    (v) => Number.isFinite(v) && (v === 0 || (Math.abs(v) > 1e-150 && Math.abs(v) < 1e150)),
  );
}

/**
 * False when evaluating `e` at `scope` loses more than `digits` digits to cancellation in some sum or
 * difference (`1 - u` with u within 1e-6 of 1, as in the derivative of atanh near its pole): values, their
 * derivatives and finite differences are all unreliable there.
 */
export function cancellationFree(e: Expr, scope: Record<string, number>, digits = 6): boolean {
  let ok = true;
  const visit = (n: Expr): void => {
    if (!ok) return;
    if (n.kind === 'binary' && (n.op === '+' || n.op === '-')) {
      try {
        const l = evaluate(n.left, scope);
        const r = evaluate(n.right, scope);
        const v = n.op === '+' ? l + r : l - r;
        if (v !== 0 && Math.abs(v) < 10 ** -digits * Math.max(Math.abs(l), Math.abs(r))) ok = false;
      } catch {
        /* unevaluable parts are someone else's concern */
      }
    }
    if (n.kind === 'unary') visit(n.arg);
    else if (n.kind === 'binary') {
      visit(n.left);
      visit(n.right);
    } else if (n.kind === 'call') n.args.forEach(visit);
  };
  visit(e);
  return ok;
}

/**
 * False when some subexpression of `e` is not smooth across x ± h in `name` (h = relStep*|x|): its second
 * difference is not small against its first difference, as when a pole or a jump lies inside the step.
 * Finite differences over such a step mean nothing even when they look consistent.
 */
export function locallySmooth(e: Expr, scope: Record<string, number>, name: string, relStep = 1e-4): boolean {
  const x = scope[name];
  const h = 8 * relStep * (x !== 0 ? Math.abs(x) : 1); // the coarse step of finiteDifference
  const at = (v: number) => intermediateValues(e, { ...scope, [name]: v });
  const mid = at(x);
  const lo = at(x - h);
  const hi = at(x + h);
  return mid.every((v0, i) => {
    const a = lo[i];
    const b = hi[i];
    if (!Number.isFinite(v0) || !Number.isFinite(a) || !Number.isFinite(b))
      return Number.isNaN(v0) === Number.isNaN(a);
    const second = Math.abs(a + b - 2 * v0);
    return second <= 0.1 * Math.abs(b - a) + 1e-8 * Math.max(Math.abs(v0), Math.abs(a), Math.abs(b)) + 1e-300;
  });
}

/** |a - b| <= rel * max(|a|, |b|) + abs; NaN equals NaN, infinities must be equal. */
export function close(a: number, b: number, rel = 1e-12, abs = 0): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}
