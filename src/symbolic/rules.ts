/**
 * The rule table of simplify, as data: named rewrite rules written in a small pattern language.
 *
 * Pattern language (patterns are ordinary `Expr` trees built with the builders):
 *  - `sym('?a')` matches any expression and binds it to `a` (a repeated variable must match equal trees);
 *  - `sym('#c')` matches a numeric constant only (`num`, or unary minus of one);
 *  - any other node matches a structurally equal node (numbers by value, names by name).
 * A rule's rewrite is either a template (the pattern variables replaced by their bindings) or a function of
 * the bindings that may decline (return `undefined`). Rules apply at the root of an already normalized
 * node; simplify re-normalizes the result (and applies the rules again, a bounded number of times).
 *
 * The ring rules (like terms and factors, 0/1 identities, constant folding, canonical order) are not in
 * this table: they are the normalizer in simplify.ts, listed in RING_RULES for documentation.
 */
import {
  and,
  call,
  constantValue,
  type Expr,
  exprEquals,
  neg,
  not,
  num,
  or,
  pow,
  sym,
} from '../ast/index.ts';

export type Bindings = ReadonlyMap<string, Expr>;

/** Helpers a rule may use (supplied by simplify; avoids an import cycle). */
export interface RuleContext {
  /** `e` with a visible negative sign pulled out (`-a` -> `a`, `-2*x` -> `2*x`), or `undefined`. */
  readonly negatedForm: (e: Expr) => Expr | undefined;
}

export interface Rule {
  readonly name: string;
  readonly description: string;
  /** The node shape the rule applies to (see `ruleHead`). */
  readonly head: string;
  readonly apply: (e: Expr, ctx: RuleContext) => Expr | undefined;
}

/** Index key of a node: `call:exp`, `binary:and`, `unary:not`, ... */
export function ruleHead(e: Expr): string {
  switch (e.kind) {
    case 'call':
      return `call:${e.fn}`;
    case 'binary':
      return `binary:${e.op}`;
    case 'unary':
      return `unary:${e.op}`;
    default:
      return e.kind;
  }
}

/** Matches `e` against `pattern`, extending `b`; false when it does not match. */
export function match(pattern: Expr, e: Expr, b: Map<string, Expr>): boolean {
  if (pattern.kind === 'sym' && (pattern.name.startsWith('?') || pattern.name.startsWith('#'))) {
    const key = pattern.name.slice(1);
    if (pattern.name.startsWith('#') && constantValue(e) === undefined) return false;
    const prev = b.get(key);
    if (prev) return exprEquals(prev, e);
    b.set(key, e);
    return true;
  }
  if (pattern.kind !== e.kind) return false;
  switch (pattern.kind) {
    case 'num':
      return Object.is(pattern.value, (e as typeof pattern).value);
    case 'sym':
      return pattern.name === (e as typeof pattern).name;
    case 'unary': {
      const o = e as typeof pattern;
      return pattern.op === o.op && match(pattern.arg, o.arg, b);
    }
    case 'binary': {
      const o = e as typeof pattern;
      return pattern.op === o.op && match(pattern.left, o.left, b) && match(pattern.right, o.right, b);
    }
    case 'call': {
      const o = e as typeof pattern;
      if (pattern.fn !== o.fn || pattern.args.length !== o.args.length) return false;
      return pattern.args.every((p, i) => match(p, o.args[i], b));
    }
    default:
      return exprEquals(pattern, e);
  }
}

/** The template with its pattern variables replaced by their bindings. */
export function instantiate(template: Expr, b: Bindings): Expr {
  switch (template.kind) {
    case 'sym': {
      if (template.name.startsWith('?') || template.name.startsWith('#')) {
        const v = b.get(template.name.slice(1));
        if (!v) throw new Error(`rule template uses unbound ${template.name}`);
        return v;
      }
      return template;
    }
    case 'unary':
      return { ...template, arg: instantiate(template.arg, b) };
    case 'binary':
      return { ...template, left: instantiate(template.left, b), right: instantiate(template.right, b) };
    case 'call':
      return { ...template, args: template.args.map((a) => instantiate(a, b)) };
    default:
      return template;
  }
}

function headOfPattern(p: Expr): string {
  return ruleHead(p);
}

/** A rule `pattern -> rewrite` (template or function of the bindings). */
export function patternRule(
  name: string,
  description: string,
  pattern: Expr,
  rewrite: Expr | ((b: Bindings, ctx: RuleContext) => Expr | undefined),
): Rule {
  return {
    name,
    description,
    head: headOfPattern(pattern),
    apply: (e, ctx) => {
      const b = new Map<string, Expr>();
      if (!match(pattern, e, b)) return undefined;
      return typeof rewrite === 'function' ? rewrite(b, ctx) : instantiate(rewrite, b);
    },
  };
}

// pattern variables
const A = sym('?a');
const B = sym('?b');
const C = sym('?c');
const K = sym('#k');

const bound = (b: Bindings, k: string): Expr => b.get(k)!;

const ODD = ['sin', 'tan', 'asin', 'atan', 'sinh', 'tanh', 'asinh', 'atanh', 'erf', 'cbrt', 'sign'];
const EVEN = ['cos', 'cosh', 'abs'];

function isBooleanValued(e: Expr): boolean {
  if (e.kind === 'unary') return e.op === 'not';
  if (e.kind === 'binary') return !['+', '-', '*', '/', '^'].includes(e.op);
  return false;
}

