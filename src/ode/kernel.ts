/**
 * A vector of expressions compiled into one function that computes their values and their partial
 * derivatives with respect to a list of names (the right-hand side of an ODE system with its Jacobian, the
 * outputs with their derivatives). Each expression goes through the model compiler's symbolic program
 * (simplified, CSE'd derivatives); the fragments are emitted into one straight-line function whose names are
 * all generated. Where code generation is disallowed the programs are evaluated by the interpreter.
 */
import type { Expr } from '../ast/index.ts';
import {
  _,
  Block,
  buildFunction,
  codeGenerationAllowed,
  compileProgram,
  emitPointFragments,
  Name,
  NameScope,
  PointProgram,
  type SymbolicProgram,
} from '../compile/index.ts';
import { R } from '../functions/index.ts';

/**
 * `run(x, fixed, values, jac)`: `values[i]` = expression i at `x` (the names differentiated) and `fixed`;
 * `jac[i * x.length + j]` = its derivative by `x[j]` (skipped when `jac` is null).
 */
export interface VectorKernel {
  readonly size: number;
  /** Generated source ('' when interpreted). */
  readonly source: string;
  run(x: Float64Array, fixed: Float64Array, values: Float64Array, jac: Float64Array | null): void;
}

type RunFn = VectorKernel['run'];

function programs(
  exprs: readonly Expr[],
  wrt: readonly string[],
  fixed: readonly string[],
  derivatives: boolean,
): SymbolicProgram[] {
  const spec = { params: [...wrt], fixed: [...fixed], variables: [] };
  return exprs.map((e) => compileProgram(e, spec, { derivatives }));
}

function generated(
  progs: readonly SymbolicProgram[],
  m: number,
  nFixed: number,
): { fn: RunFn; source: string } {
  const scope = new NameScope();
  const [x, fx, v, jac] = ['x', 'f', 'v', 'j'].map((p) => scope.name(p));
  const body = new Block();
  const params = loads(body, scope, x, m);
  const fixed = loads(body, scope, fx, nFixed);
  progs.forEach((prog, i) => {
    const frag = emitPointFragments(prog, { scope, levels: 0, params, fixed, variables: [] });
    for (const s of frag.pre) body.push(s);
    body.push(_`${v}[${i}] = ${frag.value};`);
    const rows = new Block(_`if (${jac} !== null) {`);
    frag.derivatives.forEach((d, j) => rows.push(_`${jac}[${i * m + j}] = ${d};`));
    if (!rows.isEmpty) body.push(rows);
  });
  return buildFunction<RunFn>(scope.name('ode'), [x, fx, v, jac], body, R);
}

function loads(body: Block, scope: NameScope, arr: Name, n: number): Name[] {
  return Array.from({ length: n }, (_u, i) => {
    const name = scope.name('a');
    body.const(name, _`${arr}[${i}]`);
    return name;
  });
}

function interpreted(progs: readonly SymbolicProgram[], m: number, derivatives: boolean): RunFn {
  const points = progs.map((p) => new PointProgram(p));
  const outs = new Float64Array(1 + m);
  return (x, fixed, values, jac) => {
    points.forEach((p, i) => {
      p.setParameters(x, fixed);
      p.evaluatePoint(() => 0, outs);
      values[i] = outs[0];
      if (jac && derivatives) for (let j = 0; j < m; j++) jac[i * m + j] = outs[1 + j];
    });
  };
}

/**
 * Compiles `exprs` as functions of `wrt` (differentiated unless `derivatives: false`, then `jac` is ignored)
 * and `fixed` (not differentiated).
 */
export function compileVector(
  exprs: readonly Expr[],
  wrt: readonly string[],
  fixed: readonly string[],
  opts: { interpret?: boolean; derivatives?: boolean } = {},
): VectorKernel {
  const derivatives = opts.derivatives ?? true;
  const progs = programs(exprs, wrt, fixed, derivatives);
  if (opts.interpret || !codeGenerationAllowed()) {
    return { size: exprs.length, source: '', run: interpreted(progs, wrt.length, derivatives) };
  }
  const { fn, source } = generated(progs, wrt.length, fixed.length);
  return { size: exprs.length, source, run: fn };
}
