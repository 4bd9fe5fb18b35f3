import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { parseExpr } from '../../src/syntax/parse.ts';
import { R } from '../../src/functions/runtime.ts';
import { compileModel } from '../../src/compile/kernel.ts';
import { compileProgram, emitPointFragments } from '../../src/compile/fragments.ts';
import { Block, NameScope, _, buildFunction } from '../../src/compile/codegen.ts';
import { expectAllClose, lcg, randomNd } from './helpers.ts';

type FitFn = (
  p: Float64Array,
  xs: Float64Array,
  ys: Float64Array,
  img: Float64Array,
  acc: Float64Array,
  tabs: Float64Array[],
) => void;

/**
 * A batch-fitting style kernel: accumulates JᵀJ (lower triangle), Jᵀr and chi² over a grid, storing no J.
 * With `tabulate`, x-only costly terms are tabulated per column (the variables are given as loads).
 */
function buildNormalEquationsKernel(text: string, params: string[], tabulate = false) {
  const program = compileProgram(parseExpr(text), { params, variables: ['x', 'y'] });
  const scope = new NameScope();
  const P = params.length;
  const [pa, xs, ys, img, acc, tabs] = ['pa', 'xs', 'ys', 'img', 'acc', 'tabs'].map((s) => scope.name(s));
  const pv = params.map(() => scope.name('p'));
  const x = scope.name('x');
  const y = scope.name('y');
  const [h, w, r, c, k, res] = ['h', 'w', 'r', 'c', 'k', 'res'].map((s) => scope.name(s));
  const frag = emitPointFragments(program, {
    scope,
    levels: 2,
    params: pv,
    variables: tabulate
      ? [
          { load: (i) => _`${xs}[${i}]`, level: 1 },
          { load: (i) => _`${ys}[${i}]`, level: 0 },
        ]
      : [
          { code: x, level: 1 },
          { code: y, level: 0 },
        ],
    ...(tabulate
      ? {
          tables: {
            loops: [
              { index: r, size: h },
              { index: c, size: w },
            ],
            scratch: tabs,
          },
        }
      : {}),
  });
  const body = new Block();
  pv.forEach((n, i) => body.push(_`const ${n} = ${pa}[${i}];`));
  body.push(_`const ${h} = ${ys}.length, ${w} = ${xs}.length;`);
  for (const s of frag.pre) body.push(s);
  for (const s of frag.tableLoops) body.push(s);
  body.push(_`let ${k} = 0;`);
  const outer = new Block(_`for (let ${r} = 0; ${r} < ${h}; ${r}++) {`);
  if (!tabulate) outer.push(_`const ${y} = ${ys}[${r}];`);
  for (const s of frag.atLevel[0]) outer.push(s);
  const inner = new Block(_`for (let ${c} = 0; ${c} < ${w}; ${c}++) {`);
  if (!tabulate) inner.push(_`const ${x} = ${xs}[${c}];`);
  for (const s of frag.atLevel[1]) inner.push(s);
  inner.push(_`const ${res} = ${frag.value} - ${img}[${k}++];`);
  const d = frag.derivatives;
  for (let i = 0; i < P; i++) {
    for (let j = 0; j <= i; j++) inner.push(_`${acc}[${i * P + j}] += ${d[i]} * ${d[j]};`);
    inner.push(_`${acc}[${P * P + i}] += ${d[i]} * ${res};`);
  }
  inner.push(_`${acc}[${P * P + P}] += ${res} * ${res};`);
  outer.push(inner);
  body.push(outer);
  return { ...buildFunction<FitFn>(scope.name('fit'), [pa, xs, ys, img, acc, tabs], body, R), frag };
}

