/**
 * Options declared once. Each operation declares its options in one `defineOptions(scope, { ... })` call;
 * from that declaration come the TypeScript types (`OptionsOf` / `OptionsInput`), validation of a user
 * object (types, ranges, aliases, unknown keys with "did you mean"), the spelling of each key in every front
 * end (`minDistance`, `--min-distance`, `min_distance=`), parsing of CLI and script values, REPL completion,
 * `:help` text and the markdown options tables of the docs.
 *
 * Errors are `OptionError`s: an `ExprfitError('option', ...)` with a structured `detail` (scope, camelCase
 * key, offending value, what was expected), so that a front end renders the key in its own spelling with
 * `error.forFrontEnd('cli')` instead of rewriting message text.
 */
import { ExprfitError, type ErrorCode, type SourceSpan, type SourceText } from './errors.ts';
import { closestMatches } from './suggest.ts';
import type { ErrorDetail } from './errors.ts';

/** Where an option is written: the TypeScript API, a CLI flag, or a `.fit` statement / REPL line. */
export type FrontEnd = 'api' | 'cli' | 'script';

export type OptionKind = 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'numberArray' | 'custom';

/** A range bound: `{ min: 0, exclusive: true }` means `> 0`. */
export interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

/**
 * One declared option. `T` is its value type, `D` whether it has a default (then it is never undefined), `In`
 * what a user may pass (`T` and, for an enum, its value aliases).
 */
export interface OptionSpec<T = unknown, D extends boolean = boolean, In = T> {
  readonly kind: OptionKind;
  /** One line for `:help`, `--help` and the docs table. */
  readonly doc: string;
  readonly default?: T;
  readonly min?: Bound;
  readonly max?: Bound;
  /** Allowed words: the values of an enum, or the literal alternatives of a number (`'auto'`). */
  readonly words?: readonly string[];
  /** Other spellings of the key (camelCase), e.g. `maxGroup` for `maxGroupSize`. */
  readonly aliases?: readonly string[];
  /** Other spellings of enum values: `{ mle: 'poisson' }`. */
  readonly valueAliases?: Readonly<Record<string, string>>;
  /** The front ends where the option exists (default all): callbacks are API only, file names not API. */
  readonly frontEnds?: readonly FrontEnd[];
  /** The value's name in `--help` instead of its type: `--out <file>`. */
  readonly placeholder?: string;
  /** Most elements of a number array (bounds the work done on user input). */
  readonly maxLength?: number;
  /** `custom`: the test of a value and the words for "must be ...". */
  readonly accept?: (value: unknown) => boolean;
  readonly expected?: string;
  /** `custom`: parses a CLI string (default: the string itself). */
  readonly parse?: (text: string) => unknown;
  /** Type-level only: the value type and whether a default exists. Never set at run time. */
  readonly __type?: { value: T; hasDefault: D; input: In };
}

export type AnySpec = OptionSpec<unknown, boolean>;
export type OptionSpecs = Readonly<Record<string, AnySpec>>;

/**
 * A cross-option rule: returns the offending key and what it must be (and the offending value when it is a
 * part of the option's value, e.g. one entry of a record), or undefined when fine.
 */
export type OptionRule<O> = (options: O) => { key: string; expected: string; value?: unknown } | undefined;

export interface OptionsSchema<S extends OptionSpecs = OptionSpecs> {
  /** The operation, used in messages: `spots option '--roi' must be ...`. */
  readonly scope: string;
  readonly specs: S;
  /** Cross-option rules (typed against `OptionsOf<S>` where declared). */
  readonly rules: readonly OptionRule<Readonly<Record<string, unknown>>>[];
}

export type ValueOf<X> = X extends { readonly __type?: { value: infer T } } ? T : never;
export type InputOf<X> = X extends { readonly __type?: { input: infer In } } ? In : never;
export type HasDefault<X> = X extends OptionSpec<unknown, infer D> ? D : false;

/** The specs of a schema, or the specs themselves: `OptionsOf<typeof spotsSchema>` and `OptionsOf<S>` both work. */
export type SpecsOf<X> = X extends OptionsSchema<infer S> ? S : X extends OptionSpecs ? X : never;

