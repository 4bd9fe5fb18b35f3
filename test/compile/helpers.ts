/**
 * Reference evaluation for kernel tests: the tree-walking evaluator (and symbolic derivatives) applied point by
 * point over a numpy broadcast, plus closeness checks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Expr } from '../../src/ast/expr.ts';
import { NdArray, broadcastShapes } from '../../src/data/ndarray.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { differentiate } from '../../src/symbolic/differentiate.ts';

export interface Spec {
  params: string[];
  fixed?: string[];
  variables: string[];
}

/** Element of `a` at the output multi-index `idx` of a broadcast to `shape` (right-aligned, size-1 repeats). */
export function broadcastAt(a: NdArray, idx: readonly number[]): number {
  const off = idx.length - a.shape.length;
  let flat = 0;
  for (let d = 0; d < a.shape.length; d++) {
    const i = a.shape[d] === 1 ? 0 : idx[d + off];
    flat = flat * a.shape[d] + i;
  }
  return a.data[flat];
}

export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}

/** A scope object with own properties only (safe for names like `__proto__`). */
export function scopeOf(entries: [string, number][]): Record<string, number> {
  return Object.fromEntries(entries) as Record<string, number>;
}

export interface Reference {
  shape: number[];
  values: Float64Array;
  jac: Float64Array;
}

/** Values and Jacobian by `evaluate` of the expression and of `differentiate(expr, p)` at every point. */
export function reference(
  expr: Expr,
  spec: Spec,
  data: Record<string, NdArray>,
  p: ArrayLike<number>,
  fixed: ArrayLike<number> = [],
  extraShapes: (readonly number[])[] = [],
  withJac = true,
): Reference {
  const vars = spec.variables.map((v) => data[v]);
  const shape = broadcastShapes([...vars.map((a) => a.shape), ...extraShapes]);
  const size = shape.reduce((a, b) => a * b, 1);
  const derivs = withJac ? spec.params.map((name) => differentiate(expr, name)) : [];
  const P = spec.params.length;
  const values = new Float64Array(size);
  const jac = new Float64Array(size * P);
  for (let k = 0; k < size; k++) {
    const idx = unravel(k, shape);
    const entries: [string, number][] = [];
    spec.params.forEach((n, i) => entries.push([n, p[i]]));
    (spec.fixed ?? []).forEach((n, i) => entries.push([n, fixed[i]]));
    spec.variables.forEach((n, i) => entries.push([n, broadcastAt(vars[i], idx)]));
    const scope = scopeOf(entries);
    values[k] = evaluate(expr, scope);
    for (let j = 0; j < derivs.length; j++) jac[k * P + j] = evaluate(derivs[j], scope);
  }
  return { shape, values, jac };
}

/** |a - b| <= rel * max(|a|, |b|) + abs; NaN matches NaN, infinities match themselves. */
export function close(a: number, b: number, rel: number, abs = 0): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

/** Throws with the worst index when two arrays differ beyond the tolerance. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  abs = 0,
  what = 'value',
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    if (!close(actual[i], expected[i], rel, abs)) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (rel ${rel}, abs ${abs})`);
    }
  }
}

export interface NistProblem {
  name: string;
  variables: string[];
  expr: string;
  params: string[];
  start1: number[];
  start2: number[];
  certified: number[];
  data: Record<string, number[]>;
  response: string;
}

export function loadNist(): NistProblem[] {
  const file = fileURLToPath(new URL('../fixtures/nist-strd/problems.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { problems: NistProblem[] }).problems;
}

/** A deterministic generator in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

export function nd(values: number[], shape: number[]): NdArray {
  return new NdArray(Float64Array.from(values), shape);
}

export function randomNd(shape: number[], rnd: () => number, lo = -2, hi = 2): NdArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = lo + (hi - lo) * rnd();
  return new NdArray(data, shape);
}
