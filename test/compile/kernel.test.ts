import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/ast/expr.ts';
import { binary, call, index, num, str, sym, array } from '../../src/ast/build.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { parseExpr } from '../../src/syntax/parse.ts';
import { compileModel, compileValues } from '../../src/compile/kernel.ts';
import type { BoundKernel, Kernel } from '../../src/compile/kernel.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { expectAllClose, lcg, loadNist, nd, randomNd, reference, scopeOf } from './helpers.ts';
import type { Spec } from './helpers.ts';

const ROTATED =
  'A*exp(-((cos(theta)^2/(2*sx^2) + sin(theta)^2/(2*sy^2))*(x-x0)^2' +
  ' + 2*(-sin(2*theta)/(4*sx^2) + sin(2*theta)/(4*sy^2))*(x-x0)*(y-y0)' +
  ' + (sin(theta)^2/(2*sx^2) + cos(theta)^2/(2*sy^2))*(y-y0)^2)) + offset';

interface Seed {
  name: string;
  expr: string;
  spec: Spec;
  p: number[];
}

const SEEDS: Seed[] = [
  {
    name: 'axis-aligned 2D Gaussian',
    expr: 'A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + offset',
    spec: { params: ['A', 'x0', 'y0', 'sx', 'sy', 'offset'], variables: ['x', 'y'] },
    p: [3, 0.2, -0.3, 1.1, 0.7, 0.5],
  },
  {
    name: 'rotated 2D Gaussian',
    expr: ROTATED,
    spec: { params: ['A', 'x0', 'y0', 'sx', 'sy', 'theta', 'offset'], variables: ['x', 'y'] },
    p: [3, 0.2, -0.3, 1.1, 0.7, 0.4, 0.5],
  },
  {
    name: 'plane',
    expr: 'a + b*x + c*y',
    spec: { params: ['a', 'b', 'c'], variables: ['x', 'y'] },
    p: [1, -2, 0.5],
  },
  {
    name: 'exponential decay',
    expr: 'A*exp(-t/tau) + c',
    spec: { params: ['A', 'tau', 'c'], variables: ['t'] },
    p: [2, 1.5, 0.1],
  },
  {
    name: 'Lorentzian',
    expr: 'A*g^2/((x - x0)^2 + g^2) + c',
    spec: { params: ['A', 'x0', 'g', 'c'], variables: ['x'] },
    p: [2, 0.1, 0.6, 0.2],
  },
];

const EMPTY = new Float64Array(0);

function runBound(b: BoundKernel, P: number, p: number[], fixed: number[] = []) {
  const out = new Float64Array(b.size);
  const jac = new Float64Array(b.size * P);
  b.valuesAndJacobian(Float64Array.from(p), Float64Array.from(fixed), out, jac);
  const vals = new Float64Array(b.size);
  b.values(Float64Array.from(p), Float64Array.from(fixed), vals);
  return { out, jac, vals };
}

/** Central finite differences of `values` w.r.t. each param. */
function finiteDiff(b: BoundKernel, P: number, p: number[], fixed: number[] = []): Float64Array {
  const J = new Float64Array(b.size * P);
  const up = new Float64Array(b.size);
  const dn = new Float64Array(b.size);
  for (let j = 0; j < P; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(p[j]));
    const pu = Float64Array.from(p);
    const pd = Float64Array.from(p);
    pu[j] += h;
    pd[j] -= h;
    b.values(pu, Float64Array.from(fixed), up);
    b.values(pd, Float64Array.from(fixed), dn);
    for (let i = 0; i < b.size; i++) J[i * P + j] = (up[i] - dn[i]) / (pu[j] - pd[j]);
  }
  return J;
}