/** What a user may pass: every key optional (and settable, as in a hand-written options interface). */
export type OptionsInput<X extends OptionSpecs | OptionsSchema> = {
  -readonly [K in keyof SpecsOf<X>]?: InputOf<SpecsOf<X>[K]>;
};

/** What validation returns: options with a default are always present. */
export type OptionsOf<X extends OptionSpecs | OptionsSchema> = ResolvedOptions<SpecsOf<X>>;

export type ResolvedOptions<S> = {
  [K in keyof S as HasDefault<S[K]> extends true ? K : never]: ValueOf<S[K]>;
} & { [K in keyof S as HasDefault<S[K]> extends true ? never : K]?: ValueOf<S[K]> };

// ---------------------------------------------------------------------------------------------------------
// Declaring options

interface CommonInit {
  readonly doc: string;
  readonly aliases?: readonly string[];
  readonly frontEnds?: readonly FrontEnd[];
  readonly placeholder?: string;
}

interface RangeInit {
  /** Inclusive bounds (`min: 1` means `>= 1`); `gt` / `lt` are the exclusive ones. */
  readonly min?: number;
  readonly max?: number;
  readonly gt?: number;
  readonly lt?: number;
}

interface NumberInit extends CommonInit, RangeInit {
  readonly default?: number | string;
  /** Words accepted besides numbers, e.g. `['auto']`. */
  readonly also?: readonly string[];
}

export type Declared<T, I, In = T> = OptionSpec<
  T,
  I extends { readonly default: unknown } ? true : false,
  In
>;
type AliasesOf<I> = I extends { readonly valueAliases: infer A } ? keyof A & string : never;
type AlsoOf<I> = I extends { readonly also: readonly (infer L)[] } ? L : never;

function range(init: RangeInit): { min?: Bound; max?: Bound } {
  const out: { min?: Bound; max?: Bound } = {};
  if (init.gt !== undefined) out.min = { value: init.gt, exclusive: true };
  else if (init.min !== undefined) out.min = { value: init.min, exclusive: false };
  if (init.lt !== undefined) out.max = { value: init.lt, exclusive: true };
  else if (init.max !== undefined) out.max = { value: init.max, exclusive: false };
  return out;
}

function common(init: CommonInit & { readonly default?: unknown }) {
  return {
    doc: init.doc,
    ...(init.default !== undefined ? { default: init.default } : {}),
    ...(init.aliases ? { aliases: init.aliases } : {}),
    ...(init.frontEnds ? { frontEnds: init.frontEnds } : {}),
    ...(init.placeholder ? { placeholder: init.placeholder } : {}),
  };
}

function numeric<T, I extends NumberInit>(kind: 'number' | 'integer', init: I): Declared<T, I> {
  return { kind, ...common(init), ...range(init), ...(init.also ? { words: init.also } : {}) } as Declared<
    T,
    I
  >;
}

