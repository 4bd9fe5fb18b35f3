/**
 * Shared types of the compiler: the roles of names in a compiled program and the program itself.
 * (No dependency on the symbolic layer, so the planner can be used on any program.)
 */
import type { Expr } from '../ast/index.ts';
import { type FunctionDef, getFunction } from '../functions/index.ts';

export type Role =
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'fixed'; readonly index: number }
  | { readonly kind: 'variable'; readonly index: number }
  /** Internal: the observed array (residual mode). */
  | { readonly kind: 'observed' }
  /** Internal: the weights (an array operand or a scalar argument). */
  | { readonly kind: 'weights' }
  | { readonly kind: 'temp'; readonly index: number };

/** Internal symbol names (a `$` never appears in user identifiers; spec names with `$` are rejected). */
export const OBSERVED_SYM = '$obs';
export const WEIGHTS_SYM = '$w';

/** A model after the symbolic pipeline: CSE temporaries and outputs (value first, then one per param). */
export interface SymbolicProgram {
  readonly spec: NormalizedSpec;
  readonly roles: ReadonlyMap<string, Role>;
  readonly temps: readonly { readonly name: string; readonly expr: Expr }[];
  /** `[value]` or `[value, d/dparams[0], ...]`, referencing temps by `sym('$k')`. */
  readonly outputs: readonly Expr[];
  /** The simplified partial derivatives before CSE (empty when compiled without derivatives). */
  readonly derivatives: readonly Expr[];
  /** The checked expression with constants substituted. */
  readonly expr: Expr;
}

export interface NormalizedSpec {
  readonly params: readonly string[];
  readonly fixed: readonly string[];
  readonly variables: readonly string[];
}

/** Looks a builtin up (own registry entries only). */
export function builtin(name: string): FunctionDef | undefined {
  const def = getFunction(name);
  return def && typeof def.emit === 'function' ? def : undefined;
}
