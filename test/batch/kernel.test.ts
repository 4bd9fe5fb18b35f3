/**
 * The fused per-fit kernels against a reference built from the compiler's residual/Jacobian kernels:
 * χ², the gradient Σ w² r J (r = y − f) and JᵀWJ (least squares), and the Gpufit Poisson formulas.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/kernel.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { prepareMany } from '../../src/batch/fitMany.ts';
import type { ManyParamInput } from '../../src/batch/fitMany.ts';
import { compiledFor, contextFor, kernelBuffers } from '../../src/batch/problem.ts';
import { factorSeparableExp } from '../../src/batch/separable.ts';
import { choleskySolve, invertSpd } from '../../src/batch/lm.ts';
import { FUSED_LN, fastLn, sumYLogF } from '../../src/batch/fastlog.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { evaluate } from '../../src/symbolic/index.ts';
import { printExpr } from '../../src/ast/print.ts';
import { rng } from './helpers.ts';

const W = 9;
const H = 7;
const xs = new NdArray(
  Float64Array.from({ length: W }, (_v, i) => i),
  [1, W],
);
const ys = new NdArray(
  Float64Array.from({ length: H }, (_v, i) => i),
  [H, 1],
);

interface Case {
  name: string;
  expr: string;
  params: Record<string, number>;
}

const CASES: Case[] = [
  {
    name: 'symmetric (separable)',
    expr: 'A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg',
    params: { A: 300, x0: 4.2, y0: 3.1, s: 1.4, bg: 7 },
  },
  {
    name: 'rotated (per-point exp in a pre-pass)',
    expr: 'A*exp(-((x - x0)*cos(t) + (y - y0)*sin(t))^2/(2*sx^2) - ((y - y0)*cos(t) - (x - x0)*sin(t))^2/(2*sy^2)) + bg',
    params: { A: 250, x0: 4.4, y0: 2.8, sx: 2.1, sy: 1.2, t: 0.4, bg: 5 },
  },
  {
    name: 'mixed: column-only and per-point transcendentals',
    expr: 'A*exp(-(x-x0)^2/4)*cos(0.1*x*y + c) + bg',
    params: { A: 20, x0: 4, c: 0.3, bg: 30 },
  },
];

/** Reference sums from compileModel: χ², g = Σ w r J with r = y − f, H = Σ w J Jᵀ, and the Poisson ones. */
function reference(
  c: Case,
  obs: Float64Array,
  w: Float64Array | null,
  names: readonly string[] = Object.keys(c.params),
) {
  const k = compileModel(parseExpr(c.expr), { params: names, variables: ['x', 'y'] });
  const b = k.bind({ x: xs, y: ys });
  const n = W * H;
  const P = names.length;
  const f = new Float64Array(n);
  const J = new Float64Array(n * P);
  b.valuesAndJacobian(Float64Array.from(names.map((p) => c.params[p])), new Float64Array(0), f, J);
  const lse = { chi: 0, g: new Float64Array(P), h: new Float64Array(P * P) };
  const poi = { chi: 0, g: new Float64Array(P), h: new Float64Array(P * P), fisher: new Float64Array(P * P) };
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const r = obs[i] - f[i];
    lse.chi += wi * wi * r * r;
    const y = obs[i];
    poi.chi += wi * 2 * (y > 0 ? f[i] - y - y * Math.log(f[i] / y) : f[i]);
    for (let a = 0; a < P; a++) {
      lse.g[a] += wi * wi * r * J[i * P + a];
      poi.g[a] += wi * (y / f[i] - 1) * J[i * P + a];
      for (let bb = 0; bb < P; bb++) {
        lse.h[a * P + bb] += wi * wi * J[i * P + a] * J[i * P + bb];
        poi.h[a * P + bb] += (wi * y * J[i * P + a] * J[i * P + bb]) / (f[i] * f[i]);
        poi.fisher[a * P + bb] += (wi * J[i * P + a] * J[i * P + bb]) / f[i];
      }
    }
  }
  return { names, lse, poi, f };
}

function closeArrays(a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) {
    expect(Math.abs(a[i] - b[i]), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(rel * scale + 1e-300);
  }
}