/** The option builders: `opt.integer({ doc: '...', default: 7, min: 1 })`. */
export const opt = {
  /** A finite number, optionally bounded; `also: ['auto']` admits words too. */
  number<const I extends NumberInit>(init: I): Declared<number | AlsoOf<I>, I> {
    return numeric('number', init);
  },
  /** An integer (a safe one), optionally bounded. */
  integer<const I extends NumberInit>(init: I): Declared<number | AlsoOf<I>, I> {
    return numeric('integer', init);
  },
  boolean<const I extends CommonInit & { readonly default?: boolean }>(init: I): Declared<boolean, I> {
    return { kind: 'boolean', ...common(init) } as Declared<boolean, I>;
  },
  /** One of `values`; `valueAliases` maps other accepted words onto them. */
  enum<
    const V extends readonly string[],
    const I extends CommonInit & {
      readonly default?: V[number];
      readonly valueAliases?: Readonly<Record<string, V[number]>>;
    },
  >(values: V, init: I): Declared<V[number], I, V[number] | AliasesOf<I>> {
    const aliases = init.valueAliases ? { valueAliases: init.valueAliases } : {};
    const spec = { kind: 'enum', ...common(init), words: values, ...aliases };
    return spec as Declared<V[number], I, V[number] | AliasesOf<I>>;
  },
  string<const I extends CommonInit & { readonly default?: string }>(init: I): Declared<string, I> {
    return { kind: 'string', ...common(init) } as Declared<string, I>;
  },
  /** An array of finite numbers (each within the range), or one of the words of `also`. */
  numberArray<const I extends NumberInit & { readonly maxLength?: number }>(
    init: I,
  ): Declared<readonly number[] | AlsoOf<I>, I> {
    const words = init.also ? { words: init.also } : {};
    const maxLength = { maxLength: init.maxLength ?? 1_000_000 };
    return { kind: 'numberArray', ...common(init), ...range(init), ...words, ...maxLength } as Declared<
      readonly number[] | AlsoOf<I>,
      I
    >;
  },
  /**
   * Anything else (a callback, a `{ name: sigma }` record, a threshold `5sigma` or number): `accept` tests a
   * value, `expected` says what it must be, `parse` reads a CLI string. `D`: whether `default` is given.
   */
  custom<T, D extends boolean = false>(
    init: CommonInit & {
      readonly default?: T;
      readonly accept: (value: unknown) => value is T;
      readonly expected: string;
      readonly parse?: (text: string) => unknown;
      /** Words offered by completion and help (`symmetric`, `rotated`); other values may be valid too. */
      readonly words?: readonly string[];
    },
  ): OptionSpec<T, D> {
    const parse = init.parse ? { parse: init.parse } : {};
    const words = init.words ? { words: init.words } : {};
    const spec = {
      kind: 'custom',
      ...common(init),
      accept: init.accept,
      expected: init.expected,
      ...parse,
      ...words,
    };
    return spec as OptionSpec<T, D>;
  },
};

/** Declares the options of one operation. Keys must be camelCase; aliases must not collide. */
export function defineOptions<const S extends OptionSpecs>(
  scope: string,
  specs: S,
  rules: readonly OptionRule<OptionsOf<S>>[] = [],
): OptionsSchema<S> {
  const seen = new Set<string>();
  for (const [key, spec] of Object.entries(specs)) {
    for (const name of [key, ...(spec.aliases ?? [])]) {
      if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) throw new Error(`option '${name}' of ${scope}: not camelCase`);
      if (seen.has(name)) throw new Error(`option '${name}' of ${scope}: declared twice`);
      seen.add(name);
    }
  }
  return Object.freeze({
    scope,
    specs,
    rules: rules as readonly OptionRule<Readonly<Record<string, unknown>>>[],
  });
}

// ---------------------------------------------------------------------------------------------------------
// Spelling of keys per front end

/** `minDistance` → `min-distance` (CLI) or `min_distance` (script); unchanged for the API. */
export function spellKey(key: string, frontEnd: FrontEnd): string {
  if (frontEnd === 'api') return key;
  const sep = frontEnd === 'cli' ? '-' : '_';
  return key.replace(/[A-Z]/g, (c) => sep + c.toLowerCase());
}

/** The key as a user of `frontEnd` writes it in an option list: `minDistance`, `--min-distance`, `min_distance=`. */
export function renderOptionKey(key: string, frontEnd: FrontEnd): string {
  if (frontEnd === 'cli') return `--${spellKey(key, 'cli')}`;
  if (frontEnd === 'script') return `${spellKey(key, 'script')}=`;
  return key;
}

/** The key as quoted inside a message: `'--min-distance'`, `'min_distance'`, `'minDistance'`. */
function quotedKey(key: string, frontEnd: FrontEnd): string {
  return `'${frontEnd === 'cli' ? renderOptionKey(key, 'cli') : spellKey(key, frontEnd)}'`;
}

