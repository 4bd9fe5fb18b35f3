/**
 * A type-safe JavaScript code builder (in the style of Ajv's CodeGen). The security model of compiled kernels
 * rests on this file: the only text that can reach `new Function` is
 *
 * - template literal parts written in exprfit's own source (the `_` tag),
 * - identifiers made here by a {@link NameScope} (`t12`, `v0`, `p3`: a lowercase prefix from exprfit's code
 *   followed by a counter, checked against {@link NAME_RE} when created),
 * - number literals formatted here from doubles ({@link numLit}),
 * - the output of builtin functions' `emit` rules (src/functions), which are exprfit's own code; each rule is
 *   checked once (see {@link trustedCall}) to reference nothing but its arguments, `Math`, `R` and literals.
 *
 * Strings are rejected at run time wherever a `Code` is expected, so user text (parameter names, file names,
 * anything parsed) cannot be spliced into generated source even by a cast.
 */
import { ExprfitError } from '../core/index.ts';

/** Generated identifiers: a short lowercase prefix and a counter. Never a keyword, never a global. */
export const NAME_RE = /^[a-z]{1,4}[0-9]+$/;
const PREFIX_RE = /^[a-z]{1,4}$/;

/** Names of globals that generated code may use (written by exprfit, not by users). */
const GLOBALS = new Set(['Math', 'R', 'NaN', 'Infinity']);

const brand: unique symbol = Symbol('exprfit.code');

/** A generated identifier. Create with {@link NameScope.name}; the constructor checks the spelling. */
export class Name {
  readonly [brand] = true;
  readonly str: string;
  /** @internal use NameScope.name (or the GLOBAL_* names below). */
  constructor(str: string, global = false) {
    if (!(global ? GLOBALS.has(str) : NAME_RE.test(str))) {
      throw new Error(`internal: invalid generated name ${JSON.stringify(str)}`);
    }
    this.str = str;
  }
  toString(): string {
    return this.str;
  }
}

/** The global `Math` object. */
export const MATH = new Name('Math', true);
/** The runtime helper object `R` (src/functions/runtime.ts), passed to every compiled function. */
export const RUNTIME = new Name('R', true);

/** A fragment of generated code. Only this module creates `Code` values (by `_`, `numLit`, `trustedCall`). */
export class Code {
  readonly [brand] = true;
  readonly #text: string;
  private constructor(text: string) {
    this.#text = text;
  }
  /** @internal */
  static _make(text: string): Code {
    return new Code(text);
  }
  toString(): string {
    return this.#text;
  }
  get text(): string {
    return this.#text;
  }
}

/** What may be interpolated into a `_` template. Plain strings are not allowed (type error and run-time error). */
export type CodeArg = Code | Name | number;

function argText(v: unknown): string {
  if (v instanceof Code) return v.text;
  if (v instanceof Name) return v.str;
  if (typeof v === 'number') return numLit(v).text;
  throw new Error(
    `internal: only Code, Name and numbers may be spliced into generated code, got ${typeof v}`,
  );
}

/**
 * The code template tag: `_\`const ${t} = ${a} * ${b};\``. The literal parts come from exprfit's source;
 * interpolations must be `Code`, `Name` or numbers (formatted with {@link numLit}).
 */
export function _(strings: TemplateStringsArray, ...values: CodeArg[]): Code {
  if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
    throw new Error('internal: _ must be used as a template tag');
  }
  let s = strings[0];
  for (let i = 0; i < values.length; i++) s += argText(values[i]) + strings[i + 1];
  return Code._make(s);
}

/** Joins fragments with a separator written by exprfit (e.g. `', '`, `' + '`). */
export function join(items: readonly CodeArg[], sep: ', ' | ' + ' | ' * ' | '\n' | ' || ' | ' && '): Code {
  return Code._make(items.map(argText).join(sep));
}

/** Shortest round-trip decimal for a double. `-0`, `NaN`, `±Infinity` and negative values are parenthesized. */
export function numLit(v: number): Code {
  if (typeof v !== 'number') throw new Error('internal: numLit needs a number');
  if (Number.isNaN(v)) return Code._make('NaN');
  if (v === Infinity) return Code._make('Infinity');
  if (v === -Infinity) return Code._make('(-Infinity)');
  if (Object.is(v, -0)) return Code._make('(-0)');
  // String(v) is the shortest representation that parses back to exactly v (ECMA-262 Number::toString).
  const s = String(v);
  if (!/^-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?$/.test(s)) throw new Error(`internal: odd number literal ${s}`);
  return Code._make(v < 0 ? `(${s})` : s);
}

