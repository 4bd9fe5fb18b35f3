/**
 * Building blocks for callers that write their own loops around a model (e.g. batch fitting kernels that
 * accumulate JᵀJ and Jᵀr per fit): the CSE'd, hoisted code of a model's value and partial derivatives for
 * given variable/parameter codes, to splice into a function built with the code builder (codegen.ts).
 */
import { Emitter } from './plan.ts';
import type { Stmt } from './plan.ts';
import { _ } from './codegen.ts';
import type { CodeArg, Code, Name, NameScope } from './codegen.ts';
import type { ModelSpec } from './program.ts';
import { buildProgram } from './program.ts';
import { hasProduct } from './matvec.ts';
import { constantValue, type Expr } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import type { SymbolicProgram } from './roles.ts';

/** A variable whose value the caller defines at the top of loop `level` (-1: before the loops). */
export interface FragmentValue {
  readonly code: CodeArg;
  readonly level: number;
}

/**
 * A variable that varies along one loop level only, given by how to load it for a loop index of that level
 * (e.g. `(i) => _\`${xs}[${i}]\``). Needed for tabulation: table loops load it with their own index.
 */
export interface FragmentLoad {
  readonly load: (index: Name) => Code;
  readonly level: number;
}

export interface FragmentBindings {
  /** The caller's name scope: every name made for the fragments comes from it (so nothing collides). */
  readonly scope: NameScope;
  /** Number of loop levels the caller will write (0 for straight-line code). */
  readonly levels: number;
  /** Code of each param's value (in `spec.params` order), available before the loops (e.g. a `const`). */
  readonly params: readonly CodeArg[];
  /** Code of each fixed value, available before the loops. */
  readonly fixed?: readonly CodeArg[];
  /** Per variable, in `spec.variables` order. */
  readonly variables: readonly (FragmentValue | FragmentLoad)[];
  /**
   * Enables tabulation (a costly term of an inner level alone, e.g. `exp(-(x-x0)^2/(2*s^2))` on a grid, is
   * computed once per column in a small loop before the main loops): the caller's loop index and size code
   * (valid before the loops) per level, and the name of an array of scratch `Float64Array`s, one per entry of
   * `tableLevels` in the result, each of the product of its levels' sizes. Needs every variable as a
   * `FragmentLoad`.
   */
  readonly tables?: {
    readonly loops: readonly { readonly index: Name; readonly size: CodeArg }[];
    readonly scratch: Name;
  };
  /**
   * Reassociate products in the derivatives (never in the value) so that invariant factors are hoisted and
   * division by an invariant becomes a multiplication by its hoisted reciprocal. Results then differ from the
   * reference beyond rounding when a hoisted factor is subnormal, infinite or NaN (`0/5e-324` would become
   * `0*Infinity`), so each hoisted factor is checked and `onUnsafe` — a statement of the caller's, e.g.
   * `return exactKernel(...);` or a `throw` — runs when it is neither 0 nor a normal finite number.
   * Off by default (exact operation order everywhere).
   */
  readonly reassociate?: { readonly onUnsafe: Code };
}

export interface PointFragments {
  /** Statements to run once before the loops (param-only subexpressions), in order. */
  readonly pre: readonly Stmt[];
  /** Table loops, to run after `pre` and before the main loops (empty without tabulation). */
  readonly tableLoops: readonly Stmt[];
  /** For each scratch table `scratch[j]`: the loop levels it spans (its size is the product of their sizes). */
  readonly tableLevels: readonly (readonly number[])[];
  /** `atLevel[l]`: statements to put at the top of loop level `l`'s body (after the caller's own), in order. */
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
  if (hasProduct(expr)) {
    throw new ExprfitError(
      'value',
      'matrix products (dot(B, beta), B @ beta) are not supported in batch fits yet: fit each data set with fit()',
    );
  }
  return buildProgram(expr, spec, opts.derivatives ?? true);
}

/**
 * Emits the value and derivatives of `program` for caller-written loops: subexpressions are placed at the
 * outermost level where all their inputs exist (params-only parts in `pre`), products are reassociated to hoist
 * invariant factors, and `exp(u + v)` with `u`, `v` from different levels is factored when every factor can be
 * hoisted (or tabulated, with `tables`). Every output is a generated name (or literal), so it may be used
 * several times (e.g. in JᵀJ) without recomputation.
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
    if ('load' in v && v.level < 0)
      throw new Error('emitPointFragments: give a scalar variable as { code, level: -1 }');
  }
  const tables = bind.tables;
  if (tables) {
    if (tables.loops.length !== L)
      throw new Error('emitPointFragments: tables.loops needs one entry per level');
    if (!bind.variables.every((v) => 'load' in v)) {
      throw new Error('emitPointFragments: tabulation needs every variable as { load, level }');
    }
  }
  const em = new Emitter(program, bind.scope, {
    tabulate: tables !== undefined,
    reassociate: bind.reassociate !== undefined,
    ...(bind.reassociate ? { guard: bind.reassociate.onUnsafe } : {}),
    ...(tables ? { dimName: (l: number) => tables.loops[l].size, tablesArg: tables.scratch } : {}),
  });
  em.leaves = {
    param: (i) => bind.params[i],
    fixed: (i) => bind.fixed![i],
    operandMask: (op) => {
      if (op >= V) throw new Error('emitPointFragments: observed/weights are not part of fragments');
      const l = bind.variables[op].level;
      return l < 0 ? 0 : 1 << l;
    },
    operand: (op, nest) => {
      const v = bind.variables[op];
      if ('code' in v) return v.code;
      const key = `op${op}`;
      let name = nest.loads.get(key);
      if (!name) {
        name = bind.scope.name('v');
        em.block(nest, v.level).push(_`const ${name} = ${v.load(nest.idx.get(v.level)!)};`);
        nest.loads.set(key, name);
      }
      return name;
    },
  };
  const levels = Array.from({ length: L }, (_x, l) => l);
  const nest = em.newNest(levels, tables ? tables.loops.map((l) => l.index) : undefined);
  const inner = L - 1;
  const out = (e: Expr): CodeArg => {
    const c = constantValue(e);
    if (c !== undefined || e.kind === 'sym') return em.code(e, nest, inner);
    return em.materialize(e, nest);
  };
  const value = out(program.outputs[0]);
  const derivatives = program.outputs.slice(1).map(out);
  return {
    pre: em.pre,
    tableLoops: em.tableBlocks,
    tableLevels: em.tables.map((t) => levels.filter((l) => t.mask & (1 << l))),
    atLevel: levels.map((l) => em.block(nest, l)),
    value,
    derivatives,
  };
}
