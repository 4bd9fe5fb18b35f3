/**
 * The builtin registry: one `FunctionDef` per builtin (src/functions/builtins/*.ts) and the constants.
 * Names are looked up with `Object.hasOwn` on a null-prototype table, so user text such as `constructor`
 * or `__proto__` never finds anything it should not.
 */
import type { FunctionDef } from './types.ts';
import * as exponential from './builtins/exponential.ts';
import * as trigonometric from './builtins/trigonometric.ts';
import * as special from './builtins/special.ts';
import * as piecewise from './builtins/piecewise.ts';
import * as faddeeva from './builtins/faddeeva.ts';
import * as bessel from './builtins/bessel.ts';
import * as incomplete from './builtins/incomplete.ts';
import * as logistic from './builtins/logistic.ts';
import * as product from './builtins/product.ts';
import * as complexgamma from './builtins/complexgamma.ts';

const ALL: readonly FunctionDef[] = [
  ...Object.values(exponential),
  ...Object.values(trigonometric),
  ...Object.values(special),
  ...Object.values(piecewise),
  ...Object.values(faddeeva),
  ...Object.values(bessel),
  ...Object.values(incomplete),
  ...Object.values(logistic),
  ...Object.values(product),
  ...Object.values(complexgamma),
];

const TABLE: Record<string, FunctionDef> = Object.create(null);
for (const def of ALL) {
  if (Object.hasOwn(TABLE, def.name)) throw new Error(`duplicate builtin ${def.name}`);
  TABLE[def.name] = def;
}
Object.freeze(TABLE);

const NAMES = Object.freeze(Object.keys(TABLE).sort());

/** The builtin named `name`, or `undefined`. */
export function getFunction(name: string): FunctionDef | undefined {
  return Object.hasOwn(TABLE, name) ? TABLE[name] : undefined;
}

/** All builtin names, sorted. */
export function functionNames(): string[] {
  return [...NAMES];
}

/**
 * The named constants. A model that declares a parameter, variable or function argument of the same name
 * shadows the constant (the evaluator's scope is searched first).
 */
export const CONSTANTS: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, { pi: Math.PI, e: Math.E }),
);

/** The value of constant `name`, or `undefined` (safe for any string). */
export function getConstant(name: string): number | undefined {
  return Object.hasOwn(CONSTANTS, name) ? CONSTANTS[name] : undefined;
}

/** Checks an argument count against a builtin's arity. */
export function arityOk(def: FunctionDef, count: number): boolean {
  return count >= def.arity[0] && count <= def.arity[1];
}

/** `exp(x)`, `log(x) or log(x, base)`, ... as `expected 1 argument` style text. */
export function arityText(def: FunctionDef): string {
  const [lo, hi] = def.arity;
  const plural = (k: number) => (k === 1 ? 'argument' : 'arguments');
  if (lo === hi) return `${lo} ${plural(lo)}`;
  if (hi === Infinity) return `at least ${lo} ${plural(lo)}`;
  return `${lo} to ${hi} arguments`;
}

/**
 * The argument names of the fullest form of a builtin's signature: `log(x) or log(x, base)` gives
 * `x, base`; `hypot(x1, x2, ...)` gives `x1, x2`.
 */
export function argumentNames(def: FunctionDef): string[] {
  const forms = def.help.signature.split(' or ');
  const inner = /\((.*)\)/.exec(forms[forms.length - 1]!)?.[1] ?? '';
  return inner
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '' && a !== '...');
}
