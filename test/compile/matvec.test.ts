/** Fused matrix products `dot(B, beta)` in kernels (src/compile/matvec.ts) and linear-parameter detection. */
import { describe, expect, it } from 'vitest';
import { compileModel, compileValues } from '../../src/compile/kernel.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { linearParameters } from '../../src/fit/linear.ts';
import { normalizeParam } from '../../src/model/params.ts';

const n = 6;
const K = 3;
const B = new NdArray(
  Float64Array.from({ length: n * K }, (_, i) => Math.sin(i + 1)),
  [n, K],
);
const x = new NdArray(Float64Array.from({ length: n }, (_, i) => i / 2));
const spec = { params: ['a', 'beta[0]', 'beta[1]'], fixed: ['beta[2]'], variables: ['B', 'x'] };
const p = Float64Array.from([1.5, 0.2, -0.3]);
const fixed = Float64Array.from([0.1]);

/** The model written out term by term, as the reference. */
function reference(i: number, q: Float64Array): number {
  const beta = [q[1], q[2], fixed[0]];
  let s = 0;
  for (let k = 0; k < K; k++) s += B.data[i * K + k] * beta[k];
  return q[0] * Math.exp(s) + q[2] * x.data[i];
}

describe('dot(B, beta) in a kernel', () => {
  const kernel = compileModel(parseExpr('a*exp(dot(B, beta)) + beta[1]*x'), spec);

  for (const interpret of [false, true]) {
    it(`gives values and a Jacobian equal to the written-out model${interpret ? ' (interpreted)' : ''}`, () => {
      const y = new Float64Array(n).fill(1);
      const bound = kernel.bind({ B, x }, { observed: y, weights: 2, interpret });
      const r = new Float64Array(n);
      const J = new Float64Array(n * 3);
      bound.residualsAndJacobian(p, fixed, r, J);
      for (let i = 0; i < n; i++) {
        expect(r[i]).toBeCloseTo((reference(i, p) - 1) * 2, 13);
        for (let j = 0; j < 3; j++) {
          const h = 1e-6;
          const up = Float64Array.from(p);
          const down = Float64Array.from(p);
          up[j] += h;
          down[j] -= h;
          const fd = ((reference(i, up) - reference(i, down)) / (2 * h)) * 2;
          expect(J[i * 3 + j]).toBeCloseTo(fd, 7);
        }
      }
    });
  }

  it('broadcasts the rows of two products with other variables, weighted', () => {
    const m = 3;
    const C = new NdArray(
      Float64Array.from({ length: m * 3 }, (_, i) => Math.sin(i + 0.7)),
      [m, 1, 3],
    );
    const t = new NdArray(
      Float64Array.from({ length: m }, (_, i) => i + 1),
      [m, 1],
    );
    const names = ['beta[0]', 'beta[1]', 'beta[2]', 'g[0]', 'g[1]', 'g[2]', 'a'];
    const model = parseExpr('exp(dot(B, beta)) * dot(C, g) + a*t + dot(B, beta)');
    const k2 = compileModel(model, { params: names, variables: ['B', 'C', 't'] });
    const w = new NdArray(
      Float64Array.from({ length: m * n }, (_, i) => 1 + i / 10),
      [m, n],
    );
    const bound = k2.bind(
      { B, C, t },
      { observed: new NdArray(new Float64Array(m * n).fill(0.5), [m, n]), weights: w },
    );
    expect(bound.shape).toEqual([m, n]);
    const q = Float64Array.from([0.3, -0.2, 0.1, 0.5, 0.1, -0.4, 0.7]);
    const ref = (v: Float64Array, i: number, j: number): number => {
      let s = 0;
      let u = 0;
      for (let c = 0; c < 3; c++) s += B.data[j * K + c] * v[c];
      for (let c = 0; c < 3; c++) u += C.data[i * 3 + c] * v[3 + c];
      return (Math.exp(s) * u + v[6] * (i + 1) + s - 0.5) * (1 + (i * n + j) / 10);
    };
    const r = new Float64Array(m * n);
    const J = new Float64Array(m * n * 7);
    bound.residualsAndJacobian(q, new Float64Array(0), r, J);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        expect(r[i * n + j]).toBeCloseTo(ref(q, i, j), 12);
        for (let c = 0; c < 7; c++) {
          const up = Float64Array.from(q);
          const down = Float64Array.from(q);
          up[c] += 1e-6;
          down[c] -= 1e-6;
          expect(J[(i * n + j) * 7 + c]).toBeCloseTo((ref(up, i, j) - ref(down, i, j)) / 2e-6, 7);
        }
      }
    }
  });

  it('evaluates values without derivatives', () => {
    const out = new Float64Array(n);
    compileValues(parseExpr('dot(B, beta)'), spec).bind({ B, x }).values(p, fixed, out);
    expect(out[2]).toBeCloseTo(B.data[6] * 0.2 - B.data[7] * 0.3 + B.data[8] * 0.1, 14);
  });

  it('keeps the product a loop in the generated source', () => {
    const big = Array.from({ length: 25 }, (_, k) => `beta[${k}]`);
    const k25 = compileModel(parseExpr('dot(B, beta)'), { params: big, variables: ['B'] });
    expect(k25.source.length).toBeLessThan(4000);
    expect(k25.source).not.toContain('beta');
  });

  it('reports a matrix with the wrong number of columns, and an operand that is not a vector', () => {
    const k4 = compileModel(parseExpr('dot(B, beta)'), { params: ['beta[0]', 'beta[1]'], variables: ['B'] });
    expect(() => k4.bind({ B })).toThrow(
      "'B' has shape [6, 3], whose last axis (3) does not match the 2 elements of 'beta'",
    );
    expect(() => compileModel(parseExpr('dot(B, c)'), { params: ['c0'], variables: ['B'] })).toThrow(
      "'c' is not a vector parameter",
    );
  });
});

describe('linear parameters (degree in the chosen set)', () => {
  const specs = (names: string[], bounded: string[] = []) =>
    new Map(names.map((nm) => [nm, normalizeParam(nm, bounded.includes(nm) ? { min: 0 } : undefined)]));
  const cases: [string, string[], string[]][] = [
    ['a*exp(-x/t) + b*exp(-x/u) + c', ['a', 't', 'b', 'u', 'c'], ['a', 'b', 'c']],
    ['a*b*x + c', ['a', 'b', 'c'], ['a', 'c']],
    ['(a*x + c)/t', ['a', 'c', 't'], ['a', 'c']],
    ['a*x^2 + exp(c)', ['a', 'c'], ['a']],
    ['A*exp(dot(B, beta)) + dot(C, gamma)', ['A', 'beta[0]', 'beta[1]', 'gamma[0]'], ['A', 'gamma[0]']],
  ];
  for (const [model, free, linear] of cases) {
    it(`${model}: ${linear.join(', ')}`, () => {
      expect(linearParameters([parseExpr(model)], free, specs(free))).toEqual(linear);
    });
  }
  it('leaves bounded parameters nonlinear', () => {
    expect(linearParameters([parseExpr('a*x + c')], ['a', 'c'], specs(['a', 'c'], ['a']))).toEqual(['c']);
  });
});
