/**
 * The printer: `printExpr(e)` writes an expression in the exprfit language with as few parentheses as the
 * grammar allows, such that parsing the text gives back the same tree (spans aside).
 *
 * Precedence, loosest first: `or` < `and` < `not` < comparisons (`<`, `<=`, `>`, `>=`, `==`, `!=`) < `+ -` <
 * `* /` < unary minus < `^` < atoms. `+ - * / and or` associate to the left, `^` to the right (its right
 * operand may be a unary minus: `2^-x`), comparisons are always parenthesized when nested (the grammar does
 * not chain them). So `-a*b` is `(-a)*b`, `-(a*b)` needs its parentheses, and `a - -b` is legal.
 *
 * Numbers are written with full round-trip precision (`String(value)`, shortest text that reads back to the
 * same double; `1e+21` is written `1e21`). Rules for the values the grammar has no literal for:
 *  - a `num` node with a negative value (or `-0`) prints as `(-2)`, which parses as unary minus applied to
 *    `2`. Trees built by exprfit never contain such nodes (see `constant` in build.ts); for any tree,
 *    `parse(print(e))` equals `e` modulo `foldNegativeLiterals`.
 *  - `Infinity` prints as `1e999` (a literal that reads as Infinity), `NaN` as `(0/0)` (does not round-trip).
 */
import { assertNever, type Expr, type IndexItem } from './expr.ts';

/** Binding strength of each construct (higher binds tighter). */
export const PREC = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  additive: 5,
  multiplicative: 6,
  unary: 7,
  power: 8,
  atom: 9,
} as const;

function binaryPrec(op: string): number {
  switch (op) {
    case 'or':
      return PREC.or;
    case 'and':
      return PREC.and;
    case '+':
    case '-':
      return PREC.additive;
    case '*':
    case '/':
      return PREC.multiplicative;
    case '^':
      return PREC.power;
    default:
      return PREC.compare;
  }
}

/** Formats a finite, non-negative double so that it reads back as exactly the same value. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '(0/0)';
  if (value === Infinity) return '1e999';
  if (value === -Infinity) return '(-1e999)';
  if (value < 0 || Object.is(value, -0)) return `(-${formatNumber(-value)})`;
  return String(value).replace('e+', 'e');
}

interface Printed {
  readonly text: string;
  readonly prec: number;
}

function wrap(p: Printed, needParens: boolean): string {
  return needParens ? `(${p.text})` : p.text;
}

/** A string literal with the escapes the lexer knows (\" \\ \n \t \r \uXXXX). */
export function formatString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (
      code < 0x20 ||
      (code >= 0x7f && code < 0xa0) ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0xd800 && code <= 0xdfff)
    ) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

function printItem(it: IndexItem): string {
  if (it.kind === 'at') return printExpr(it.index);
  let s = `${it.start ? printExpr(it.start) : ''}:${it.stop ? printExpr(it.stop) : ''}`;
  if (it.step) s += `:${printExpr(it.step)}`;
  return s;
}

function show(e: Expr): Printed {
  switch (e.kind) {
    case 'num':
      return { text: formatNumber(e.value), prec: PREC.atom };
    case 'sym':
      return { text: e.name, prec: PREC.atom };
    case 'str':
      return { text: formatString(e.value), prec: PREC.atom };
    case 'call':
      return {
        text: `${e.fn}(${e.args.map(printExpr).join(', ')}${e.prefix ? `; ${e.prefix}` : ''})`,
        prec: PREC.atom,
      };
    case 'array':
      return { text: `[${e.items.map(printExpr).join(', ')}]`, prec: PREC.atom };
    case 'index': {
      const t = show(e.target);
      return {
        text: `${wrap(t, t.prec < PREC.atom)}[${e.items.map(printItem).join(', ')}]`,
        prec: PREC.atom,
      };
    }
    case 'unary': {
      const a = show(e.arg);
      if (e.op === '-') {
        // `-x^2` is `-(x^2)`; anything looser than `^` (including another unary minus) needs parentheses.
        return { text: `-${wrap(a, a.prec < PREC.power)}`, prec: PREC.unary };
      }
      return { text: `not ${wrap(a, a.prec <= PREC.not)}`, prec: PREC.not };
    }
    case 'binary': {
      const p = binaryPrec(e.op);
      const l = show(e.left);
      const r = show(e.right);
      let lp: boolean;
      let rp: boolean;
      if (e.op === '^') {
        // right-associative; the exponent may be a unary minus (`2^-x`), the base may not.
        lp = l.prec <= PREC.power;
        rp = r.prec < PREC.unary;
      } else if (p === PREC.compare) {
        lp = l.prec <= PREC.compare;
        rp = r.prec <= PREC.compare;
      } else {
        // left-associative; unary minus binds tighter than `* /`, so `-a*b` is `(-a)*b` and `a*-b` is fine
        lp = l.prec < p;
        rp = r.prec <= p;
      }
      const sep = p === PREC.multiplicative || e.op === '^' ? e.op : ` ${e.op} `;
      return { text: `${wrap(l, lp)}${sep}${wrap(r, rp)}`, prec: p };
    }
    default:
      return assertNever(e);
  }
}

/** The expression as exprfit text (minimal parentheses; parses back to the same tree). */
export function printExpr(e: Expr): string {
  return show(e).text;
}
