/**
 * Building blocks for callers that write their own loops around a model (e.g. batch fitting kernels that
 * accumulate JᵀJ and Jᵀr per fit): the CSE'd, hoisted code of a model's value and partial derivatives for
 * given variable/parameter codes, to splice into a function built with the code builder (codegen.ts).
 */
import { Emitter } from './plan.ts';
import type { Stmt } from './plan.ts';
import type { CodeArg, Name, NameScope } from './codegen.ts';
import type { ModelSpec } from './program.ts';
import type { SymbolicProgram } from './roles.ts';
import { buildProgram } from './program.ts';
import type { Expr } from '../ast/expr.ts';
import { constantValue } from '../ast/build.ts';

export interface FragmentBindings {
  /** The caller's name scope: every name made for the fragments comes from it (so nothing collides). */
  readonly scope: NameScope;
  /** Number of loop levels the caller will write (0 for straight-line code). */
  readonly levels: number;
  /** Code of each param's value (in `spec.params` order), available before the loops (e.g. a `const`). */
  readonly params: readonly CodeArg[];
  /** Code of each fixed value, available before the loops. */
  readonly fixed?: readonly CodeArg[];
  /**
   * Per variable (in `spec.variables` order): its value's code and the loop level (0 = outermost) at which the
   * caller defines it; -1 means before the loops (a scalar).
   */
  readonly variables: readonly { readonly code: CodeArg; readonly level: number }[];
}

export interface PointFragments {
  /** Statements to run once before the loops (param-only subexpressions), in order. */
  readonly pre: readonly Stmt[];
  /** `atLevel[l]`: statements to put at the top of loop level `l`'s body, in order. */
  readonly atLevel: readonly (readonly Stmt[])[];
  /** The model value: a generated name (or a literal), valid inside the innermost loop after `atLevel`. */
  readonly value: CodeArg;
  /** The partial derivatives, one per param, as names or literals (0 for a param the model does not use). */
  readonly derivatives: readonly CodeArg[];
}

/**
 * Compiles a model's symbolic program once (value + all partial derivatives, simplified and CSE'd), to be
 * passed to {@link emitPointFragments} for each kernel a caller generates.
 */
export function compileProgram(
  expr: Expr,
  spec: ModelSpec,
  opts: { derivatives?: boolean } = {},
): SymbolicProgram {
  return buildProgram(expr, spec, opts.derivatives ?? true);
}

/**
 * Emits the value and derivatives of `program` for caller-written loops: subexpressions are placed at the
 * outermost level where all their inputs exist (params-only parts in `pre`), products are reassociated to hoist
 * invariant factors, and `exp(u + v)` with `u`, `v` from different levels is factored. Every output is a
 * generated name (or literal), so it may be used several times (e.g. in JᵀJ) without recomputation.
 */
export function emitPointFragments(program: SymbolicProgram, bind: FragmentBindings): PointFragments {
  const L = bind.levels;
  const V = program.spec.variables.length;
  if (bind.params.length !== program.spec.params.length) throw new Error('emitPointFragments: params length');
  if ((bind.fixed ?? []).length !== program.spec.fixed.length)
    throw new Error('emitPointFragments: fixed length');
  if (bind.variables.length !== V) throw new Error('emitPointFragments: variables length');
  for (const v of bind.variables) {
    if (!Number.isInteger(v.level) || v.level < -1 || v.level >= L) {
      throw new Error(`emitPointFragments: variable level ${v.level} outside -1..${L - 1}`);
    }
  }
  const em = new Emitter(program, bind.scope, { tabulate: false });
  em.leaves = {
    param: (i) => bind.params[i],
    fixed: (i) => bind.fixed![i],
    operandMask: (op) => {
      if (op >= V) throw new Error('emitPointFragments: observed/weights are not part of fragments');
      const l = bind.variables[op].level;
      return l < 0 ? 0 : 1 << l;
    },
    operand: (op) => bind.variables[op].code,
  };
  const nest = em.newNest(Array.from({ length: L }, (_x, l) => l));
  const inner = L - 1;
  const out = (e: Expr): CodeArg => {
    const c = constantValue(e);
    if (c !== undefined || e.kind === 'sym') return em.code(e, nest, inner);
    const n: Name = em.materialize(e, nest);
    return n;
  };
  const value = out(program.outputs[0]);
  const derivatives = program.outputs.slice(1).map(out);
  return {
    pre: em.pre,
    atLevel: Array.from({ length: L }, (_x, l) => em.block(nest, l)),
    value,
    derivatives,
  };
}
