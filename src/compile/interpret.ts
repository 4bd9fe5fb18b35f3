/**
 * The interpreted evaluator of compiled programs, for where code generation from strings is disallowed
 * (`node --disallow-code-generation-from-strings`, a Content-Security-Policy without 'unsafe-eval'): the CSE'd
 * program (temps, then the value and the derivatives) is evaluated point by point with the tree-walking
 * reference evaluator (src/symbolic/evaluate.ts), so its numbers are those the generated code is tested
 * against. Slower than generated code; see docs/compile.md, "Security model".
 */
import { evaluate } from '../symbolic/index.ts';
import type { SymbolicProgram } from './roles.ts';

let allowed: boolean | undefined;

/** Whether `new Function` works here (probed once: an EvalError means code generation is disallowed). */
export function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = (new Function('return 1') as () => number)() === 1;
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      allowed = false;
    }
  }
  return allowed;
}

/** One program evaluated at one point at a time: params, fixed values and variables in, outputs out. */
export class PointProgram {
  /** The names of the program and their values at the current point (no prototype: any name is a key). */
  private readonly scope: Record<string, number> = Object.create(null) as Record<string, number>;
  readonly nOutputs: number;

  constructor(private readonly program: SymbolicProgram) {
    this.nOutputs = program.outputs.length;
  }

  /** Sets the parameters and fixed values (before the points of one call). */
  setParameters(p: Float64Array, fixed: Float64Array): void {
    const { params, fixed: fixedNames } = this.program.spec;
    params.forEach((name, j) => (this.scope[name] = p[j]));
    fixedNames.forEach((name, j) => (this.scope[name] = fixed[j]));
  }

  /** Evaluates the outputs (the value, then one derivative per parameter) at one point into `outs`. */
  evaluatePoint(variable: (index: number) => number, outs: Float64Array): void {
    const { spec, temps, outputs } = this.program;
    const scope = this.scope;
    spec.variables.forEach((name, k) => (scope[name] = variable(k)));
    for (const t of temps) scope[t.name] = evaluate(t.expr, scope);
    for (let j = 0; j < outputs.length; j++) outs[j] = evaluate(outputs[j], scope);
  }
}

/**
 * Visits the points of a collapsed broadcast (C order): `visit(i, offset)` with the point's index and a function
 * giving operand k's element offset (`strides[k * levels + l]` per level `l`).
 */
export function forEachPoint(
  dims: Int32Array,
  strides: Int32Array,
  visit: (i: number, offset: (operand: number) => number) => void,
): void {
  const L = dims.length;
  let size = 1;
  for (let l = 0; l < L; l++) size *= dims[l];
  const idx = new Int32Array(L);
  const offset = (k: number): number => {
    let o = 0;
    for (let l = 0; l < L; l++) o += idx[l] * strides[k * L + l];
    return o;
  };
  for (let i = 0; i < size; i++) {
    visit(i, offset);
    for (let l = L - 1; l >= 0; l--) {
      if (++idx[l] < dims[l]) break;
      idx[l] = 0;
    }
  }
}