describe('fused accumulation kernels', () => {
  for (const c of CASES) {
    for (const estimator of ['lse', 'poisson'] as const) {
      for (const weighted of [false, true]) {
        it(`${c.name}, ${estimator}${weighted ? ', weighted' : ''}`, () => {
          const u = rng(3);
          const names = Object.keys(c.params);
          const k0 = compileModel(parseExpr(c.expr), { params: names, variables: ['x', 'y'] });
          const f = new Float64Array(W * H);
          k0.bind({ x: xs, y: ys }).values(
            Float64Array.from(names.map((p) => c.params[p])),
            new Float64Array(0),
            f,
          );
          // Two fits: the second one is the one checked (offsets matter).
          const obs = new Float64Array(2 * W * H);
          for (let i = 0; i < W * H; i++) {
            obs[i] = 1;
            obs[W * H + i] = Math.max(0, Math.round(f[i] + Math.sqrt(Math.abs(f[i])) * (u() - 0.5) * 3));
          }
          const wts = weighted ? Float64Array.from({ length: 2 * W * H }, () => 0.5 + u()) : null;
          const params: Record<string, ManyParamInput> = {};
          for (const p of names) params[p] = c.params[p];
          const prep = prepareMany(c.expr, { z: new NdArray(obs, [2, H, W]), x: xs, y: ys }, params, {
            estimator,
            ...(wts ? { weights: new NdArray(wts, [2, H, W]) } : {}),
          });
          const ctx = contextFor(prep.setup);
          const order = prep.setup.params;
          const P = order.length;
          const h = new Float64Array(P * P);
          const g = new Float64Array(P);
          const chi = ctx.evaluate(
            Float64Array.from(order.map((p) => c.params[p])),
            new Float64Array(0),
            W * H,
            h,
            g,
            prep.setup.cst ? prep.setup.cst[1] : 0,
          );
          const ref = reference(c, obs.subarray(W * H), wts ? wts.subarray(W * H) : null, order);
          const r = estimator === 'lse' ? ref.lse : ref.poi;
          expect(Math.abs(chi - r.chi)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(r.chi)));
          closeArrays(g, r.g, 1e-10);
          closeArrays(h, r.h, 1e-10);
        });
      }
    }
  }

  it('Poisson Fisher scoring accumulates the expected information', () => {
    const c = CASES[0];
    const names = Object.keys(c.params);
    const ref0 = reference(c, new Float64Array(W * H).fill(1), null);
    const obs = Float64Array.from(ref0.f, (v) => Math.round(v));
    const prep = prepareMany(c.expr, { z: new NdArray(obs, [1, H, W]), x: xs, y: ys }, c.params, {
      estimator: 'poisson',
      poissonHessian: 'fisher',
    });
    const ctx = contextFor(prep.setup);
    const order = prep.setup.params;
    const h = new Float64Array(25);
    const g = new Float64Array(5);
    ctx.evaluate(
      Float64Array.from(order.map((p) => c.params[p])),
      new Float64Array(0),
      0,
      h,
      g,
      prep.setup.cst![0],
    );
    closeArrays(h, reference(c, obs, null, order).poi.fisher, 1e-10);
    void names;
  });

  it('separable exponentials are factored symbolically and keep their values', () => {
    const e = parseExpr('A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg');
    const f = factorSeparableExp(e, (n) => (n === 'x' ? 2 : n === 'y' ? 1 : 0));
    expect(printExpr(f)).toBe('A*(exp(-(x - x0)^2/(2*s^2))*exp(-(y - y0)^2/(2*s^2))) + bg');
    const scope = { A: 3, x: 1.5, x0: 0.2, y: -0.7, y0: 0.4, s: 1.3, bg: 2 };
    expect(evaluate(f, scope)).toBeCloseTo(evaluate(e, scope), 14);
    // A cross term keeps the exponential whole; a term of the same level keeps its group.
    const rot = parseExpr('exp(-(x*y) - x^2)');
    expect(printExpr(factorSeparableExp(rot, (n) => (n === 'x' ? 2 : n === 'y' ? 1 : 0)))).toBe(
      printExpr(rot),
    );
    const three = parseExpr('exp(a - x^2 - y^2 + 2*x)');
    const g = factorSeparableExp(three, (n) => (n === 'x' ? 2 : n === 'y' ? 1 : 0));
    expect(evaluate(g, { a: 0.3, x: 0.4, y: -1.1 })).toBeCloseTo(
      evaluate(three, { a: 0.3, x: 0.4, y: -1.1 }),
      14,
    );
    expect(printExpr(g).match(/exp\(/g)?.length).toBe(2);
  });
});

