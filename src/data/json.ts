/**
 * JSON data and results.
 *
 * Reading: a number or a (nested, rectangular) array of numbers -> one array; an object whose values are such
 * arrays -> named arrays (a table when all are 1-D of one length). `null` and the strings `"NaN"`, `"Infinity"`,
 * `"-Infinity"` read as those numbers, so files written by `writeJson` (either mode) read back.
 *
 * Writing: JSON has no NaN or infinities. `toJsonValue` maps them to `null` (the default, like `JSON.stringify`)
 * or, with `nonFinite: 'string'`, to the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (which keep the sign).
 * NdArrays become nested arrays, typed arrays plain arrays, `Map`s objects.
 */
import { NdArray, MAX_DIMS } from './ndarray.ts';
import { ioError, quote, readText, writeBytes } from './io.ts';

export type NonFinite = 'null' | 'string';

export interface JsonWriteOptions {
  /** How NaN and +/-Infinity are written: `null` (default) or the strings "NaN", "Infinity", "-Infinity". */
  nonFinite?: NonFinite;
  /** Indentation (default 2; 0 for one line). */
  indent?: number;
}

/** A JSON-safe deep copy of `value` (see the module comment). Functions and `undefined` members are dropped. */
export function toJsonValue(value: unknown, nonFinite: NonFinite = 'null'): unknown {
  const num = (v: number): unknown =>
    Number.isFinite(v)
      ? v
      : nonFinite === 'null'
        ? null
        : Number.isNaN(v)
          ? 'NaN'
          : v > 0
            ? 'Infinity'
            : '-Infinity';
  const walk = (v: unknown, seen: Set<unknown>): unknown => {
    if (typeof v === 'number') return num(v);
    if (typeof v === 'bigint') return Number(v);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v !== 'object') return undefined;
    if (seen.has(v)) throw new TypeError('cannot write a circular structure as JSON');
    seen.add(v);
    try {
      if (v instanceof NdArray) return walk(v.toNested(), seen);
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => num(Number(x)));
      }
      if (Array.isArray(v)) return v.map((x) => walk(x, seen) ?? null);
      if (v instanceof Map) v = Object.fromEntries(v);
      const toJSON = (v as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON === 'function') return walk(toJSON.call(v), seen);
      // Prototype-free: a key named `__proto__` stays a member.
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, x] of Object.entries(v as object)) {
        const w = walk(x, seen);
        if (w !== undefined) out[k] = w;
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, new Set());
}

/** JSON text for `value` (NaN/Infinity handled as in `toJsonValue`), ending with a newline. */
export function formatJson(value: unknown, options: JsonWriteOptions = {}): string {
  return JSON.stringify(toJsonValue(value, options.nonFinite ?? 'null'), null, options.indent ?? 2) + '\n';
}

/** Writes `value` (results, arrays, plain objects) as JSON. */
export async function writeJson(file: string, value: unknown, options: JsonWriteOptions = {}): Promise<void> {
  let text: string;
  try {
    text = formatJson(value, options);
  } catch (err) {
    throw ioError(file, `cannot write as JSON: ${(err as Error).message}`, err);
  }
  await writeBytes(file, text);
}

/** What a JSON data file holds. */
export type JsonData =
  | { kind: 'array'; array: NdArray }
  | { kind: 'table'; columns: Record<string, NdArray>; names: string[] }
  | { kind: 'arrays'; arrays: Record<string, NdArray>; names: string[] };

/** Converts a parsed JSON value to an NdArray: null/"NaN"/"Infinity"/"-Infinity" are numbers. */
function jsonToArray(value: unknown, file: string, where: string): NdArray {
  const fix = (v: unknown, path: string, depth: number): unknown => {
    if (Array.isArray(v)) {
      if (depth === MAX_DIMS)
        throw ioError(file, `${where} is nested more than ${MAX_DIMS} deep (the most dimensions)`);
      return v.map((x, i) => fix(x, `${path}[${i}]`, depth + 1));
    }
    if (typeof v === 'number') return v;
    if (v === null) return NaN;
    if (typeof v === 'string') {
      if (v === 'NaN' || v === 'nan') return NaN;
      if (v === 'Infinity' || v === 'inf') return Infinity;
      if (v === '-Infinity' || v === '-inf') return -Infinity;
    }
    if (typeof v === 'boolean') return v ? 1 : 0;
    // Named without JSON.stringify: a deeply nested object must not overflow the stack here.
    const what =
      typeof v === 'string'
        ? quote(JSON.stringify(v))
        : v !== null && typeof v === 'object'
          ? 'an object'
          : String(v);
    throw ioError(file, `${path} is ${what}, not a number`);
  };
  const fixed = fix(value, where, 0);
  try {
    return NdArray.from(fixed, where);
  } catch (err) {
    throw ioError(file, (err as Error).message, err);
  }
}

/** Interprets parsed JSON as data (see the module comment). `key` picks one member of an object. */
export function jsonToData(value: unknown, file = '<json>', key?: string): JsonData {
  if (key !== undefined) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) {
      throw ioError(file, `no member ${quote(key)} at the top level`);
    }
    return { kind: 'array', array: jsonToArray((value as Record<string, unknown>)[key], file, key) };
  }
  if (Array.isArray(value) || typeof value === 'number') {
    return { kind: 'array', array: jsonToArray(value, file, 'data') };
  }
  if (value === null || typeof value !== 'object') {
    throw ioError(file, 'expected a number, an array of numbers or an object of arrays');
  }
  const names = Object.keys(value);
  if (names.length === 0) throw ioError(file, 'the object holds no arrays');
  const arrays: Record<string, NdArray> = Object.create(null);
  for (const n of names) arrays[n] = jsonToArray((value as Record<string, unknown>)[n], file, n);
  const n0 = arrays[names[0]].shape;
  const isTable = names.every((n) => arrays[n].ndim === 1 && arrays[n].shape[0] === n0[0]);
  return isTable ? { kind: 'table', columns: arrays, names } : { kind: 'arrays', arrays, names };
}

/** Offset of the first JSON syntax error in `text` (a small recursive-descent scan, run only after a failure). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') str();
    else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  const str = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (pos) {
    return pos as number;
  }
}

/** Parses JSON text; a syntax error is an `'io'` error naming the file, line and column. */
export function parseJsonText(text: string, file = '<json>'): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    const pos = jsonErrorOffset(text);
    let where = '';
    if (pos >= 0) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      const found = pos < text.length ? `unexpected ${quote(text[pos])}` : 'unexpected end of input';
      where = ` at line ${line}, column ${col}: ${found}`;
    } else where = `: ${(err as Error).message}`;
    throw ioError(file, `invalid JSON${where}`, err);
  }
}

/** Reads a JSON data file (see the module comment). */
export async function readJson(file: string, options: { key?: string } = {}): Promise<JsonData> {
  return jsonToData(parseJsonText(await readText(file), file), file, options.key);
}