/** Prefixes that passed PREFIX_RE (a handful, all written in exprfit's code). */
const checkedPrefixes = new Set<string>();

/** Hands out unique generated names (`t0, t1, ...` per prefix). */
export class NameScope {
  readonly #counters = new Map<string, number>();
  name(prefix: string): Name {
    if (!checkedPrefixes.has(prefix)) {
      if (!PREFIX_RE.test(prefix)) throw new Error(`internal: bad name prefix ${JSON.stringify(prefix)}`);
      checkedPrefixes.add(prefix);
    }
    const n = this.#counters.get(prefix) ?? 0;
    this.#counters.set(prefix, n + 1);
    return new Name(prefix + n);
  }
  /** How many names with this prefix were handed out. */
  issued(prefix: string): number {
    return this.#counters.get(prefix) ?? 0;
  }
}

const IDENT_TOKEN_RE = /[A-Za-z_$][A-Za-z0-9_$]*/g;
const FORBIDDEN_CHARS_RE = /[`'"\\;{}\n\r\u2028\u2029]|\/\/|\/\*|=>/;
const ALLOWED_WORDS = new Set(['Math', 'R', 'NaN', 'Infinity', 'true', 'false']);
/** Emit rules already checked, per argument count. */
const checkedEmitters = new WeakMap<object, Set<number>>();

/**
 * Calls a builtin's `emit` rule with already-built argument code and wraps the result as `Code`.
 *
 * The rule is exprfit's own code, but as a guard against mistakes it is checked once per rule with placeholder
 * arguments: the fragment may contain no quotes, braces, semicolons, comments, arrow functions or statements,
 * and every identifier that is not a property name (after `.`) must be one of the placeholders, `Math`, `R`,
 * `NaN` or `Infinity`. Number literals are allowed.
 */
export function trustedCall(
  emit: (args: readonly string[]) => string,
  fnName: string,
  args: readonly Code[],
): Code {
  let checked = checkedEmitters.get(emit);
  if (!checked) checkedEmitters.set(emit, (checked = new Set()));
  if (!checked.has(args.length)) {
    const placeholders = args.map((_a, i) => `a${i}`);
    checkEmitted(emit(placeholders), placeholders, fnName);
    checked.add(args.length);
  }
  const text = emit(args.map((a) => a.text));
  if (typeof text !== 'string') throw new Error(`internal: emit rule of ${fnName} returned ${typeof text}`);
  return Code._make(`(${text})`);
}

function checkEmitted(text: string, placeholders: readonly string[], fnName: string): void {
  if (typeof text !== 'string' || FORBIDDEN_CHARS_RE.test(text)) {
    throw new Error(`internal: emit rule of builtin ${fnName} produced unsafe code: ${String(text)}`);
  }
  const allowed = new Set([...ALLOWED_WORDS, ...placeholders]);
  for (const m of text.matchAll(IDENT_TOKEN_RE)) {
    const before = text.slice(0, m.index).trimEnd();
    if (before.endsWith('.') && !/[0-9]\.$/.test(before)) continue; // property name: Math.exp, R.erf
    // part of a number literal such as 1e-3
    if (/^e[0-9]*$/i.test(m[0]) && /[0-9.]$/.test(before)) continue;
    if (!allowed.has(m[0])) {
      throw new Error(`internal: emit rule of builtin ${fnName} references '${m[0]}': ${text}`);
    }
  }
}

const CLOSE_BRACE = Code._make('}');

/** A block of statements under construction. */
export class Block {
  readonly lines: (Code | Block)[] = [];
  constructor(
    readonly header?: Code,
    readonly footer: Code = CLOSE_BRACE,
  ) {}
  push(stmt: Code | Block): void {
    this.lines.push(stmt);
  }
  /** `const name = value;` */
  const(name: Name, value: Code | Name | number): void {
    this.lines.push(_`const ${name} = ${value};`);
  }
  get isEmpty(): boolean {
    return this.lines.length === 0;
  }
  render(indent = ''): string {
    const out: string[] = [];
    this.renderInto(out, indent);
    return out.join('\n');
  }
  /** Appends the block's lines to `out` (one join for the whole tree, not one per nested block). */
  private renderInto(out: string[], indent: string): void {
    const inner = this.header ? indent + '  ' : indent;
    if (this.header) out.push(indent + this.header.text);
    for (const l of this.lines) {
      if (l instanceof Block) {
        // an empty block without header renders as an empty line
        if (!l.header && l.lines.length === 0) out.push('');
        else l.renderInto(out, inner);
      } else if (!l.text.includes('\n')) out.push(inner + l.text);
      else for (const line of l.text.split('\n')) out.push(inner + line);
    }
    if (this.header) out.push(indent + this.footer.text);
  }
}

/** A copy of a block tree with `f` applied to every fragment (headers, lines and footers), in source order. */
function mapBlock(block: Block, f: (text: string) => string): Block {
  const header = block.header && Code._make(f(block.header.text));
  const out = new Block(header, Code._make(f(block.footer.text)));
  for (const l of block.lines) out.push(l instanceof Block ? mapBlock(l, f) : Code._make(f(l.text)));
  return out;
}

/**
 * Moves the temporaries `prefix` + digits that `body` declares (`const t3 = ...`, `let t4 = ...`) into slots of a
 * `Float64Array` named `scratch`, allocated once per call, when there are more than `limit` of them; below
 * that, returns `body` itself. Every local is a slot of the function's stack frame, so a model with 100,000
 * and more temporaries can only run with them in the heap. The temporaries must hold numbers.
 */
export function spillToScratch(body: Block, prefix: string, scratch: Name, limit: number): Block {
  if (!PREFIX_RE.test(prefix)) throw new Error(`internal: bad name prefix ${JSON.stringify(prefix)}`);
  const slots = new Map<string, number>();
  const declared = new RegExp(`(?<![\\w$.])(?:const|let) (${prefix}[0-9]+) = `, 'g');
  mapBlock(body, (text) => {
    for (const m of text.matchAll(declared)) slots.set(m[1], slots.size);
    return text;
  });
  if (slots.size <= limit) return body;
  const use = new RegExp(`(?<![\\w$.])(?:(?:const|let) )?(${prefix}[0-9]+)(?![\\w$])`, 'g');
  const spilled = mapBlock(body, (text) =>
    text.replace(use, (whole, name: string) => {
      const slot = slots.get(name);
      return slot === undefined ? whole : `${scratch.str}[${slot}]`;
    }),
  );
  const out = new Block();
  out.push(_`const ${scratch} = new Float64Array(${slots.size});`);
  for (const l of spilled.lines) out.push(l);
  return out;
}

/** A compiled function together with its source. */
export interface BuiltFunction<F> {
  readonly fn: F;
  readonly source: string;
}

/**
 * Builds `function name(params) { body }` with `new Function`, closing over the runtime object `R`.
 * `params` and the body are generated names and code only.
 */
export function buildFunction<F>(
  fnName: Name,
  params: readonly Name[],
  body: Block,
  runtime: unknown,
): BuiltFunction<F> {
  for (const p of params) if (!(p instanceof Name)) throw new Error('internal: parameters must be Names');
  if (!(body instanceof Block)) throw new Error('internal: body must be a Block');
  const fnBlock = new Block(_`function ${fnName}(${join(params, ', ')}) {`);
  fnBlock.push(_`'use strict';`);
  for (const l of body.lines) fnBlock.push(l);
  const source = fnBlock.render();
  const factory = new Function(RUNTIME.str, `return ${source};`) as (r: unknown) => F;
  return { fn: guardFrameSize(factory(runtime) as (...args: unknown[]) => unknown, source) as F, source };
}

/**
 * Every local of a generated function is a slot of its interpreter frame on the JavaScript stack; a
 * function with well over 100,000 locals overflows it when it is entered (kernels move large numbers of
 * temporaries to the heap, see {@link spillToScratch}). That RangeError becomes an ExprfitError naming the
 * size (the frame is allocated before any of the body runs).
 */
function guardFrameSize(
  fn: (...args: unknown[]) => unknown,
  source: string,
): (...args: unknown[]) => unknown {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const locals = source.match(/\b(?:const|let) /g)?.length ?? 0;
      throw new ExprfitError(
        'value',
        `the model is too large to run compiled: ${locals.toLocaleString('en-US')} intermediate values in one function overflow the JavaScript stack`,
        { cause: e, hints: ['write it with fewer distinct terms, or run node with a larger --stack-size'] },
      );
    }
  };
}
