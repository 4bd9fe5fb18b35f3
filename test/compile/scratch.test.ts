import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/kernel.ts';
import type { KernelFn, Layout, Mode } from '../../src/compile/plan.ts';
import { planKernel, tableSize } from '../../src/compile/plan.ts';
import { buildProgram } from '../../src/compile/program.ts';
import { parseExpr } from '../../src/syntax/parse.ts';

const X = new Float64Array([-1.5, -0.25, 0, 0.3, 0.7, 1.1, 2]);
const P = new Float64Array([0.5, -1.25, 2]);
const FLAT: Layout = { levels: 1, variables: [{ mask: 1, unitInner: true }] };

/** Runs the kernel planned with temporaries kept in a scratch array above `scratchAbove` of them. */
function run(model: string, mode: Mode, scratchAbove?: number) {
  const spec = { params: ['a0', 'a1', 'a2'], fixed: [], variables: ['x'] };
  const plan = planKernel(buildProgram(parseExpr(model), spec, true), FLAT, mode, true, scratchAbove);
  const dims = new Int32Array([X.length]);
  const tables = plan.tableMasks.map((m) => new Float64Array(tableSize(m, dims)));
  const out = new Float64Array(X.length);
  const jac = new Float64Array(X.length * P.length);
  const fail: KernelFn = () => {
    throw new Error('fallback taken');
  };
  plan.fn(P, new Float64Array(0), out, jac, dims, new Int32Array([1]), tables, 1, [X], fail);
  return { source: plan.source, out, jac };
}

/** `sum_i a_(i%3) * exp(-x*i/n) * sin(i*x)`: a shared subexpression or more per term. */
function manyTerms(n: number): string {
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) parts.push(`a${i % 3}*exp(-x*${i}/${n})*sin(${i}*x)`);
  return parts.join(' + ');
}

/** `sum_i a_(i%3) * sin(i*x) * cos(i*x)`: three temporaries per term. */
function sinCosTerms(n: number): string {
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) parts.push(`a${i % 3}*sin(${i}*x)*cos(${i}*x)`);
  return parts.join(' + ');
}

function direct(n: number, x: number): { value: number; grad: number[] } {
  let value = 0;
  const grad = [0, 0, 0];
  for (let i = 1; i <= n; i++) {
    const term = Math.sin(i * x) * Math.cos(i * x);
    value += P[i % 3] * term;
    grad[i % 3] += term;
  }
  return { value, grad };
}

describe('temporaries in a scratch array', () => {
  it('the small-model source has const locals and no scratch array', () => {
    const { source } = run(manyTerms(20), 'jacobian');
    expect(source).toMatch(/const t[0-9]+ = /);
    expect(source).not.toContain('Float64Array');
  });

  it.each(['values', 'jacobian'] as const)('computes the same %s as const locals, bit for bit', (mode) => {
    const model = manyTerms(20);
    const locals = run(model, mode);
    const scratch = run(model, mode, 0);
    expect(scratch.source).toMatch(/const sc[0-9]+ = new Float64Array\([0-9]+\);/);
    expect(scratch.source).not.toMatch(/\b(?:const|let) t[0-9]/);
    expect(scratch.out).toEqual(locals.out);
    expect(scratch.jac).toEqual(locals.jac);
  });

  it('moves the let temporary of a split exp(u + v) too', () => {
    // exp(a0*x + a1*y) over a 2 x 4 grid: exp(a1*y) * exp(a0*x) in a `let`, reassigned by its fallback
    const spec = { params: ['a0', 'a1'], fixed: [], variables: ['x', 'y'] };
    const program = buildProgram(parseExpr('exp(a0*x + a1*y)'), spec, true);
    const grid: Layout = {
      levels: 2,
      variables: [
        { mask: 2, unitInner: true },
        { mask: 1, unitInner: false },
      ],
    };
    const x = new Float64Array([0.5, -1, 1100, 0.25]);
    const y = new Float64Array([0.3, 600]); // 0.7 * 1100 - 1.3 * 600: exp overflows times exp underflows
    const runGrid = (scratchAbove?: number) => {
      const plan = planKernel(program, grid, 'jacobian', true, scratchAbove);
      const dims = new Int32Array([2, 4]);
      const tables = plan.tableMasks.map((m) => new Float64Array(tableSize(m, dims)));
      const out = new Float64Array(8);
      const jac = new Float64Array(16);
      const strides = new Int32Array([0, 1, 1, 0]);
      plan.fn(
        new Float64Array([0.7, -1.3]),
        new Float64Array(0),
        out,
        jac,
        dims,
        strides,
        tables,
        1,
        [x, y],
        null,
      );
      return { source: plan.source, out, jac };
    };
    const locals = runGrid();
    const scratch = runGrid(0);
    expect(locals.source).toMatch(/let t[0-9]+ = /);
    expect(scratch.source).not.toMatch(/\b(?:const|let) t[0-9]/);
    expect(scratch.out).toEqual(locals.out);
    expect(scratch.jac).toEqual(locals.jac);
    const want = [...y].flatMap((yv) => [...x].map((xv) => Math.exp(0.7 * xv - 1.3 * yv)));
    want.forEach((w, k) => expect(scratch.out[k]).toBeCloseTo(w, 12));
  });

  // Above 20,000 temporaries (SCRATCH_ABOVE in plan.ts) the kernel keeps them in a scratch array: as const
  // locals, 150,000 of them overflow the stack when the kernel is entered. 30,000 here keep the test near
  // 2 s of CPU (150,000 took 12 s and showed nothing more once the array is used).
  it('a model with 30,000 temporaries runs like a direct loop', { timeout: 240_000 }, () => {
    const n = 10_000;
    const kernel = compileModel(parseExpr(sinCosTerms(n)), {
      params: ['a0', 'a1', 'a2'],
      fixed: [],
      variables: ['x'],
    });
    expect(kernel.source).toContain('new Float64Array(30000)');
    const bound = kernel.bind({ x: X });
    const out = new Float64Array(X.length);
    const jac = new Float64Array(X.length * 3);
    bound.valuesAndJacobian(P, new Float64Array(0), out, jac);
    X.forEach((x, k) => {
      const want = direct(n, x);
      expect(out[k]).toBeCloseTo(want.value, 8);
      for (let j = 0; j < 3; j++) expect(jac[k * 3 + j]).toBeCloseTo(want.grad[j], 8);
    });
  });
});
