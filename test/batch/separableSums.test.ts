/**
 * Row/column-separable sums (src/batch/separableSums.ts): which models have the form, and the separable
 * least-squares kernel against the per-pixel kernel of the same program (χ², Jᵀr, JᵀJ to 1e-12).
 */
import { describe, expect, it } from 'vitest';
import { compileProgram, type OperandLayout } from '../../src/compile/index.ts';
import { generateAccumulate } from '../../src/batch/kernel.ts';
import { factorSeparableExp } from '../../src/batch/separable.ts';
import { generateSeparableLse, separableForm } from '../../src/batch/separableSums.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { rng } from './helpers.ts';

const W = 11;
const H = 8;
// x along columns (the inner level), y along rows.
const LAYOUT = {
  levels: 2,
  variables: [
    { mask: 2, unitInner: true },
    { mask: 1, unitInner: true },
  ] as OperandLayout[],
};

function programOf(model: string, params: readonly string[], fixed: readonly string[] = []) {
  const e = factorSeparableExp(parseExpr(model), (n) => (n === 'x' ? 2 : n === 'y' ? 1 : 0));
  return compileProgram(e, { params, fixed, variables: ['x', 'y'] });
}

interface Case {
  readonly model: string;
  readonly params: Record<string, number>;
  readonly fixed?: Record<string, number>;
}

const CASES: Case[] = [
  {
    model: 'A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg',
    params: { A: 420, x0: 5.3, y0: 3.6, s: 1.6, bg: 9 },
  },
  {
    model: 'A*exp(-(x-x0)^2/(2*sx^2) - (y-y0)^2/(2*sy^2)) + bg + c*x - d*y^2',
    params: { A: 300, x0: 4.7, y0: 4.1, sx: 2.2, sy: 1.3, bg: 5, c: 0.7, d: 0.05 },
  },
  {
    model: 'A*(x - x0)*(y - y0)/(1 + (x/w)^2) + B*cos(k*y) + bg',
    params: { A: 2, x0: 4, y0: 3, w: 3, B: 7, bg: 1 },
    fixed: { k: 0.4 },
  },
];

/** Both kernels at `c`'s parameters, each jittered by up to ±5% (`jitter`) or as given. */
function evaluateBoth(c: Case, jitter = true) {
  const names = Object.keys(c.params);
  const fixedNames = Object.keys(c.fixed ?? {});
  const program = programOf(c.model, names, fixedNames);
  const P = names.length;
  const dims = Int32Array.of(H, W);
  const strides = new Int32Array(4);
  const arrays = [
    Float64Array.from({ length: W }, (_v, i) => i),
    Float64Array.from({ length: H }, (_v, i) => i),
  ];
  const u = rng(11);
  const obs = Float64Array.from({ length: 2 * W * H }, () => 50 * u());
  const p = Float64Array.from(names, (n) => c.params[n] * (jitter ? 1 + 0.1 * (u() - 0.5) : 1));
  const fixed = Float64Array.from(fixedNames, (n) => c.fixed![n]);
  return [true, false].map((separable) => {
    const k = separable
      ? generateSeparableLse(program, LAYOUT, separableForm(program, LAYOUT)!)
      : generateAccumulate(program, LAYOUT, { estimator: 'lse', weighted: false });
    const tables = k.tableLevels.map((list) =>
      list.map(
        (ls) =>
          new Float64Array(
            Math.max(
              1,
              ls.reduce((a, l) => a * dims[l], 1),
            ),
          ),
      ),
    );
    const scratch = new Float64Array(Math.max(1, k.scratchPerPoint * W * H));
    const h = new Float64Array(P * P);
    const g = new Float64Array(P);
    // The second fit of the stack (offsets matter).
    const chi = k.fn(p, fixed, dims, strides, arrays, tables, obs, W * H, null, h, g, scratch, 0);
    return { chi, g, h, source: k.source, P };
  });
}

describe('row/column-separable sums', () => {
  it('finds the form of sums of products of one-level factors, and nothing else', () => {
    const sym = separableForm(programOf(CASES[0].model, Object.keys(CASES[0].params)), LAYOUT)!;
    expect(sym).toBeDefined();
    // exp(a(x)), exp(a(x))·(x−x0), exp(a(x))·(x−x0)² along columns; the amplitude goes to the coefficients.
    expect(sym.levelFactors[1].length).toBe(3);
    expect(sym.levelFactors[0].length).toBe(3);
    expect(sym.derivatives.map((d) => d.length)).toEqual([1, 1, 1, 2, 1]);
    const rotated =
      'A*exp(-((x - x0)*cos(t) + (y - y0)*sin(t))^2/(2*sx^2) - ((y - y0)*cos(t) - (x - x0)*sin(t))^2/(2*sy^2)) + bg';
    const none = ['A*exp(-(x*y)/s) + bg', 'A/(1 + (x - x0)^2 + (y - y0)^2) + bg', rotated];
    for (const m of none) {
      const names = m === rotated ? ['A', 'x0', 'y0', 'sx', 'sy', 't', 'bg'] : ['A', 'x0', 'y0', 's', 'bg'];
      const used = names.filter((n) => m.includes(n));
      expect(separableForm(programOf(m, used), LAYOUT), m).toBeUndefined();
    }
    // One level only: nothing to gain.
    expect(separableForm(programOf('A*exp(-(x-x0)^2) + bg', ['A', 'x0', 'bg']), LAYOUT)).toBeUndefined();
  });

  for (const c of CASES) {
    it(`agrees with the per-pixel kernel to 1e-12: ${c.model}`, () => {
      const [sep, pix] = evaluateBoth(c);
      expect(sep.source).not.toBe(pix.source);
      expect(Math.abs(sep.chi - pix.chi)).toBeLessThanOrEqual(1e-12 * pix.chi);
      const P = pix.P;
      for (let a = 0; a < P; a++) {
        const ga = Math.sqrt(pix.h[a * P + a] * pix.chi);
        expect(Math.abs(sep.g[a] - pix.g[a]), `g[${a}]`).toBeLessThanOrEqual(1e-12 * ga);
        for (let b = 0; b < P; b++) {
          const scale = Math.sqrt(pix.h[a * P + a] * pix.h[b * P + b]);
          expect(Math.abs(sep.h[a * P + b] - pix.h[a * P + b]), `h[${a},${b}]`).toBeLessThanOrEqual(
            1e-12 * scale,
          );
        }
      }
    });
  }

  it('returns NaN where the per-pixel kernel does: a coefficient out of the normal range', () => {
    // ∂/∂s has the coefficient A/s³: it overflows at s = 1e-110 (the column factors do not); an amplitude of
    // 5e-324 is subnormal. The per-pixel kernel's hoisted factors are checked (fragments.ts `reassociate`).
    const base = CASES[0];
    const changes: Record<string, number>[] = [{ s: 1e-110 }, { A: 5e-324 }, { A: 1e300, s: 1e-105 }];
    for (const change of changes) {
      const c = { ...base, params: { ...base.params, ...change } };
      const [sep, pix] = evaluateBoth(c, false);
      expect(pix.chi, JSON.stringify(change)).toBeNaN();
      expect(sep.chi, JSON.stringify(change)).toBeNaN();
    }
    // In range both agree (s large: every factor but the background's is 1 or 0).
    const [sep, pix] = evaluateBoth({ ...base, params: { ...base.params, s: 1e160 } }, false);
    expect(sep.chi).toBe(pix.chi);
  });
});