function checkAgainstReference(
  expr: Expr,
  spec: Spec,
  data: Record<string, NdArray>,
  p: number[],
  fixed: number[] = [],
  fd = true,
): Kernel {
  const k = compileModel(expr, spec);
  const b = k.bind(data);
  const ref = reference(expr, spec, data, p, fixed);
  expect([...b.shape]).toEqual(ref.shape);
  const { out, jac, vals } = runBound(b, spec.params.length, p, fixed);
  expectAllClose(vals, ref.values, 1e-12, 0, 'values');
  expectAllClose(out, ref.values, 1e-12, 0, 'valuesAndJacobian values');
  const scale = Math.max(1, ...Array.from(ref.jac, Math.abs).filter(Number.isFinite));
  expectAllClose(jac, ref.jac, 1e-10, 1e-13 * scale, 'jacobian vs symbolic');
  if (fd)
    expectAllClose(jac, finiteDiff(b, spec.params.length, p, fixed), 1e-6, 1e-7 * scale, 'jacobian vs FD');
  return k;
}

describe('seed models', () => {
  const rnd = lcg(7);
  for (const seed of SEEDS) {
    it(`${seed.name}: values and Jacobian equal the reference on scattered points`, () => {
      const expr = parseExpr(seed.expr);
      const data: Record<string, NdArray> = {};
      for (const v of seed.spec.variables) data[v] = randomNd([40], rnd, -3, 3);
      const k = checkAgainstReference(expr, seed.spec, data, seed.p);
      expect(k.source).toMatch(/^function kern0\(/);
      expect(k.source).toContain('for (let ');
      expect(k.params).toEqual(seed.spec.params);
      expect(k.variables).toEqual(seed.spec.variables);
    });
    if (seed.spec.variables.length === 2) {
      it(`${seed.name}: on an [N, 1] x [1, M] grid`, () => {
        const expr = parseExpr(seed.expr);
        const data = { x: randomNd([1, 7], rnd, -3, 3), y: randomNd([5, 1], rnd, -3, 3) };
        checkAgainstReference(expr, seed.spec, data, seed.p);
        const t = compileModel(expr, seed.spec).bind({ x: data.y, y: data.x });
        expect([...t.shape]).toEqual([5, 7]);
      });
    }
  }
});

describe('NIST StRD models', () => {
  for (const prob of loadNist()) {
    it(`${prob.name}: ${prob.expr}`, () => {
      const expr = parseExpr(prob.expr);
      const spec = { params: prob.params, variables: prob.variables };
      const data: Record<string, NdArray> = {};
      for (const v of prob.variables) data[v] = new NdArray(Float64Array.from(prob.data[v]));
      for (const p of [prob.start1, prob.certified]) {
        const k = compileModel(expr, spec);
        const b = k.bind(data);
        const ref = reference(expr, spec, data, p);
        const { out, jac } = runBound(b, prob.params.length, p);
        expectAllClose(out, ref.values, 1e-12, 0, 'values');
        const scale = Math.max(...Array.from(ref.jac, Math.abs));
        expectAllClose(jac, ref.jac, 1e-9, 1e-14 * scale, 'jacobian');
      }
    });
  }

  it('residuals follow response - expr with the data of Misra1a', () => {
    const prob = loadNist().find((p) => p.name === 'Misra1a')!;
    const k = compileModel(parseExpr(prob.expr), { params: prob.params, variables: ['x'] });
    const y = Float64Array.from(prob.data.y);
    const b = k.bind({ x: new NdArray(Float64Array.from(prob.data.x)) }, { observed: y });
    const r = new Float64Array(b.size);
    b.residuals(Float64Array.from(prob.certified), EMPTY, r);
    const rss = r.reduce((s, v) => s + v * v, 0);
    expect(rss).toBeCloseTo(0.12455138894, 8);
  });
});

describe('broadcasting', () => {
  const rnd = lcg(11);
  const expr = parseExpr('a*x + b*sin(y*z) + exp(c*x*y) + z^2');
  const spec = { params: ['a', 'b', 'c'], variables: ['x', 'y', 'z'] };
  const p = [0.7, -1.3, 0.4];

  it.each([
    ['all 1-D', [6], [6], [6]],
    ['3-D with broadcasting', [2, 1, 4], [3, 1], []],
    ['size-1 dims', [1, 5, 1], [5], [1]],
    ['scalars only', [], [], []],
    ['4-D mixed', [2, 1, 3, 1], [1, 2, 1, 2], [3, 1]],
    ['a non-collapsible middle axis', [3, 4], [3, 1], [1, 4]],
    ['leading ones', [1, 1, 6], [6], [1, 1, 1]],
  ])('%s', (_name, sx, sy, sz) => {
    const data = { x: randomNd(sx, rnd), y: randomNd(sy, rnd), z: randomNd(sz, rnd) };
    checkAgainstReference(expr, spec, data, p);
  });

  it('collapses arrays of one shape into a single loop', () => {
    const k = compileModel(expr, spec);
    const b = k.bind({
      x: randomNd([3, 4, 5], rnd),
      y: randomNd([3, 4, 5], rnd),
      z: randomNd([3, 4, 5], rnd),
    });
    expect(b.sourceFor('jacobian').match(/for \(/g)).toHaveLength(1);
    expect(b.sourceFor('jacobian')).toBe(k.source);
  });

  it('reports shapes that do not broadcast', () => {
    const k = compileModel(expr, spec);
    const bad = () => k.bind({ x: randomNd([3], rnd), y: randomNd([4], rnd), z: randomNd([1], rnd) });
    expect(bad).toThrow(ExprfitError);
    expect(bad).toThrow(/do not broadcast/);
  });

  it('handles empty arrays', () => {
    const k = compileModel(expr, spec);
    const b = k.bind({ x: randomNd([0], rnd), y: randomNd([1], rnd), z: randomNd([], rnd) });
    expect(b.size).toBe(0);
    b.valuesAndJacobian(Float64Array.from(p), EMPTY, new Float64Array(0), new Float64Array(0));
  });

  it('accepts Float64Arrays and numbers as data', () => {
    const k = compileModel(expr, spec);
    const x = Float64Array.from([1, 2, 3]);
    const b = k.bind({ x, y: 0.5, z: -1 });
    const data = { x: new NdArray(x), y: NdArray.scalar(0.5), z: NdArray.scalar(-1) };
    const ref = reference(expr, spec, data, p);
    const out = new Float64Array(3);
    b.values(Float64Array.from(p), EMPTY, out);
    expectAllClose(out, ref.values, 1e-12);
  });

  it('caches generated functions by broadcast pattern', () => {
    const k = compileModel(expr, spec);
    const b1 = k.bind({ x: randomNd([1, 4], rnd), y: randomNd([3, 1], rnd), z: randomNd([], rnd) });
    const b2 = k.bind({ x: randomNd([1, 9], rnd), y: randomNd([8, 1], rnd), z: randomNd([], rnd) });
    expect(b1.sourceFor('values')).toBe(b2.sourceFor('values'));
    const data = { x: randomNd([1, 9], rnd), y: randomNd([8, 1], rnd), z: randomNd([], rnd) };
    const ref = reference(expr, spec, data, p);
    const out = new Float64Array(72);
    k.bind(data).values(Float64Array.from(p), EMPTY, out);
    expectAllClose(out, ref.values, 1e-12);
  });
});

describe('fixed values and constants', () => {
  it('passes fixed values at call time without differentiating them', () => {
    const expr = parseExpr('A*exp(-(x - mu)^2/(2*s^2)) + bg');
    const spec = { params: ['A', 'mu'], fixed: ['s', 'bg'], variables: ['x'] };
    const data = { x: randomNd([9], lcg(3)) };
    const k = checkAgainstReference(expr, spec, data, [2, 0.1], [0.8, 0.3]);
    expect(k.fixed).toEqual(['s', 'bg']);
    expect(k.bind(data).valuesAndJacobian).toBeTypeOf('function');
  });

  it('uses pi and e as constants unless a spec name shadows them', () => {
    const x = nd([0.25, 0.5], [2]);
    const out = new Float64Array(2);
    compileModel(parseExpr('sin(pi*x) + e'), { params: [], variables: ['x'] })
      .bind({ x })
      .values(EMPTY, EMPTY, out);
    expectAllClose(out, [Math.sin(Math.PI * 0.25) + Math.E, Math.sin(Math.PI * 0.5) + Math.E], 1e-15);
    const k = compileModel(parseExpr('e*x + pi'), { params: ['e'], fixed: ['pi'], variables: ['x'] });
    const jac = new Float64Array(2);
    k.bind({ x }).valuesAndJacobian(Float64Array.of(3), Float64Array.of(10), out, jac);
    expect([...out]).toEqual([10.75, 11.5]);
    expect([...jac]).toEqual([0.25, 0.5]);
  });
});

describe('residual modes', () => {
  const rnd = lcg(5);
  const expr = parseExpr('A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + b');
  const spec = { params: ['A', 'x0', 'y0', 's', 'b'], variables: ['x', 'y'] };
  const p = [4, 0.3, -0.2, 1.2, 0.5];
  const P = spec.params.length;
  const data = { x: randomNd([1, 6], rnd), y: randomNd([4, 1], rnd) };
  const ref = reference(expr, spec, data, p);
  const yobs = randomNd([4, 6], rnd);

  const check = (b: BoundKernel, w: (k: number) => number) => {
    const r = new Float64Array(24);
    const r2 = new Float64Array(24);
    const J = new Float64Array(24 * P);
    b.residuals!(Float64Array.from(p), EMPTY, r);
    b.residualsAndJacobian!(Float64Array.from(p), EMPTY, r2, J);
    const er = ref.values.map((f, k) => (f - yobs.data[k]) * w(k));
    const eJ = ref.jac.map((d, i) => d * w(Math.floor(i / P)));
    expectAllClose(r, er, 1e-11, 1e-14);
    expectAllClose(r2, er, 1e-11, 1e-14);
    expectAllClose(J, eJ, 1e-10, 1e-14);
  };

  it('unweighted: r = f - y, J = df/dp', () => {
    const b = compileModel(expr, spec).bind(data, { observed: yobs });
    expect(b.hasObserved).toBe(true);
    check(b, () => 1);
  });

  it('scalar weights', () => {
    check(compileModel(expr, spec).bind(data, { observed: yobs, weights: 2.5 }), () => 2.5);
  });

  it('array weights that broadcast along one axis', () => {
    const w = randomNd([4, 1], rnd, 0.5, 2);
    check(
      compileModel(expr, spec).bind(data, { observed: yobs, weights: w }),
      (k) => w.data[Math.floor(k / 6)],
    );
  });

  it('flat Float64Array observed and weights take the broadcast shape', () => {
    const w = randomNd([24], rnd, 0.5, 2);
    const b = compileModel(expr, spec).bind(data, { observed: yobs.data, weights: w.data });
    expect([...b.shape]).toEqual([4, 6]);
    check(b, (k) => w.data[k]);
  });

  it('observed data can set the shape of a model without variables', () => {
    const k = compileModel(parseExpr('c + 0*t'), { params: ['c'], variables: ['t'] });
    const b = k.bind({ t: 0 }, { observed: nd([1, 2, 4], [3]) });
    expect([...b.shape]).toEqual([3]);
    const r = new Float64Array(3);
    const J = new Float64Array(3);
    b.residualsAndJacobian(Float64Array.of(2), EMPTY, r, J);
    expect([...r]).toEqual([1, 0, -2]);
    expect([...J]).toEqual([1, 1, 1]);
  });

  it('has no residual methods without observed data', () => {
    const b = compileModel(expr, spec).bind(data);
    expect(b.hasObserved).toBe(false);
    expect(b.residuals).toBeUndefined();
    expect(b.residualsAndJacobian).toBeUndefined();
    expect(() => b.sourceFor('residuals')).toThrow(/observed/);
  });
});

describe('separable models on grids', () => {
  it('tabulates exp factors of the inner axis and stays exact', () => {
    const expr = parseExpr('A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + offset');
    const spec = { params: ['A', 'x0', 'y0', 'sx', 'sy', 'offset'], variables: ['x', 'y'] };
    const rnd = lcg(9);
    const data = { x: randomNd([1, 13], rnd, -3, 3), y: randomNd([11, 1], rnd, -3, 3) };
    const k = checkAgainstReference(expr, spec, data, [3, 0.2, -0.3, 1.1, 0.7, 0.5]);
    const src = k.bind(data).sourceFor('jacobian');
    expect(src).toMatch(/tb0\[/);
    // 3-D: a table over the two inner axes.
    const d3 = { x: randomNd([1, 1, 5], rnd), y: randomNd([1, 4, 1], rnd) };
    checkAgainstReference(expr, spec, d3, [3, 0.2, -0.3, 1.1, 0.7, 0.5]);
  });

  it('falls back to exp(u + v) when exp(u)*exp(v) overflows or underflows', () => {
    const expr = parseExpr('exp(a*x + b*y)');
    const k = compileValues(expr, { params: ['a', 'b'], variables: ['x', 'y'] });
    const b = k.bind({ x: nd([710, -750, 1, 0], [1, 4]), y: nd([-10, 700], [2, 1]) });
    expect(b.sourceFor('values')).toContain('Infinity');
    const out = new Float64Array(8);
    b.values(Float64Array.of(1, 1), EMPTY, out);
    const expected = [700, -760, -9, -10, 1410, -50, 701, 700].map(Math.exp);
    expectAllClose(out, expected, 1e-13);
  });
});

describe('hostile names', () => {
  const HOSTILE = [
    'constructor',
    '__proto__',
    'prototype',
    'process',
    'require',
    'this',
    'eval',
    'Function',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'arguments',
  ];

  it('work as ordinary parameter, fixed and variable names through the parser', () => {
    const [p1, p2, p3, f1, f2, v1, v2, v3] = [
      'constructor',
      '__proto__',
      'prototype',
      'process',
      'require',
      'eval',
      'Function',
      'toString',
    ];
    const text = `${p1}*${v1} + ${p2}*exp(-${v2}^2) + ${p3}*${f1} - ${f2}*${v3}`;
    const expr = parseExpr(text);
    const spec = { params: [p1, p2, p3], fixed: [f1, f2], variables: [v1, v2, v3] };
    const data = Object.fromEntries([
      [v1, nd([1, 2], [2])],
      [v2, nd([0.5], [1])],
      [v3, nd([3, 4], [2])],
    ]) as Record<string, NdArray>;
    const k = checkAgainstReference(expr, spec, data, [2, 3, 5], [7, 11]);
    for (const n of HOSTILE) expect(k.source).not.toMatch(new RegExp(`\\b${n}\\b`));
  });

  it('execute nothing, even names that are not identifiers (built by code)', () => {
    const g = globalThis as { __exprfitPwned?: number };
    g.__exprfitPwned = 0;
    const evil = [
      'x); globalThis.__exprfitPwned = 1; (',
      '`${globalThis.__exprfitPwned = 2}`',
      '\u2028globalThis.__exprfitPwned = 3',
      '*/ globalThis.__exprfitPwned = 4 /*',
      "'; globalThis.__exprfitPwned = 5; '",
      ...HOSTILE,
    ];
    const params = evil.slice(0, 6);
    const variables = evil.slice(6);
    let expr: Expr = num(0);
    for (const n of [...params, ...variables]) expr = binary('+', expr, binary('*', sym(n), num(2)));
    const k = compileModel(expr, { params, variables });
    const data = Object.fromEntries(variables.map((v, i) => [v, nd([i, i + 1], [2])])) as Record<
      string,
      NdArray
    >;
    const b = k.bind(data);
    const out = new Float64Array(2);
    const jac = new Float64Array(2 * params.length);
    const p = Float64Array.from(params.map((_n, i) => i + 1));
    b.valuesAndJacobian(p, EMPTY, out, jac);
    const scope = (j: number) =>
      scopeOf([
        ...params.map((n, i): [string, number] => [n, i + 1]),
        ...variables.map((v, i): [string, number] => [v, i + j]),
      ]);
    expect([...out]).toEqual([evaluate(expr, scope(0)), evaluate(expr, scope(1))]);
    expect([...jac]).toEqual(Array(2 * params.length).fill(2));
    expect(g.__exprfitPwned).toBe(0);
    for (const n of evil) expect(k.source).not.toContain(n);
    delete g.__exprfitPwned;
  });

  it('a data object with an own __proto__ property is read as data', () => {
    const k = compileModel(parseExpr('2*__proto__'), { params: [], variables: ['__proto__'] });
    const ok = Object.fromEntries([['__proto__', nd([1, 2], [2])]]) as Record<string, NdArray>;
    const out = new Float64Array(2);
    k.bind(ok).values(EMPTY, EMPTY, out);
    expect([...out]).toEqual([2, 4]);
    // Inherited properties are not data.
    expect(() =>
      compileModel(parseExpr('constructor'), { params: [], variables: ['constructor'] }).bind({}),
    ).toThrow(/no data for variable 'constructor'/);
  });
});

describe('errors', () => {
  const catchErr = (f: () => unknown): ExprfitError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ExprfitError);
      return e as ExprfitError;
    }
    throw new Error('expected an error');
  };

  it('unknown names carry the span of the name', () => {
    const text = 'A*exp(-x/tau) + foo';
    const e = catchErr(() => compileModel(parseExpr(text), { params: ['A', 'tau'], variables: ['x'] }));
    expect(e.code).toBe('unknown-name');
    expect(e.message).toBe(`unknown name 'foo'`);
    expect(e.span?.start).toBe(text.indexOf('foo'));
    expect(e.span?.end).toBe(text.indexOf('foo') + 3);
  });

  it('a name that is only a constant elsewhere is unknown when misspelled', () => {
    const e = catchErr(() => compileModel(parseExpr('Pi*x'), { params: [], variables: ['x'] }));
    expect(e.code).toBe('unknown-name');
    expect(e.hints.join(' ')).toMatch(/did you mean 'pi'/);
  });

  it.each([
    ['str', str('data.csv')],
    ['array', array([num(1), num(2)])],
    ['index', index(sym('x'), [{ kind: 'at', index: num(0) }])],
  ])('script-only node %s is a type error', (_k, node) => {
    const e = catchErr(() => compileModel(binary('+', sym('x'), node), { params: [], variables: ['x'] }));
    expect(e.code).toBe('type');
  });

  it('unknown functions and wrong arity', () => {
    expect(
      catchErr(() => compileModel(call('nosuch', [sym('x')]), { params: [], variables: ['x'] })).code,
    ).toBe('unknown-function');
    expect(
      catchErr(() => compileModel(call('exp', [sym('x'), sym('x')]), { params: [], variables: ['x'] })).code,
    ).toBe('arity');
    const typo = catchErr(() => compileModel(call('epx', [sym('x')]), { params: [], variables: ['x'] }));
    expect(typo.hints.join(' ')).toMatch(/did you mean 'exp'/);
  });

  it('bad specs and bad calls', () => {
    const x = parseExpr('a*x');
    expect(catchErr(() => compileModel(x, { params: ['a'], variables: ['a'] })).code).toBe('usage');
    expect(catchErr(() => compileModel(x, { params: ['a', '$0'], variables: ['x'] })).code).toBe('usage');
    const b = compileModel(x, { params: ['a'], variables: ['x'] }).bind({ x: nd([1, 2], [2]) });
    expect(catchErr(() => b.values(new Float64Array(2), EMPTY, new Float64Array(2))).code).toBe('shape');
    expect(catchErr(() => b.values([1] as unknown as Float64Array, EMPTY, new Float64Array(2))).code).toBe(
      'type',
    );
    expect(catchErr(() => b.values(Float64Array.of(1), EMPTY, new Float64Array(1))).code).toBe('shape');
    expect(
      catchErr(() => b.valuesAndJacobian(Float64Array.of(1), EMPTY, new Float64Array(2), new Float64Array(1)))
        .code,
    ).toBe('shape');
  });
});

