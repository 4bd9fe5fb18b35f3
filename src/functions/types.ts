/**
 * The shape of one builtin function's registry entry (mathjs style: builtins are data).
 * One entry per builtin in src/functions/builtins/*.ts, collected in src/functions/registry.ts.
 */
import type { Expr } from '../ast/index.ts';

export interface FunctionExample {
  /** An expression using the function, e.g. `erf(0.5)`. Run as a test (doc examples are tests). */
  readonly expr: string;
  /** Its value. */
  readonly value: number;
}

export interface FunctionDef {
  /** Name as written by users. */
  readonly name: string;
  /** Allowed argument counts: `[min, max]`, max may be Infinity (e.g. `min`, `max`, `hypot`). */
  readonly arity: readonly [number, number];
  /** Scalar evaluator used by the tree-walking reference evaluator (and for constant folding). */
  readonly evaluate: (...args: number[]) => number;
  /**
   * Derivative rule (chain rule included): given the argument expressions and the derivative of each
   * argument with respect to the variable of differentiation, return the derivative of the call.
   * `dargs[i]` is the literal 0 when argument i does not depend on the variable; the result is simplified later.
   */
  readonly derivative: (args: readonly Expr[], dargs: readonly Expr[]) => Expr;
  /**
   * JavaScript emitter: given already-emitted code of the arguments (safe fragments built by the compiler),
   * return a JS expression. May reference the runtime helper object `R` (see src/functions/runtime.ts),
   * e.g. `R.erf(a0)`, and `Math`. Never receives user text.
   */
  readonly emit: (args: readonly string[]) => string;
  readonly help: {
    /** e.g. `atan2(y, x)` */
    readonly signature: string;
    readonly description: string;
    /** What the derivative is at points where the function is not smooth (abs at 0, floor at integers, ...). */
    readonly nonSmooth?: string;
    readonly examples: readonly FunctionExample[];
  };
  /** True for functions whose value is not a continuous function of the args (floor, sign, comparisons). */
  readonly piecewiseConstant?: boolean;
  /** Section of the function reference (docs/functions.md) the entry is listed under. */
  readonly category?: string;
  /** Set when the entry is another name for a builtin (`ln` for `log`); simplify rewrites to the main name. */
  readonly aliasOf?: string;
  /**
   * Indices of arguments that must be constant for the derivative rule (e.g. the order `n` of
   * `polygamma(n, x)`, which is an integer): the rule treats their derivatives as 0.
   */
  readonly integerArgs?: readonly number[];
  /**
   * Indices of arguments with no derivative rule (the shape parameters of `gammainc` and `betainc`, which
   * have no closed-form derivative): differentiating with respect to a name they depend on is an error.
   */
  readonly noDerivativeArgs?: readonly number[];
}
