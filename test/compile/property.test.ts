/**
 * Property tests: random well-formed expressions compile, and compiled values equal the tree-walking
 * evaluator point by point (also under broadcasting, where hoisting, tabulation and exp factoring are active);
 * compiled derivatives equal central finite differences where the expression is smooth.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Expr } from '../../src/ast/expr.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { differentiate } from '../../src/symbolic/differentiate.ts';
import { compileModel, compileValues } from '../../src/compile/kernel.ts';
import {
  ALL_TEST_FUNCTIONS,
  SMOOTH_FUNCTIONS,
  arbitraryExpr,
  close,
  finiteDifference,
} from '../helpers/arbitraryExpr.ts';
import { broadcastAt, scopeOf, unravel } from './helpers.ts';

const EMPTY = new Float64Array(0);
const value = fc
  .double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true })
  .map((v) => (Math.abs(v) < 1e-3 ? v + 0.0137 : v));
const values = (n: number) => fc.array(value, { minLength: n, maxLength: n });
/** Values away from 0 (derivative checks: keeps x^-5.5, 1/x^4, ... moderate so that rounding stays small). */
const moderate = fc
  .tuple(fc.double({ min: 0.25, max: 3, noNaN: true }), fc.boolean())
  .map(([v, neg]) => (neg ? -v : v));

/** Compiled values of `expr` (params a, b; variables x, y, z) against `evaluate` at every broadcast point. */
function checkValues(expr: Expr, p: number[], data: Record<string, NdArray>, rel: number): void {
  const spec = { params: ['a', 'b'], variables: ['x', 'y', 'z'] };
  const b = compileValues(expr, spec).bind(data);
  const out = new Float64Array(b.size);
  b.values(Float64Array.from(p), EMPTY, out);
  for (let k = 0; k < b.size; k++) {
    const idx = unravel(k, b.shape);
    const scope = scopeOf([
      ['a', p[0]],
      ['b', p[1]],
      ...spec.variables.map((v): [string, number] => [v, broadcastAt(data[v], idx)]),
    ]);
    const ref = evaluate(expr, scope);
    if (!close(out[k], ref, rel, 1e-300)) {
      throw new Error(`point ${k} [${idx}]: compiled ${out[k]}, reference ${ref}\n${b.sourceFor('values')}`);
    }
  }
}

const VARS = ['x', 'y', 'z', 'a', 'b'];

