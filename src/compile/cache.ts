/**
 * The compile cache: repeated fits of the same model (a loop of small `fit()` calls, a REPL session) reuse
 * the prepared kernel — the checked expression, its simplified derivatives, CSE, and the generated and
 * compiled code of every binding layout used so far — instead of differentiating and compiling again.
 *
 * The key is everything a kernel depends on: the expression (printed, which parses back to the same tree, so
 * two texts that differ only in spacing share a kernel), the free parameters in their Jacobian order, the
 * fixed parameters, the data variables, whether derivatives are compiled and whether code generation is
 * allowed. Data shapes are not in the key: a kernel compiles one plan per broadcast layout and keys those by
 * the layout (plan.ts `layoutSignature`), so a cached kernel bound to data of another shape compiles the plan
 * it needs. Fit options reach the kernel only through these lists (nanPolicy, sigma and weights act on the
 * bound data), so they need no place in the key.
 *
 * Bounded: at most {@link MAX_ENTRIES} entries and {@link MAX_CHARS} characters of keys and generated source
 * (estimated from the size of each kernel's program, see `sizeOf`), least recently used first out. `clearCompileCache()` empties it (and the parsed-model cache of fit()).
 */
import { type Expr, printExpr } from '../ast/index.ts';
import { codeGenerationAllowed } from './interpret.ts';
import type { Kernel, ModelSpec, ValuesKernel } from './kernel.ts';
import { compileModel, compileValues } from './kernel.ts';

/** The most entries one cache holds. */
export const MAX_ENTRIES = 64;
/** The most characters (keys plus generated source) one cache holds. */
const MAX_CHARS = 4_000_000;

/** A least-recently-used map bounded by entry count and by the total size its caller assigns to entries. */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(
    readonly maxEntries = MAX_ENTRIES,
    readonly maxSize = MAX_CHARS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value for `key`, now the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Stores `value` (an entry larger than the whole bound is not kept) and evicts the least recently used. */
  set(key: string, value: V, size: number): void {
    this.delete(key);
    if (size > this.maxSize) return;
    this.entries.set(key, { value, size });
    this.total += size;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxSize) break;
      this.entries.delete(k);
      this.total -= e.size;
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.total -= old.size;
  }
}

const kernels = new BoundedCache<ValuesKernel>();
const clearHooks: (() => void)[] = [() => kernels.clear()];

/** Registers another cache that `clearCompileCache()` empties (the parsed models of fit()). */
export function onClearCompileCache(clear: () => void): void {
  clearHooks.push(clear);
}

/** Empties the compile cache: the next fit of any model parses, differentiates and compiles it again. */
export function clearCompileCache(): void {
  for (const clear of clearHooks) clear();
}

function kernelKey(expr: Expr, spec: ModelSpec, derivatives: boolean): string {
  const lists = [spec.params, spec.fixed ?? [], spec.variables, derivatives, codeGenerationAllowed()];
  return `${JSON.stringify(lists)}\n${printExpr(expr)}`;
}

/** Generated characters per node of a program, an upper bound of the ratio measured on typical models (13–31). */
const CHARS_PER_NODE = 32;

/**
 * The size a kernel is charged: its key plus an estimate of its generated source from the size of its
 * program (the source itself is generated per binding layout, when first bound).
 */
function sizeOf(key: string, kernel: ValuesKernel): number {
  let nodes = 0;
  const pending: Expr[] = [...kernel.program.outputs, ...kernel.program.temps.map((t) => t.expr)];
  while (pending.length > 0) {
    const e = pending.pop()!;
    nodes++;
    if (e.kind === 'unary') pending.push(e.arg);
    else if (e.kind === 'binary') pending.push(e.left, e.right);
    else if (e.kind === 'call') pending.push(...e.args);
  }
  return key.length + CHARS_PER_NODE * nodes;
}

function cached<K extends ValuesKernel>(key: string, compile: () => K): K {
  const hit = kernels.get(key);
  if (hit) return hit as K;
  const kernel = compile();
  kernels.set(key, kernel, sizeOf(key, kernel));
  return kernel;
}

/** {@link compileModel} through the compile cache: the same kernel object for the same expression and spec. */
export function compileModelCached(expr: Expr, spec: ModelSpec): Kernel {
  return cached(kernelKey(expr, spec, true), () => compileModel(expr, spec));
}

/** {@link compileValues} through the compile cache. */
export function compileValuesCached(expr: Expr, spec: ModelSpec): ValuesKernel {
  return cached(kernelKey(expr, spec, false), () => compileValues(expr, spec));
}

/** Entries in the kernel cache (for tests of the bound). */
export function compileCacheSize(): number {
  return kernels.size;
}