describe('emitPointFragments', () => {
  const AXIS = 'A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + b';
  const SYMMETRIC = 'A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + b';
  it.each([
    ['axis-aligned Gaussian', AXIS, ['A', 'x0', 'y0', 'sx', 'sy', 'b'], false],
    ['symmetric Gaussian', SYMMETRIC, ['A', 'x0', 'y0', 's', 'b'], false],
    ['axis-aligned Gaussian, tabulated', AXIS, ['A', 'x0', 'y0', 'sx', 'sy', 'b'], true],
    ['symmetric Gaussian, tabulated', SYMMETRIC, ['A', 'x0', 'y0', 's', 'b'], true],
  ])('%s: a JᵀJ / Jᵀr kernel agrees with residualsAndJacobian', (_n, text, params, tabulate) => {
    const P = params.length;
    const { fn, source, frag } = buildNormalEquationsKernel(text, params, tabulate);
    expect(frag.pre.length).toBeGreaterThan(0);
    expect(frag.atLevel[0].length).toBeGreaterThan(0);
    const rnd = lcg(21);
    const xs = randomNd([9], rnd, -3, 3).data;
    const ys = randomNd([7], rnd, -3, 3).data;
    const img = randomNd([7, 9], rnd, 0, 3).data;
    const p = Float64Array.from(params.map((_q, i) => [2, 0.3, -0.2, 1.1, 0.8, 0.4][i]));
    const acc = new Float64Array(P * P + P + 1);
    const sizes = [7, 9];
    const tabs = frag.tableLevels.map((ls) => new Float64Array(ls.reduce((n, l) => n * sizes[l], 1)));
    expect(frag.tableLevels.length > 0).toBe(tabulate);
    fn(p, xs, ys, img, acc, tabs);

    const b = compileModel(parseExpr(text), { params, variables: ['x', 'y'] }).bind(
      { x: new NdArray(xs, [1, 9]), y: new NdArray(ys, [7, 1]) },
      { observed: new NdArray(img, [7, 9]) },
    );
    const r = new Float64Array(63);
    const J = new Float64Array(63 * P);
    b.residualsAndJacobian(p, new Float64Array(0), r, J);
    const expected = new Float64Array(P * P + P + 1);
    for (let k = 0; k < 63; k++) {
      for (let i = 0; i < P; i++) {
        for (let j = 0; j <= i; j++) expected[i * P + j] += J[k * P + i] * J[k * P + j];
        expected[P * P + i] += J[k * P + i] * r[k];
      }
      expected[P * P + P] += r[k] * r[k];
    }
    expectAllClose(acc, expected, 1e-11, 1e-12);
    // the y-only part of the model is computed per row, not per pixel
    expect(source).toMatch(/for \(let r0 = 0; r0 < h0; r0\+\+\) \{\n(\s+const \w+ = .*\n)+\s+for \(let c0/);
    if (tabulate) expect(source).toMatch(/tb0\[c0\]/);
  });

  it('rejects bindings that do not match the program', () => {
    const program = compileProgram(parseExpr('a*x'), { params: ['a'], variables: ['x'] });
    const scope = new NameScope();
    expect(() => emitPointFragments(program, { scope, levels: 1, params: [], variables: [] })).toThrow(
      /params/,
    );
    expect(() =>
      emitPointFragments(program, {
        scope,
        levels: 1,
        params: [scope.name('p')],
        variables: [{ code: scope.name('x'), level: 1 }],
      }),
    ).toThrow(/level/);
  });

  it('works without loops (straight-line code)', () => {
    const program = compileProgram(parseExpr('a*exp(b*x)'), { params: ['a', 'b'], variables: ['x'] });
    const scope = new NameScope();
    const [a, b, x] = [scope.name('a'), scope.name('b'), scope.name('x')];
    const frag = emitPointFragments(program, {
      scope,
      levels: 0,
      params: [a, b],
      variables: [{ code: x, level: -1 }],
    });
    const body = new Block();
    for (const s of frag.pre) body.push(s);
    body.push(_`return [${frag.value}, ${frag.derivatives[0]}, ${frag.derivatives[1]}];`);
    const f = buildFunction<(a: number, b: number, x: number) => number[]>(
      scope.name('f'),
      [a, b, x],
      body,
      R,
    ).fn;
    const [v, da, db] = f(2, 0.5, 3);
    expect(v).toBeCloseTo(2 * Math.exp(1.5), 14);
    expect(da).toBeCloseTo(Math.exp(1.5), 14);
    expect(db).toBeCloseTo(2 * 3 * Math.exp(1.5), 13);
  });
});
