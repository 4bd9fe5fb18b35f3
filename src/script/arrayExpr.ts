/**
 * `evaluateArray(expr, arrays)`: the array-expression language of `.fit` scripts, from code. Element-wise
 * expressions compile to one fused loop with numpy broadcasting (grids that factor into 1-D pieces are
 * computed as outer products by the kernel compiler); array functions (`linspace`, `grid`, `gausskernel`,
 * `sum`, ...), literals and slicing work as in scripts.
 */
import { resolve } from 'node:path';
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { parseExpr } from '../syntax/index.ts';
import { Evaluator } from './evaluate.ts';
import type { Value } from './values.ts';

/** Input arrays: numbers, (nested) number arrays, Float64Arrays or NdArrays. */
export type ArrayInput = number | readonly unknown[] | Float64Array | NdArray;

/**
 * Evaluates `expr` (script expression syntax) over named arrays. Returns a number for scalar results and an
 * NdArray otherwise. Relative file names (`load("a.npy")`) resolve against `baseDir` (default: the working
 * directory). Errors are ExprfitErrors with the position in `expr`.
 *
 * @example await evaluateArray('1 - (1 - P1)*(1 - P2)', { P1, P2 })
 */
export async function evaluateArray(
  expr: string,
  arrays: Record<string, ArrayInput> = {},
  options: { baseDir?: string } = {},
): Promise<number | NdArray> {
  const source = { text: expr, file: '<expr>' };
  let e;
  try {
    e = parseExpr(expr, { file: '<expr>', checkCalls: false });
  } catch (err) {
    throw err instanceof ExprfitError ? err.withSource(source) : err;
  }
  const values = new Map<string, Value>();
  for (const [k, v] of Object.entries(arrays)) {
    const a = NdArray.from(v, k);
    values.set(k, a.ndim === 0 ? a.data[0] : a);
  }
  const baseDir = options.baseDir ?? process.cwd();
  const ev = new Evaluator(
    {
      lookup: (n) => values.get(n),
      userFunctions: new Map(),
      knownNames: () => values.keys(),
      resolvePath: (f) => resolve(baseDir, f),
    },
    source,
  );
  const out = await ev.evaluate(e);
  if (typeof out === 'number' || out instanceof NdArray) return out;
  throw new ExprfitError('type', `the expression's value is not a number or an array`, {
    span: e.span,
    source,
  });
}