/** Reads a key as spelled in `frontEnd` back to camelCase (`--min-distance`, `min_distance` → `minDistance`). */
export function camelKey(spelled: string, frontEnd: FrontEnd): string {
  const bare = frontEnd === 'cli' ? spelled.replace(/^--?/, '') : spelled.replace(/=$/, '');
  if (frontEnd === 'api') return bare;
  // only separators between word characters: `__proto__` stays itself (an unknown key named as written)
  return bare.replace(/(?<=[a-zA-Z0-9])[-_]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function availableIn(spec: AnySpec, frontEnd: FrontEnd): boolean {
  return !spec.frontEnds || spec.frontEnds.includes(frontEnd);
}

/** The keys (camelCase, declaration order) that exist in a front end. */
export function optionKeys(schema: OptionsSchema, frontEnd: FrontEnd = 'api'): string[] {
  return Object.keys(schema.specs).filter((k) => availableIn(schema.specs[k], frontEnd));
}

/** The declared key that `spelled` (as written in `frontEnd`, or an alias) names; undefined when unknown. */
export function optionKeyOf(schema: OptionsSchema, spelled: string, frontEnd: FrontEnd): string | undefined {
  return spellings(schema, frontEnd).get(frontEnd === 'api' ? spelled : camelKey(spelled, frontEnd));
}

/**
 * The declared key that `spelled` names; an unknown key is the one unknown-option error of every front end
 * (`unknown spots option 'min_distanse'`, with suggestions), as validation gives it.
 */
export function requireOptionKey(schema: OptionsSchema, spelled: string, frontEnd: FrontEnd): string {
  return optionKeyOf(schema, spelled, frontEnd) ?? unknownKey(schema, frontEnd, spelled, undefined);
}

/** Map from every accepted camelCase spelling (key and aliases) to its key. */
function spellings(schema: OptionsSchema, frontEnd: FrontEnd): Map<string, string> {
  const map = new Map<string, string>();
  for (const key of optionKeys(schema, frontEnd)) {
    map.set(key, key);
    for (const a of schema.specs[key].aliases ?? []) map.set(a, key);
  }
  return map;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

export type OptionProblem = 'unknown' | 'invalid' | 'duplicate' | 'not-object';

/** The structured part of an option error; `key` is camelCase as declared (or as the user wrote it, when unknown). */
export interface OptionErrorDetail extends ErrorDetail {
  readonly kind: 'option';
  readonly scope: string;
  readonly problem: OptionProblem;
  readonly key: string;
  readonly value: unknown;
  /** `an integer >= 1`, `one of 'lse', 'poisson'` (for `invalid`). */
  readonly expected?: string;
  /** Close known keys (camelCase) or words, for `unknown` keys and enum values. */
  readonly suggestions: readonly string[];
  /** Whether the suggestions are keys (rendered per front end) or values (rendered as is). */
  readonly suggestionsAreKeys: boolean;
}

/** Formats a user value for a message: `'abc'`, `NaN`, `an array of length 3`, `a function`. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    return `an array of length ${(v as ArrayLike<unknown>).length}`;
  if (typeof v === 'function') return 'a function';
  return typeof v;
}

function quoteList(items: readonly string[]): string {
  const q = items.map((s) => `'${s}'`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q.at(-1)}`;
}

/** The message and hints of an option error, with keys spelled for `frontEnd`. */
export function renderOptionError(
  d: OptionErrorDetail,
  frontEnd: FrontEnd,
): { message: string; hints: string[] } {
  const key = quotedKey(d.key, frontEnd);
  const shown = d.suggestions.map((s) => (d.suggestionsAreKeys ? quotedKey(s, frontEnd).slice(1, -1) : s));
  const hints = shown.length ? [`did you mean ${quoteList(shown)}?`] : [];
  switch (d.problem) {
    case 'unknown':
      return { message: `unknown ${d.scope} option ${key}`, hints };
    case 'duplicate':
      return { message: `${d.scope} option ${key} is given twice (${describeValue(d.value)})`, hints };
    case 'not-object':
      return { message: `${d.scope} options must be an object, got ${describeValue(d.value)}`, hints };
    case 'invalid':
      return {
        message: `${d.scope} option ${key} must be ${d.expected}, got ${describeValue(d.value)}`,
        hints,
      };
  }
}

/** An invalid option: an `ExprfitError` with code `'option'` and the structured `detail`. */
export class OptionError extends ExprfitError {
  declare readonly detail: OptionErrorDetail;
  readonly frontEnd: FrontEnd;

  constructor(
    detail: OptionErrorDetail,
    frontEnd: FrontEnd = 'api',
    at: { span?: SourceSpan; source?: SourceText } = {},
  ) {
    const { message, hints } = renderOptionError(detail, frontEnd);
    super('option', message, { hints, ...at, detail });
    this.frontEnd = frontEnd;
  }

  /** The same error with keys spelled for another front end (the CLI showing `--max-group-size`). */
  forFrontEnd(frontEnd: FrontEnd): OptionError {
    return new OptionError(this.detail, frontEnd, { span: this.span, source: this.source });
  }

  /** The same error, spelled for `frontEnd`, pointing at the option in a script. */
  at(frontEnd: FrontEnd, span: SourceSpan | undefined, source: SourceText): OptionError {
    return new OptionError(this.detail, frontEnd, { span, source });
  }
}

/**
 * An invalid value found outside `validateOptions` (it needs the problem: a parameter name that the model
 * lacks), in the one format: `fit option 'xScale' must be ..., got 'taux'` + `did you mean ...`.
 */
export function invalidOptionError(
  scope: string,
  key: string,
  value: unknown,
  expected: string,
  suggestions: readonly string[] = [],
): OptionError {
  const detail = { kind: 'option', scope, problem: 'invalid', key, value, expected } as const;
  return new OptionError({ ...detail, suggestions, suggestionsAreKeys: false });
}

/** A setting that avoids an error (`nanPolicy: 'omit'`), kept structured so that each front end spells it. */
export interface SuggestedSetting {
  readonly scope: string;
  /** camelCase, as declared. */
  readonly key: string;
  readonly value: string;
}

/** `nanPolicy: 'omit'` (API), `--nan-policy omit` (CLI), `nan_policy=omit` (script). */
export function renderSetting(s: SuggestedSetting, frontEnd: FrontEnd): string {
  if (frontEnd === 'cli') return `${renderOptionKey(s.key, 'cli')} ${s.value}`;
  if (frontEnd === 'script') return `${renderOptionKey(s.key, 'script')}${s.value}`;
  return `${s.key}: '${s.value}'`;
}

/**
 * An error that a setting avoids: `<problem> (use <setting> to <purpose>)`, with the setting kept structured
 * so that a front end shows it in its own spelling ({@link SettingHintError.respelled}).
 */
export class SettingHintError extends ExprfitError {
  constructor(
    code: ErrorCode,
    readonly problem: string,
    readonly setting: SuggestedSetting,
    readonly purpose: string,
    spelled: string = renderSetting(setting, 'api'),
  ) {
    super(code, `${problem} (use ${spelled} to ${purpose})`);
  }

  /** The same error with the setting written as a front end writes it (`fit nan=omit`). */
  respelled(spelled: string): SettingHintError {
    return new SettingHintError(this.code, this.problem, this.setting, this.purpose, spelled);
  }
}

function fail(
  scope: string,
  frontEnd: FrontEnd,
  fields: Partial<OptionErrorDetail> & Pick<OptionErrorDetail, 'problem' | 'key' | 'value'>,
): never {
  throw new OptionError(
    { kind: 'option', scope, suggestions: [], suggestionsAreKeys: false, ...fields },
    frontEnd,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function boundText(b: Bound, lower: boolean): string {
  return `${lower ? (b.exclusive ? '>' : '>=') : b.exclusive ? '<' : '<='} ${b.value}`;
}

/** `an integer >= 1`, `a number > 0 and <= 1`, `'auto' or an integer >= 1`, `one of 'lse' or 'poisson'`. */
export function expectedText(spec: AnySpec): string {
  if (spec.kind === 'boolean') return 'true or false';
  if (spec.kind === 'string') return 'a string';
  if (spec.kind === 'enum') return `one of ${quoteList(spec.words ?? [])}`;
  if (spec.kind === 'custom') return spec.expected ?? 'a valid value';
  const bounds = [spec.min && boundText(spec.min, true), spec.max && boundText(spec.max, false)];
  const range = bounds.filter(Boolean).join(' and ');
  const noun = spec.kind === 'integer' ? 'an integer' : spec.kind === 'number' ? 'a finite number' : null;
  const base = noun
    ? `${noun}${range ? ` ${range}` : ''}`
    : `an array of finite numbers${range ? ` (each ${range})` : ''}`;
  return spec.words?.length ? `${quoteList(spec.words)} or ${base}` : base;
}

function inRange(spec: AnySpec, v: number): boolean {
  const { min, max } = spec;
  if (min && (min.exclusive ? !(v > min.value) : !(v >= min.value))) return false;
  if (max && (max.exclusive ? !(v < max.value) : !(v <= max.value))) return false;
  return true;
}

function isNumberIn(spec: AnySpec, v: unknown, integer: boolean): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (integer && !Number.isSafeInteger(v)) return false;
  return inRange(spec, v);
}

function isNumberArrayIn(spec: AnySpec, v: unknown): boolean {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) return false;
  if (v.length > (spec.maxLength ?? Infinity)) return false;
  for (let i = 0; i < v.length; i++) if (!isNumberIn(spec, v[i], false)) return false;
  return true;
}

/** Whether `v` is a valid value of `spec` (after value aliases were applied). */
function accepts(spec: AnySpec, v: unknown): boolean {
  if (typeof v === 'string' && spec.kind !== 'string' && spec.kind !== 'custom' && spec.words?.includes(v))
    return true;
  switch (spec.kind) {
    case 'number':
      return isNumberIn(spec, v, false);
    case 'integer':
      return isNumberIn(spec, v, true);
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'enum':
      return false; // words handled above
    case 'numberArray':
      return isNumberArrayIn(spec, v);
    case 'custom':
      return spec.accept ? spec.accept(v) : true;
  }
}

function canonicalValue(spec: AnySpec, v: unknown): unknown {
  if (typeof v === 'string' && spec.valueAliases && Object.hasOwn(spec.valueAliases, v))
    return spec.valueAliases[v];
  return v;
}

function checkValue(schema: OptionsSchema, frontEnd: FrontEnd, key: string, value: unknown): unknown {
  const spec = schema.specs[key];
  const v = canonicalValue(spec, value);
  if (accepts(spec, v)) return v;
  const words = typeof value === 'string' ? (spec.words ?? []) : [];
  const suggestions = words.length ? closestMatches(value as string, words) : [];
  fail(schema.scope, frontEnd, { problem: 'invalid', key, value, expected: expectedText(spec), suggestions });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function unknownKey(schema: OptionsSchema, frontEnd: FrontEnd, spelled: string, value: unknown): never {
  const known = [...spellings(schema, frontEnd).keys()];
  const suggestions = closestMatches(camelKey(spelled, frontEnd), known);
  fail(schema.scope, frontEnd, {
    problem: 'unknown',
    key: camelKey(spelled, frontEnd),
    value,
    suggestions,
    suggestionsAreKeys: true,
  });
}

function applyDefaults(schema: OptionsSchema, frontEnd: FrontEnd, out: Record<string, unknown>): void {
  for (const key of optionKeys(schema, frontEnd)) {
    const d = schema.specs[key].default;
    if (!(key in out) && d !== undefined) out[key] = d;
  }
}

/**
 * Checks a user's options and fills in the defaults. Keys are spelled as in `frontEnd` (`min_distance` in a
 * script, `min-distance` on the CLI, camelCase in the API) and may be aliases; `undefined` values count as
 * absent. Unknown keys (including `__proto__` and `constructor`) are errors with suggestions; the result is
 * a fresh object holding only declared keys.
 */
export function validateOptions<S extends OptionSpecs>(
  schema: OptionsSchema<S>,
  input: unknown = {},
  frontEnd: FrontEnd = 'api',
): OptionsOf<S> {
  if (!isPlainObject(input)) fail(schema.scope, frontEnd, { problem: 'not-object', key: '', value: input });
  const names = spellings(schema, frontEnd);
  const out: Record<string, unknown> = {};
  for (const spelled of Object.keys(input)) {
    const value = input[spelled];
    if (value === undefined) continue;
    const key = names.get(frontEnd === 'api' ? spelled : camelKey(spelled, frontEnd));
    if (key === undefined) unknownKey(schema, frontEnd, spelled, value);
    if (key in out) fail(schema.scope, frontEnd, { problem: 'duplicate', key, value });
    out[key] = checkValue(schema, frontEnd, key, value);
  }
  applyDefaults(schema, frontEnd, out);
  const result = out as OptionsOf<S>;
  for (const rule of schema.rules) {
    const bad = rule(out);
    if (bad) fail(schema.scope, frontEnd, { problem: 'invalid', value: out[bad.key], ...bad });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Values from text

const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

function parseNumberText(text: string): number | string {
  const t = text.trim();
  if (t === '') return text;
  const lower = t.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const x = Number(t);
  return Number.isNaN(x) && lower !== 'nan' ? text : x;
}

function parseBooleanText(text: string): boolean | string {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(t)) return true;
  if (FALSE_WORDS.includes(t)) return false;
  return text;
}

function parseEnumText(spec: AnySpec, text: string): string {
  const t = text.trim();
  const words = [...(spec.words ?? []), ...Object.keys(spec.valueAliases ?? {})];
  return words.find((w) => w === t) ?? words.find((w) => w.toLowerCase() === t.toLowerCase()) ?? t;
}

/**
 * A CLI string read as the option's type: numbers (`1e-3`, `inf`), booleans (`true/yes/on/1`,
 * `false/no/off/0`), enum words (case-insensitive), number arrays (`1,2.5,3`). Text that does not read as
 * the type is returned unchanged, so that validation reports it with the user's spelling.
 */
export function parseCliValue(spec: AnySpec, text: string): unknown {
  if (spec.words?.includes(text.trim()) && spec.kind !== 'enum') return text.trim();
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return parseNumberText(text);
    case 'boolean':
      return parseBooleanText(text);
    case 'enum':
      return parseEnumText(spec, text);
    case 'numberArray':
      return parseNumberListText(text, spec.maxLength ?? 1_000_000);
    case 'custom':
      return spec.parse ? spec.parse(text) : text;
    case 'string':
      return text;
  }
}

function parseNumberListText(text: string, maxLength: number): readonly number[] | string {
  const parts = text.split(',');
  if (parts.length > maxLength) return text;
  const values = parts.map(parseNumberText);
  return values.every((v) => typeof v === 'number') ? (values as number[]) : text;
}

/**
 * A `.fit` statement value read as the option's type: numbers and booleans pass through, typed arrays become
 * arrays, bare words (`estimator=poisson`, `joint=yes`) read as on the CLI.
 */
export function parseScriptValue(spec: AnySpec, value: unknown): unknown {
  if (typeof value === 'string') return parseCliValue(spec, value);
  if (spec.kind === 'boolean' && (value === 0 || value === 1)) return value === 1;
  if (spec.kind === 'numberArray' && value instanceof Float64Array) return Array.from(value);
  return value;
}

/**
 * Parses and validates options given as text in a front end: `{ 'min-distance': '3' }` from CLI flags
 * (`frontEnd: 'cli'`) or `{ min_distance: 3 }` from a statement (`'script'`).
 */
export function parseOptions<S extends OptionSpecs>(
  schema: OptionsSchema<S>,
  raw: Readonly<Record<string, unknown>>,
  frontEnd: 'cli' | 'script',
): OptionsOf<S> {
  const names = spellings(schema, frontEnd);
  const parsed: Record<string, unknown> = {};
  for (const spelled of Object.keys(raw)) {
    const key = names.get(camelKey(spelled, frontEnd));
    const v = raw[spelled];
    if (key === undefined || v === undefined) parsed[spelled] = v;
    else if (frontEnd === 'cli' && typeof v === 'string')
      parsed[spelled] = parseCliValue(schema.specs[key], v);
    else parsed[spelled] = parseScriptValue(schema.specs[key], v);
  }
  return validateOptions(schema, parsed, frontEnd);
}

// ---------------------------------------------------------------------------------------------------------
// Help, completion, docs

function typeText(spec: AnySpec): string {
  switch (spec.kind) {
    case 'enum':
      return (spec.words ?? []).join('|');
    case 'numberArray':
      return 'numbers';
    case 'custom':
      return spec.words?.length ? `${spec.words.join('|')}|...` : 'value';
    default:
      return spec.words?.length ? `${spec.kind}|${spec.words.join('|')}` : spec.kind;
  }
}

function defaultText(spec: AnySpec): string {
  const d = spec.default;
  if (d === undefined) return '';
  if (Array.isArray(d)) return d.join(',');
  return typeof d === 'object' && d !== null ? JSON.stringify(d) : String(d);
}

/** The doc line of an option with its default: `half-width of the fitted region (default 7)`. */
export function optionDoc(spec: AnySpec): string {
  const d = defaultText(spec);
  return `${spec.doc}${d ? ` (default ${d})` : ''}`;
}

/** The flag as `--help` shows it: `--min-distance <integer>`, `--[no-]joint`, `--out <file>`. */
export function cliFlag(key: string, spec: AnySpec): string {
  const name = spellKey(key, 'cli');
  return spec.kind === 'boolean' ? `--[no-]${name}` : `--${name} <${spec.placeholder ?? typeText(spec)}>`;
}

/** REPL completions after a statement name: `min_distance=`, ... in declaration order. */
export function completions(schema: OptionsSchema, frontEnd: FrontEnd = 'script'): string[] {
  return optionKeys(schema, frontEnd).map((k) => renderOptionKey(k, frontEnd));
}

/** The words completion offers after `key=`: an enum's values and aliases, true/false, a custom option's words. */
export function valueWords(spec: AnySpec): readonly string[] {
  if (spec.kind === 'boolean') return ['true', 'false'];
  return [...(spec.words ?? []), ...Object.keys(spec.valueAliases ?? {})];
}

/**
 * Lines for `:help` / `--help`: the key as written, its type, the doc line and the default; `extra` rows
 * (a front end's own options, `[head, doc]`) are aligned with them.
 */
export function helpLines(
  schema: OptionsSchema,
  frontEnd: FrontEnd,
  extra: readonly (readonly [string, string])[] = [],
): string[] {
  const rows = optionKeys(schema, frontEnd).map((k) => {
    const spec = schema.specs[k];
    const head = frontEnd === 'cli' ? cliFlag(k, spec) : `${renderOptionKey(k, frontEnd)}<${typeText(spec)}>`;
    return [head, optionDoc(spec)] as const;
  });
  const all = [...rows, ...extra];
  const width = Math.max(0, ...all.map(([h]) => h.length));
  return all.map(([h, doc]) => `  ${h.padEnd(width)}  ${doc}`);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The markdown options table of the docs (one row per option, keys spelled for `frontEnd`). */
export function markdownTable(schema: OptionsSchema, frontEnd: FrontEnd = 'script'): string {
  const lines = ['| option | type | default | allowed | description |', '|---|---|---|---|---|'];
  const spelled = (k: string) => (frontEnd === 'cli' ? renderOptionKey(k, 'cli') : spellKey(k, frontEnd));
  for (const k of optionKeys(schema, frontEnd)) {
    const spec = schema.specs[k];
    const d = defaultText(spec);
    const aliases = (spec.aliases ?? []).map((a) => `\`${spelled(a)}\``).join(', ');
    const doc = aliases ? `${spec.doc} (also ${aliases})` : spec.doc;
    const row = [`\`${spelled(k)}\``, typeText(spec), d ? `\`${d}\`` : '', expectedText(spec), doc];
    lines.push(`| ${row.map(cell).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
