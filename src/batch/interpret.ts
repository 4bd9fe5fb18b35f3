/**
 * The fused accumulation of a batch fit (kernel.ts) by the tree-walking evaluator, for where code generation
 * from strings is disallowed: the same estimator formulas, point by point over the program's value and
 * derivatives (src/compile/interpret.ts). Slower than the generated kernel; see docs/compile.md.
 */
import { constantValue } from '../ast/index.ts';
import { forEachPoint, PointProgram, type SymbolicProgram } from '../compile/index.ts';
import type { AccumulateFn, AccumulateKernel, AccumulateOptions, BatchLayout } from './kernel.ts';

/** The interpreted form of `generateAccumulate(program, layout, opts)`: the same inputs and outputs. */
export function interpretedAccumulate(
  program: SymbolicProgram,
  layout: BatchLayout,
  opts: AccumulateOptions,
): AccumulateKernel {
  const poisson = opts.estimator === 'poisson';
  return {
    fn: accumulateByTreeWalking(program, layout, opts),
    source:
      '// code generation from strings is disallowed here: this kernel is interpreted (docs/compile.md)',
    tableLevels: [[], []],
    scratchPerPoint: poisson ? 1 : 0,
    valueSlice: poisson ? 0 : -1,
    fusedLog: false,
  };
}

/** Per point: the factor of the gradient terms and of the Hessian terms, as the generated code forms them. */
interface PointTerms {
  gradient: number;
  hessian: number;
}

function accumulateByTreeWalking(
  program: SymbolicProgram,
  layout: BatchLayout,
  opts: AccumulateOptions,
): AccumulateFn {
  const prog = new PointProgram(program);
  const P = program.spec.params.length;
  // derivatives that are the literal 0 are left out of the sums (as in the generated code)
  const zero = program.outputs.slice(1).map((d) => constantValue(d) === 0);
  const outs = new Float64Array(prog.nOutputs);
  const g = new Float64Array(P);
  const h = new Float64Array(P * P);
  const terms: PointTerms = { gradient: 0, hessian: 1 };
  const poisson = opts.estimator === 'poisson';
  return (p, fixed, dims, strides, arrays, _tables, obs, off, wt, hess, grad, scratch) => {
    prog.setParameters(p, fixed);
    g.fill(0);
    h.fill(0);
    let sum = 0; // χ² (least squares) or Σ w·f (Poisson)
    forEachPoint(dims, strides, (i, offset) => {
      prog.evaluatePoint((v) => arrays[v][layout.variables[v].mask === 0 ? 0 : offset(v)], outs);
      const k = off + i;
      const w = wt === null ? undefined : wt[k];
      if (poisson) {
        scratch[i] = outs[0];
        sum += poissonTerms(outs[0], obs[k], w, opts.fisher === true, terms);
      } else {
        sum += leastSquaresTerms(outs[0], obs[k], w, terms);
      }
      for (let a = 0; a < P; a++) {
        if (zero[a]) continue;
        g[a] += terms.gradient * outs[1 + a];
        const e = terms.hessian * outs[1 + a];
        for (let b = a; b < P; b++) if (!zero[b]) h[a * P + b] += e * outs[1 + b];
      }
    });
    for (let a = 0; a < P; a++) {
      grad[a] = g[a];
      for (let b = a; b < P; b++) hess[a * P + b] = hess[b * P + a] = h[a * P + b];
    }
    return sum;
  };
}

/** Least squares (`w` the squared weight): r = y − f; returns w r², gradient factor w r, Hessian factor w. */
function leastSquaresTerms(f: number, y: number, w: number | undefined, t: PointTerms): number {
  const r = y - f;
  if (w === undefined) {
    t.gradient = r;
    t.hessian = 1;
    return r * r;
  }
  const rw = r * w;
  t.gradient = rw;
  t.hessian = w;
  return r * rw;
}

/** Poisson: returns w f; gradient factor (y/f − 1) w, Hessian factor w y/f² (Gpufit) or w/f (Fisher). */
function poissonTerms(f: number, y: number, w: number | undefined, fisher: boolean, t: PointTerms): number {
  const inv = 1 / f;
  const q = y * inv;
  if (w === undefined) {
    t.gradient = q - 1;
    t.hessian = fisher ? inv : q * inv;
    return f;
  }
  t.gradient = (q - 1) * w;
  t.hessian = fisher ? w * inv : w * q * inv;
  return w * f;
}