describe('compiled values equal the reference evaluator', () => {
  it('on scattered points (one loop)', () => {
    fc.assert(
      fc.property(
        arbitraryExpr({ variables: VARS, functions: ALL_TEST_FUNCTIONS, logic: true }),
        values(2),
        values(4),
        values(4),
        values(4),
        (expr, p, x, y, z) => {
          const data = {
            x: new NdArray(Float64Array.from(x)),
            y: new NdArray(Float64Array.from(y)),
            z: new NdArray(Float64Array.from(z)),
          };
          checkValues(expr, p, data, 1e-12);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('on broadcast grids (hoisting, tables, exp factoring)', () => {
    fc.assert(
      fc.property(
        arbitraryExpr({ variables: VARS, functions: ALL_TEST_FUNCTIONS, logic: true }),
        values(2),
        values(3),
        values(2),
        values(2),
        fc.constantFrom(0, 1, 2),
        (expr, p, x, y, z, pattern) => {
          const shapes = [
            [[1, 3], [2, 1], []],
            [
              [1, 1, 3],
              [2, 1, 1],
              [2, 1],
            ],
            [[3], [2, 1], [1, 1]],
          ][pattern];
          const data = {
            x: new NdArray(Float64Array.from(x), shapes[0]),
            y: new NdArray(Float64Array.from(y), shapes[1]),
            z: new NdArray(
              Float64Array.from(
                z.slice(
                  0,
                  shapes[2].reduce((s, d) => s * d, 1),
                ),
              ),
              shapes[2],
            ),
          };
          checkValues(expr, p, data, 1e-12);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('with extreme literals', () => {
    fc.assert(
      fc.property(
        arbitraryExpr({
          variables: VARS,
          functions: ALL_TEST_FUNCTIONS,
          logic: true,
          numbers: 'extreme',
          maxDepth: 3,
        }),
        values(2),
        values(2),
        value,
        value,
        (expr, p, x, y, z) => {
          const data = {
            x: new NdArray(Float64Array.from(x), [2]),
            y: NdArray.scalar(y),
            z: NdArray.scalar(z),
          };
          checkValues(expr, p, data, 1e-12);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('compiled derivatives', () => {
  it('equal the symbolic derivative, and central finite differences where smooth', () => {
    fc.assert(
      fc.property(
        arbitraryExpr({ variables: ['x', 'a', 'b'], functions: SMOOTH_FUNCTIONS, maxDepth: 3 }),
        fc.tuple(moderate, moderate),
        moderate,
        (expr, p, x) => {
          const k = compileModel(expr, { params: ['a', 'b'], variables: ['x'] });
          const b = k.bind({ x: NdArray.scalar(x) });
          const out = new Float64Array(1);
          const jac = new Float64Array(2);
          b.valuesAndJacobian(Float64Array.from(p), EMPTY, out, jac);
          for (let j = 0; j < 2; j++) {
            const f = (t: number) => {
              const q = [...p];
              q[j] = t;
              return evaluate(
                expr,
                scopeOf([
                  ['a', q[0]],
                  ['b', q[1]],
                  ['x', x],
                ]),
              );
            };
            const fd = finiteDifference(f, p[j]);
            const symbolic = evaluate(
              differentiate(expr, 'ab'[j]),
              scopeOf([
                ['a', p[0]],
                ['b', p[1]],
                ['x', x],
              ]),
            );
            // at a singularity (0/0, x/0) the sign of an infinity or NaN-ness depends on the algebraic form
            const singular =
              !Number.isFinite(out[0]) || (!Number.isFinite(jac[j]) && !Number.isFinite(symbolic));
            if (!singular && !close(jac[j], symbolic, 1e-7, 1e-12)) {
              throw new Error(`d/d${'ab'[j]}: compiled ${jac[j]}, symbolic ${symbolic}\n${k.source}`);
            }
            const big = Math.max(Math.abs(fd.value), Math.abs(jac[j]));
            if (!fd.smooth || !Number.isFinite(out[0]) || !Number.isFinite(jac[j]) || big > 1e8) continue;
            // rounding noise of the difference quotient: about eps * |f| / h
            const noise = (1e-9 * Math.abs(out[0])) / Math.max(1, Math.abs(p[j]));
            if (!close(jac[j], fd.value, 1e-6, 1e-8 + noise)) {
              throw new Error(
                `d/d${'ab'[j]}: compiled ${jac[j]}, finite difference ${fd.value}\n${k.source}`,
              );
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('equal the symbolic derivative on broadcast grids (hoisting, tables, reassociation)', () => {
    fc.assert(
      fc.property(
        arbitraryExpr({ variables: ['x', 'y', 'a', 'b'], functions: SMOOTH_FUNCTIONS, maxDepth: 3 }),
        fc.tuple(moderate, moderate),
        fc.tuple(moderate, moderate, moderate),
        fc.tuple(moderate, moderate),
        (expr, p, x, y) => {
          const spec = { params: ['a', 'b'], variables: ['x', 'y'] };
          const k = compileModel(expr, spec);
          const data = {
            x: new NdArray(Float64Array.from(x), [1, 3]),
            y: new NdArray(Float64Array.from(y), [2, 1]),
          };
          const b = k.bind(data);
          const out = new Float64Array(6);
          const jac = new Float64Array(12);
          b.valuesAndJacobian(Float64Array.from(p), EMPTY, out, jac);
          const derivs = spec.params.map((n) => differentiate(expr, n));
          for (let i = 0; i < 6; i++) {
            const idx = unravel(i, b.shape);
            const scope = scopeOf([
              ['a', p[0]],
              ['b', p[1]],
              ['x', broadcastAt(data.x, idx)],
              ['y', broadcastAt(data.y, idx)],
            ]);
            if (!close(out[i], evaluate(expr, scope), 1e-12)) throw new Error(`value at ${i}`);
            if (!Number.isFinite(out[i])) continue;
            for (let j = 0; j < 2; j++) {
              const symbolic = evaluate(derivs[j], scope);
              const singular = !Number.isFinite(jac[i * 2 + j]) && !Number.isFinite(symbolic);
              if (!singular && !close(jac[i * 2 + j], symbolic, 1e-7, 1e-12)) {
                throw new Error(
                  `d/d${'ab'[j]} at ${i}: compiled ${jac[i * 2 + j]}, symbolic ${symbolic}\n${b.sourceFor('jacobian')}`,
                );
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every random expression compiles with its Jacobian', () => {
    fc.assert(
      fc.property(arbitraryExpr({ variables: VARS, functions: ALL_TEST_FUNCTIONS, logic: true }), (expr) => {
        const k = compileModel(expr, { params: ['a', 'b'], variables: ['x', 'y', 'z'] });
        expect(k.source).toContain('function kern0');
      }),
      { numRuns: 200 },
    );
  });
});