export const RULES: readonly Rule[] = [
  patternRule('pow-call', '`pow(a, b)` is written `a^b`', call('pow', [A, B]), pow(A, B)),
  patternRule('log-exp', '`log(exp(a)) = a`', call('log', [call('exp', [A])]), A),
  patternRule('sqrt-square', '`sqrt(a^2) = abs(a)`', call('sqrt', [pow(A, num(2))]), call('abs', [A])),
  patternRule('abs-abs', '`abs(abs(a)) = abs(a)`', call('abs', [call('abs', [A])]), call('abs', [A])),
  patternRule('abs-even-power', '`abs(a^k) = a^k` for an even integer `k`', call('abs', [pow(A, K)]), (b) => {
    const k = constantValue(bound(b, 'k'))!;
    return Number.isInteger(k) && k % 2 === 0 ? pow(bound(b, 'a'), bound(b, 'k')) : undefined;
  }),
  patternRule('hypot-one', '`hypot(a) = abs(a)`', call('hypot', [A]), call('abs', [A])),
  patternRule(
    'heaviside-default',
    '`heaviside(x, 0.5) = heaviside(x)`',
    call('heaviside', [A, num(0.5)]),
    call('heaviside', [A]),
  ),
  patternRule(
    'if-constant',
    '`if(c, a, b)` with a constant condition is the selected branch',
    call('if', [K, A, B]),
    (b) => (constantValue(bound(b, 'k')) !== 0 ? bound(b, 'a') : bound(b, 'b')),
  ),
  patternRule('if-same', '`if(c, a, a) = a`', call('if', [C, A, A]), A),
  patternRule('if-not', '`if(not c, a, b) = if(c, b, a)`', call('if', [not(C), A, B]), call('if', [C, B, A])),
  patternRule('and-false-right', '`a and 0 = 0`', and(A, num(0)), num(0)),
  patternRule('and-false-left', '`0 and a = 0`', and(num(0), A), num(0)),
  patternRule('or-true-right', '`a or c = 1` for a constant `c != 0`', or(A, K), (b) =>
    constantValue(bound(b, 'k')) !== 0 ? num(1) : undefined,
  ),
  patternRule('or-true-left', '`c or a = 1` for a constant `c != 0`', or(K, A), (b) =>
    constantValue(bound(b, 'k')) !== 0 ? num(1) : undefined,
  ),
  patternRule(
    'not-not',
    '`not not a = a` when `a` is a comparison or logical (0/1 valued)',
    not(not(A)),
    (b) => (isBooleanValued(bound(b, 'a')) ? bound(b, 'a') : undefined),
  ),
  ...ODD.map((f) =>
    patternRule(`${f}-odd`, `\`${f}(-a) = -${f}(a)\``, call(f, [A]), (b, ctx) => {
      const p = ctx.negatedForm(bound(b, 'a'));
      return p ? neg(call(f, [p])) : undefined;
    }),
  ),
  ...EVEN.map((f) =>
    patternRule(`${f}-even`, `\`${f}(-a) = ${f}(a)\``, call(f, [A]), (b, ctx) => {
      const p = ctx.negatedForm(bound(b, 'a'));
      return p ? call(f, [p]) : undefined;
    }),
  ),
];

/** The rules by head, in table order. */
export const RULES_BY_HEAD: ReadonlyMap<string, readonly Rule[]> = (() => {
  const m = new Map<string, Rule[]>();
  for (const r of RULES) {
    const list = m.get(r.head);
    if (list) list.push(r);
    else m.set(r.head, [r]);
  }
  return m;
})();

/** The normalizer's rules (implemented in simplify.ts), for documentation and the rule listing. */
export const RING_RULES: readonly { name: string; description: string }[] = [
  {
    name: 'fold-constants',
    description:
      'operators and builtins of constants are evaluated (kept when the result is NaN or ±Infinity)',
  },
  { name: 'neg-neg', description: '`--a = a`' },
  { name: 'add-zero', description: '`a + 0 = a`' },
  { name: 'like-terms', description: '`2*a + 3*a = 5*a`, `a - a = 0`' },
  { name: 'mul-one', description: '`a*1 = a`' },
  { name: 'mul-zero', description: '`a*0 = 0` (assumes `a` finite; `0/0` stays)' },
  { name: 'like-factors', description: '`a*a = a^2`, `a^b*a^c = a^(b+c)`, `a/a = 1` (assumes `a != 0`)' },
  { name: 'pow-one', description: '`a^1 = a`' },
  { name: 'pow-zero', description: '`a^0 = 1`' },
  {
    name: 'pow-integer-distribute',
    description:
      '`(a*b)^k = a^k*b^k` for an integer `|k| <= 16` (larger powers of the factors could overflow or underflow where the power of the product does not) and `(a^b)^k = a^(b*k)` for an integer `k`; never for other powers (`(x^2)^0.5` is `abs(x)`)',
  },
  { name: 'canonical-order', description: 'terms and factors of commutative operators in a canonical order' },
  {
    name: 'canonical-sign',
    description:
      'a sum with more negative than positive terms used as a factor is negated: `a*(-u - v) = -a*(u + v)`',
  },
  { name: 'alias', description: '`ln(a) = log(a)`' },
];
