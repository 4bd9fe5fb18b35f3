/**
 * The named models: one `NamedModelDef` per model (src/models/{peaks,backgrounds,steps,others}.ts), looked up
 * by name with `Object.hasOwn` on a null-prototype table (user text never finds `constructor`).
 */
import type { NamedModelDef } from './types.ts';
import { arityOk, getFunction } from '../functions/index.ts';
import * as peaks from './peaks.ts';
import * as backgrounds from './backgrounds.ts';
import * as steps from './steps.ts';
import * as others from './others.ts';

/** Peaks, backgrounds, steps, others; alphabetical within each (module namespaces have no reliable order). */
const ALL: readonly NamedModelDef[] = [peaks, backgrounds, steps, others].flatMap((group) =>
  Object.values(group).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
);

const TABLE: Record<string, NamedModelDef> = Object.create(null);
for (const def of ALL) {
  if (Object.hasOwn(TABLE, def.name)) throw new Error(`duplicate named model ${def.name}`);
  TABLE[def.name] = def;
}
Object.freeze(TABLE);

/** The named model `name`, or `undefined`. */
export function getNamedModel(name: string): NamedModelDef | undefined {
  return Object.hasOwn(TABLE, name) ? TABLE[name] : undefined;
}

/**
 * The named model a call `fn(...)` of `count` arguments means, or `undefined`: a call with a prefix, or with the
 * model's number of arguments when no builtin takes that many (`voigt(x)` is the model, `voigt(x, sigma, gamma)`
 * the builtin; the script's `gaussian2d(x, y, x0, y0, sx, sy)` is not the model `gaussian2d(x, y)`).
 */
export function namedModelCall(fn: string, count: number, hasPrefix: boolean): NamedModelDef | undefined {
  const def = getNamedModel(fn);
  if (!def || hasPrefix) return def;
  if (count !== modelArity(def)) return undefined;
  const builtin = getFunction(fn);
  return builtin && arityOk(builtin, count) ? undefined : def;
}

/** All named models: peaks, backgrounds, steps, others, alphabetical within each. */
export function namedModels(): readonly NamedModelDef[] {
  return ALL;
}

/** The arguments a call of `def` takes: its variables, and a polynomial's degree. */
export function modelArity(def: NamedModelDef): number {
  return def.variables.length + (def.maxDegree === undefined ? 0 : 1);
}

/** `gaussian(x; prefix)`, `polynomial(x, degree; prefix)`: how a call of `def` is written. */
export function modelSignature(def: NamedModelDef): string {
  const args = [...def.variables, ...(def.maxDegree === undefined ? [] : ['degree'])];
  return `${def.name}(${args.join(', ')}; prefix)`;
}