describe('compileValues', () => {
  it('evaluates without derivatives and has no Jacobian methods', () => {
    const expr = parseExpr('x^2 + y^0.5 + x^-3 + x^4 + y^-0.5');
    const k = compileValues(expr, { params: [], variables: ['x', 'y'] });
    const rnd = lcg(2);
    const data = { x: randomNd([5], rnd, 0.5, 2), y: randomNd([5], rnd, 0.5, 2) };
    const b = k.bind(data);
    const out = new Float64Array(5);
    b.values(EMPTY, EMPTY, out);
    const ref = reference(expr, { params: [], variables: ['x', 'y'] }, data, [], [], [], false);
    expectAllClose(out, ref.values, 1e-15);
    expect(k.source).toContain('Math.sqrt');
    expect(k.source).not.toContain('Math.pow');
    expect((b as unknown as BoundKernel).valuesAndJacobian).toBeUndefined();
  });
});

describe('reassociation of invariant factors', () => {
  const run = (text: string, p: number[], x: number[]) => {
    const expr = parseExpr(text);
    const spec = { params: ['a', 's'], variables: ['x'] };
    const data = { x: nd(x, [x.length]) };
    const b = compileModel(expr, spec).bind(data);
    const out = new Float64Array(x.length);
    const jac = new Float64Array(2 * x.length);
    b.valuesAndJacobian(Float64Array.from(p), EMPTY, out, jac);
    return { out, jac, ref: reference(expr, spec, data, p), source: b.sourceFor('jacobian') };
  };

  it('hoists invariant factors of derivatives and divides through a hoisted reciprocal', () => {
    const r = run('a*x*s/s^2 + x/s', [3, 1.5], [0.5, 1, 2]);
    expect(r.source).toMatch(/fb0\(/);
    expectAllClose(r.out, r.ref.values, 1e-15);
    expectAllClose(r.jac, r.ref.jac, 1e-14);
  });

  it('falls back to the exact operation order when a hoisted factor is not a normal number', () => {
    // 1/5e-324 overflows: x * (1/s) would give 0 * Infinity = NaN where x / s is 0
    let r = run('a*x/s', [1, 5e-324], [0, 1e-310, 2e-320]);
    expect([...r.out]).toEqual([...r.ref.values]);
    expect([...r.jac]).toEqual([...r.ref.jac]);
    // 1/s^2 overflows although x/s^2 is finite
    r = run('a*x/s^2', [1, 1e-160], [1e-300, 0, 2e-310]);
    expectAllClose(r.jac, r.ref.jac, 1e-15);
    expect(Math.abs(r.jac[0] / 1e20 - 1)).toBeLessThan(1e-4); // s^2 is subnormal, hence inexact
    // zero factors (theta = 0 in a rotated Gaussian, an amplitude of 0) keep the fast path and stay exact
    r = run('a*x/s + sin(s)*x^2/a', [0, 0], [1, 2]);
    expect([...r.out]).toEqual([...r.ref.values]);
  });
});

describe('degenerate models', () => {
  it('constants, params only, and params the model does not use', () => {
    const out = new Float64Array(1);
    const k0 = compileModel(parseExpr('2*pi'), { params: [], variables: [] });
    const b0 = k0.bind({});
    expect([...b0.shape]).toEqual([]);
    b0.values(EMPTY, EMPTY, out);
    expect(out[0]).toBe(2 * Math.PI);

    const k1 = compileModel(parseExpr('a^2*x'), { params: ['a', 'unused'], variables: ['x'] });
    const b1 = k1.bind({ x: nd([1, 2, 3], [3]) });
    const o = new Float64Array(3);
    const jac = new Float64Array(6).fill(NaN);
    b1.valuesAndJacobian(Float64Array.of(3, 5), EMPTY, o, jac);
    expect([...o]).toEqual([9, 18, 27]);
    expect([...jac]).toEqual([6, 0, 12, 0, 18, 0]);
  });

  it('writes only the first size entries of longer output arrays', () => {
    const b = compileModel(parseExpr('a*x'), { params: ['a'], variables: ['x'] }).bind({
      x: nd([1, 2], [2]),
    });
    const out = new Float64Array(4).fill(-1);
    b.values(Float64Array.of(2), EMPTY, out);
    expect([...out]).toEqual([2, 4, -1, -1]);
  });
});
