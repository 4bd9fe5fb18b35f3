/** Helpers for writing registry entries compactly. */
import type { Expr } from '../../ast/index.ts';
import type { FunctionDef, FunctionExample } from '../types.ts';
import { chain } from '../dsl.ts';

export interface UnaryFunctionSpec {
  readonly name: string;
  readonly evaluate: (x: number) => number;
  /** JS callee such as `Math.exp` or `R.erf`. */
  readonly js: string;
  /** f'(u) as an expression of the argument u (the chain rule factor u' is applied by the helper). */
  readonly derivative: (u: Expr) => Expr;
  readonly description: string;
  readonly examples: readonly FunctionExample[];
  readonly category: string;
  readonly nonSmooth?: string;
  readonly signature?: string;
  readonly piecewiseConstant?: boolean;
  readonly aliasOf?: string;
}

/** A one-argument builtin emitted as a single call `js(a0)`. */
export function unaryFunction(spec: UnaryFunctionSpec): FunctionDef {
  const { js, derivative } = spec;
  return {
    name: spec.name,
    arity: [1, 1],
    evaluate: spec.evaluate,
    derivative: (args, dargs) => chain(dargs[0], () => derivative(args[0])),
    emit: (a) => `${js}(${a[0]})`,
    help: {
      signature: spec.signature ?? `${spec.name}(x)`,
      description: spec.description,
      ...(spec.nonSmooth ? { nonSmooth: spec.nonSmooth } : {}),
      examples: spec.examples,
    },
    category: spec.category,
    ...(spec.piecewiseConstant ? { piecewiseConstant: true } : {}),
    ...(spec.aliasOf ? { aliasOf: spec.aliasOf } : {}),
  };
}