describe('Poisson: Σ w y ln f inside the kernel', () => {
  const c = CASES[0];
  const run = (params: Record<string, number>, weighted: boolean) => {
    const u = rng(5);
    const obs = Float64Array.from({ length: W * H }, () => Math.floor(20 * u()));
    const w = weighted ? Float64Array.from({ length: W * H }, () => 0.5 + u()) : null;
    const prep = prepareMany(c.expr, { z: new NdArray(obs, [1, H, W]), x: xs, y: ys }, params, {
      estimator: 'poisson',
      ...(w ? { weights: new NdArray(w, [1, H, W]) } : {}),
    });
    const s = prep.setup;
    const k = compiledFor(s).kernel;
    const { tables, scratch } = kernelBuffers(k, s);
    const p = Float64Array.from(s.params, (n) => params[n]);
    const P = p.length;
    const args = [
      s.dims,
      s.strides,
      s.variableData as Float64Array[],
      tables,
      s.observed,
      0,
      s.weights,
    ] as const;
    k.fn(p, new Float64Array(0), ...args, new Float64Array(P * P), new Float64Array(P), scratch, 0);
    const fused = FUSED_LN!.lnOut[0];
    const bits = new Int32Array(scratch.buffer);
    const full = sumYLogF(s.observed, 0, s.weights, scratch, bits, k.valueSlice * s.size, s.size);
    // χ² through the solver's evaluation against Math.log.
    let ref = 0;
    const f = scratch.subarray(k.valueSlice * s.size, (k.valueSlice + 1) * s.size);
    for (let i = 0; i < W * H; i++) {
      const y = obs[i];
      ref += (w ? w[i] : 1) * 2 * (y > 0 ? f[i] - y - y * Math.log(f[i] / y) : f[i]);
    }
    const chi = contextFor(s).evaluate(
      p,
      new Float64Array(0),
      0,
      new Float64Array(P * P),
      new Float64Array(P),
      s.cst![0],
    );
    return { k, fused, full, chi, ref };
  };

  it('is the sum of sumYLogF, bit for bit, or NaN where a point needs the full logarithm', () => {
    for (const weighted of [false, true]) {
      const a = run(c.params, weighted);
      expect(a.k.fusedLog).toBe(true);
      expect(a.fused).toBe(a.full);
      expect(Math.abs(a.chi - a.ref)).toBeLessThanOrEqual(1e-10 * a.ref);
      // A background of 1 puts model values within 2^-7 of 1: the kernel leaves NaN, the caller sums.
      const b = run({ ...c.params, A: 2, bg: 1 }, weighted);
      expect(b.fused).toBeNaN();
      expect(Number.isFinite(b.full)).toBe(true);
      expect(Math.abs(b.chi - b.ref)).toBeLessThanOrEqual(1e-10 * b.ref);
    }
  });
});

describe('small dense linear algebra', () => {
  it('choleskySolve and invertSpd', () => {
    const a = Float64Array.of(4, 2, 0.6, 2, 5, 1, 0.6, 1, 3);
    const b = Float64Array.of(1, 2, 3);
    const x = new Float64Array(3);
    expect(choleskySolve(Float64Array.from(a), 3, b, x)).toBe(true);
    for (let i = 0; i < 3; i++)
      expect(a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]).toBeCloseTo(b[i], 12);
    const inv = new Float64Array(9);
    expect(invertSpd(a, 3, inv, new Float64Array(9))).toBe(true);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), 2, Float64Array.of(1, 1), new Float64Array(2))).toBe(
      false,
    );
    // A zero row (a parameter the model does not use) is left out: NaN there, the rest inverted.
    const z = Float64Array.of(2, 0, 0, 0);
    const zi = new Float64Array(4);
    expect(invertSpd(z, 2, zi, new Float64Array(4))).toBe(true);
    expect(zi[0]).toBeCloseTo(0.5, 15);
    expect(zi[3]).toBeNaN();
  });
});

describe('fast logarithm', () => {
  it('is within 2.3e-16 absolute and 3e-14 relative of Math.log', () => {
    const u = rng(5);
    let maxAbs = 0;
    let maxRel = 0;
    for (let i = 0; i < 200000; i++) {
      const x = i % 3 ? Math.exp((u() - 0.5) * 1400) : 0.9 + 0.2 * u();
      const a = fastLn(x);
      const b = Math.log(x);
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
      if (b !== 0) maxRel = Math.max(maxRel, Math.abs(a - b) / Math.abs(b));
    }
    expect(maxAbs).toBeLessThanOrEqual(2.3e-16);
    expect(maxRel).toBeLessThan(3e-14);
    expect(fastLn(1)).toBe(0);
    expect(fastLn(0)).toBe(-Infinity);
    expect(fastLn(-1)).toBeNaN();
    expect(fastLn(5e-324)).toBe(Math.log(5e-324));
  });

  it('sums w·y·ln f and rejects non-positive model values', () => {
    const f = Float64Array.of(2, 3, 0.5, 7);
    const bits = new Int32Array(f.buffer);
    const y = Float64Array.of(0, 1, 2, 0, 4, 5);
    const w = Float64Array.of(1, 1, 0.5, 1, 2, 1);
    const ref = 1 * Math.log(2) + 0.5 * 2 * Math.log(3) + 0 + 2 * 4 * Math.log(7);
    expect(sumYLogF(y, 1, w, f, bits, 0, 4)).toBeCloseTo(ref, 14);
    expect(sumYLogF(y, 1, null, f, bits, 0, 4)).toBeCloseTo(
      Math.log(2) + 2 * Math.log(3) + 4 * Math.log(7),
      14,
    );
    f[2] = 0;
    // f = 0 where y = 0 is allowed (the term is 0); f < 0 anywhere is not.
    expect(sumYLogF(Float64Array.of(1, 1, 0, 1), 0, null, f, bits, 0, 4)).toBeCloseTo(
      Math.log(6) + Math.log(7),
      14,
    );
    f[2] = -1;
    expect(sumYLogF(Float64Array.of(1, 1, 0, 1), 0, null, f, bits, 0, 4)).toBeNaN();
  });
});
