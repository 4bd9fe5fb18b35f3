import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/ast/expr.ts';
import { printExpr } from '../../src/ast/print.ts';
import { evaluate, simplify } from '../../src/symbolic/index.ts';
import { MAX_NESTING, MAX_TEXT_LENGTH, parseExpr, parseScript } from '../../src/syntax/parse.ts';
import { errorOf } from './helpers.ts';

/** The depth of a tree of unary and binary nodes, without recursion. */
function depth(e: Expr): number {
  let deepest = 0;
  const pending: [Expr, number][] = [[e, 1]];
  while (pending.length > 0) {
    const [x, d] = pending.pop()!;
    deepest = Math.max(deepest, d);
    if (x.kind === 'binary') pending.push([x.left, d + 1], [x.right, d + 1]);
    else if (x.kind === 'unary') pending.push([x.arg, d + 1]);
  }
  return deepest;
}

/** `x1 op x2 op x3 ...` with ops drawn from `ops` by a fixed sequence, and its value left to right. */
function chainText(
  n: number,
  ops: readonly [string, string],
): { text: string; scope: Record<string, number> } {
  const scope: Record<string, number> = {};
  let text = '';
  for (let i = 1; i <= n; i++) {
    scope[`x${i}`] = 1 + (i % 7) * 1e-3;
    text += i === 1 ? 'x1' : ` ${ops[(i * 7919) % 5 < 2 ? 1 : 0]} x${i}`;
  }
  return { text, scope };
}

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

function leftToRight(text: string, scope: Record<string, number>): number {
  const tokens = text.split(' ');
  let v = scope[tokens[0]];
  for (let i = 1; i < tokens.length; i += 2) {
    const y = scope[tokens[i + 1]];
    v = tokens[i] === '+' ? v + y : tokens[i] === '-' ? v - y : tokens[i] === '*' ? v * y : v / y;
  }
  return v;
}

describe('long sums and products', () => {
  it.each([
    ['sum', ['+', '-'] as const],
    ['product', ['*', '/'] as const],
  ])('a 100,000-operand %s parses into a shallow tree with the value of the chain', (_name, ops) => {
    const { text, scope } = chainText(100_000, ops);
    const e = parseExpr(text);
    expect(depth(e)).toBeLessThan(100);
    expect(e.span).toEqual({ start: 0, end: text.length, line: 1, column: 1 });
    const value = evaluate(e, scope);
    // grouped differently from left to right: equal up to rounding
    expect(relativeDifference(value, leftToRight(text, scope))).toBeLessThan(1e-12);
    expect(relativeDifference(evaluate(parseExpr(printExpr(e)), scope), value)).toBeLessThan(1e-12);
  });

  it('short chains stay left-associated', () => {
    expect(depth(parseExpr(chainText(64, ['+', '-']).text))).toBe(64);
    expect(depth(parseExpr(chainText(200, ['+', '-']).text))).toBe(64 + 2); // four groups joined in two levels
  });

  it('simplify collects 100,000 like terms and factors', () => {
    const n = 100_000;
    expect(printExpr(simplify(parseExpr(Array(n).fill('x').join(' + '))))).toBe('100000*x');
    expect(printExpr(simplify(parseExpr(Array(n).fill('x').join('*'))))).toBe('x^100000');
    expect(printExpr(simplify(parseExpr(`${Array(1000).fill('x').join(' + ')} - 1000*x`)))).toBe('0');
  });

  it('a script can print a 3,000-term sum', () => {
    const [statement] = parseScript(`print ${Array(3000).fill('x').join('+')}`);
    expect(statement.kind).toBe('print');
  });
});

describe('deep nesting and huge text give a clear error, never a RangeError', () => {
  it.each([
    ['parentheses', `${'('.repeat(10_000)}x${')'.repeat(10_000)}`],
    ['negated parentheses', `${'-('.repeat(10_000)}x${')'.repeat(10_000)}`],
    ['unary minus', `${'-'.repeat(10_000)}x`],
    ['a power tower', `x${'^x'.repeat(10_000)}`],
    ['calls', `${'exp('.repeat(10_000)}x${')'.repeat(10_000)}`],
    ['unary minus beyond the limit', `${'-'.repeat(501)}x`],
  ])('%s', (_name, text) => {
    for (const parse of [parseExpr, parseScript]) {
      const err = errorOf(() => parse(text));
      expect(err.code).toBe('syntax');
      expect(err.message).toMatch(/nested too deeply/);
    }
  });

  it('names the limit of 500 levels', () => {
    expect(errorOf(() => parseExpr(`${'-'.repeat(501)}x`)).message).toContain('more than 500 levels');
  });

  it('unary minus up to the limit works', () => {
    expect(evaluate(simplify(parseExpr(`${'-'.repeat(MAX_NESTING - 2)}x`)), { x: 3 })).toBe(3);
  });

  it('refuses text above the length limits, naming the limit', () => {
    expect(errorOf(() => parseExpr('x+'.repeat(MAX_TEXT_LENGTH / 2) + 'x')).message).toBe(
      'the text is too long to parse: 2,000,001 characters, the limit is 2,000,000',
    );
    expect(errorOf(() => parseExpr('x+'.repeat(400_000) + 'x')).message).toBe(
      'the text is too long to parse: 800,001 tokens, the limit is 800,000',
    );
  });
});
