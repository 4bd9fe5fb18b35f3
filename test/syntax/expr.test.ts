import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/ast/expr.ts';
import { parseExpr } from '../../src/syntax/parse.ts';
import { sexpr } from './helpers.ts';

const tree = (text: string) => sexpr(parseExpr(text));

describe('precedence and associativity', () => {
  it.each([
    ['-x^2', '(neg (^ x 2))'],
    ['2^-x^2', '(^ 2 (neg (^ x 2)))'],
    ['a^b^c', '(^ a (^ b c))'],
    ['a**b**c', '(^ a (^ b c))'],
    ['a**b^c', '(^ a (^ b c))'],
    ['-2^2', '(neg (^ 2 2))'],
    ['-2**2', '(neg (^ 2 2))'],
    ['(-2)^2', '(^ (neg 2) 2)'],
    ['2^-1', '(^ 2 (neg 1))'],
    ['a^-b^-c', '(^ a (neg (^ b (neg c))))'],
    ['--x', '(neg (neg x))'],
    ['+x', 'x'],
    ['-+x', '(neg x)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['a / b * c', '(* (/ a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a * b + c', '(+ (* a b) c)'],
    ['-a * b', '(* (neg a) b)'],
    ['a * -b', '(* a (neg b))'],
    ['a - -b', '(- a (neg b))'],
    ['2*x^2', '(* 2 (^ x 2))'],
    ['(a + b) * c', '(* (+ a b) c)'],
    ['a + b < c * d', '(< (+ a b) (* c d))'],
    ['a < b and c >= d', '(and (< a b) (>= c d))'],
    ['a == b or c != d', '(or (== a b) (!= c d))'],
    ['a <= b', '(<= a b)'],
    ['a > b', '(> a b)'],
    ['not a < b', '(not (< a b))'],
    ['not not a', '(not (not a))'],
    ['not a and b', '(and (not a) b)'],
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c and d', '(or (and a b) (and c d))'],
    ['a or b or c', '(or (or a b) c)'],
    ['-a < b', '(< (neg a) b)'],
    ['if(x > 0, x, -x)', '(if (> x 0) x (neg x))'],
    ['x[1]^2', '(^ (index x 1) 2)'],
    ['-x[1]', '(neg (index x 1))'],
    ['sin(x)^2', '(^ (sin x) 2)'],
  ])('%s → %s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });
});

describe('numbers', () => {
  it.each([
    ['1', 1],
    ['2.5', 2.5],
    ['1e-3', 1e-3],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['.5', 0.5],
    ['1.', 1],
    ['1.e2', 100],
    ['0.1', 0.1],
    ['007', 7],
    ['6.02214076e23', 6.02214076e23],
    ['4.9e-324', 5e-324],
    ['1e999', Infinity],
  ])('%s is the double %d', (text, value) => {
    const e = parseExpr(text);
    expect(e.kind).toBe('num');
    expect((e as Extract<Expr, { kind: 'num' }>).value).toBe(value);
  });

  it('keeps the sign as a unary minus', () => {
    expect(tree('-1.5')).toBe('(neg 1.5)');
  });
});

describe('names', () => {
  it.each([
    ['x', 'x'],
    ['x0', 'x0'],
    ['_tmp', '_tmp'],
    ['sigma_1', 'sigma_1'],
    ['σ', 'σ'],
    ['αβγ', 'αβγ'],
    ['Δt', 'Δt'],
    ['x₀', 'x₀'],
    ['𝑥', '𝑥'],
    ['größe', 'größe'],
    ['pi', 'pi'],
    ['e', 'e'],
    ['inf', 'inf'],
    ['constructor', 'constructor'],
    ['__proto__', '__proto__'],
    // contextual keywords are names inside expressions
    ['model', 'model'],
    ['data', 'data'],
    ['fixed', 'fixed'],
    ['spots', 'spots'],
    ['datafile', 'datafile'],
    ['inside', 'inside'],
    ['order', 'order'],
    ['nothing', 'nothing'],
  ])('%s', (text, name) => {
    expect(parseExpr(text)).toMatchObject({ kind: 'sym', name });
  });

  it('normalizes names to NFC', () => {
    const decomposed = 'e\u0301'; // e + combining acute
    expect(parseExpr(decomposed)).toMatchObject({ kind: 'sym', name: '\u00e9' });
  });

  it('treats a builtin name without parentheses as a plain name', () => {
    expect(tree('gamma^2 + exp')).toBe('(+ (^ gamma 2) exp)');
  });
});

describe('calls, strings, arrays, indexing', () => {
  it.each([
    ['exp(-b*x)', '(exp (* (neg b) x))'],
    ['atan2(y, x)', '(atan2 y x)'],
    ['max(a, b, c)', '(max a b c)'],
    ['exp(exp(x))', '(exp (exp x))'],
    ['"decay.csv"', '"decay.csv"'],
    ['"a\\"b\\\\c\\n\\t"', JSON.stringify('a"b\\c\n\t')],
    ['"\\u00e9\\u{1F600}"', JSON.stringify('é😀')],
    ['"σ = 1"', JSON.stringify('σ = 1')],
    ['""', '""'],
    ['[1, 2, 3]', '[1 2 3]'],
    ['[1, 2, 3,]', '[1 2 3]'],
    ['[]', '[]'],
    ['[[1, 2], [3, 4]]', '[[1 2] [3 4]]'],
    ['[-1, x^2, f(y)]', '[(neg 1) (^ x 2) (f y)]'],
    ['img[10:20, 5:15]', '(index img (: 10 20) (: 5 15))'],
    ['a[::2]', '(index a (: _ _ 2))'],
    ['a[-1]', '(index a (neg 1))'],
    ['a[:]', '(index a (: _ _))'],
    ['a[1:]', '(index a (: 1 _))'],
    ['a[:3]', '(index a (: _ 3))'],
    ['a[1:-1:2]', '(index a (: 1 (neg 1) 2))'],
    ['a[::]', '(index a (: _ _))'],
    ['a[i+1, :]', '(index a (+ i 1) (: _ _))'],
    ['a[1][2]', '(index (index a 1) 2)'],
    ['f(x)[0]', '(index (f x) 0)'],
    ['[1, 2][0]', '(index [1 2] 0)'],
    ['"s"[0]', '(index "s" 0)'],
  ])('%s → %s', (text, expected) => {
    expect(sexpr(parseExpr(text, { checkCalls: false }))).toBe(expected);
  });

  it('gives slices only the parts that were written', () => {
    const e = parseExpr('a[::2]') as Extract<Expr, { kind: 'index' }>;
    expect(e.items[0]).toEqual({ kind: 'slice', step: expect.objectContaining({ kind: 'num', value: 2 }) });
  });
});

describe('white space and comments', () => {
  it.each([
    ['  a  +  b  ', '(+ a b)'],
    ['a\t+\tb', '(+ a b)'],
    ['a +\n b', '(+ a b)'],
    ['a\n+ b', '(+ a b)'],
    ['a\r\n+ b', '(+ a b)'],
    ['a + # a comment\n b', '(+ a b)'],
    ['a + b # trailing comment', '(+ a b)'],
    ['\n\na\n\n', 'a'],
    ['a \\\n + b', '(+ a b)'],
    ['a\u00a0+\u3000b', '(+ a b)'],
  ])('%j', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });
});

describe('spans', () => {
  it('gives every node a span with 1-based line and column and 0-based offsets', () => {
    const e = parseExpr('A*exp(-b*x) + c') as Extract<Expr, { kind: 'binary' }>;
    expect(e.span).toEqual({ start: 0, end: 15, line: 1, column: 1 });
    const product = e.left as Extract<Expr, { kind: 'binary' }>;
    expect(product.span).toEqual({ start: 0, end: 11, line: 1, column: 1 });
    const call = product.right as Extract<Expr, { kind: 'call' }>;
    expect(call.span).toEqual({ start: 2, end: 11, line: 1, column: 3 });
    expect(call.fnSpan).toEqual({ start: 2, end: 5, line: 1, column: 3 });
    const neg = call.args[0] as Extract<Expr, { kind: 'unary' }>;
    expect(neg.span).toEqual({ start: 6, end: 10, line: 1, column: 7 });
    expect(e.right.span).toEqual({ start: 14, end: 15, line: 1, column: 15 });
  });

  it('counts lines and columns across line breaks', () => {
    const e = parseExpr('a +\n  (b\n * cc)') as Extract<Expr, { kind: 'binary' }>;
    expect(e.span).toEqual({ start: 0, end: 15, line: 1, column: 1 });
    // parentheses are part of the spans of the nodes they enclose
    const product = e.right as Extract<Expr, { kind: 'binary' }>;
    expect(product.span).toEqual({ start: 7, end: 14, line: 2, column: 4 });
    expect(product.right.span).toEqual({ start: 12, end: 14, line: 3, column: 4 });
  });

  it('includes the parentheses around an operand in the span of the operation', () => {
    const e = parseExpr('(a+b)*c');
    expect(e.span).toEqual({ start: 0, end: 7, line: 1, column: 1 });
  });

  it('measures columns in UTF-16 code units, as JavaScript strings do', () => {
    const e = parseExpr('𝑥 + σ') as Extract<Expr, { kind: 'binary' }>;
    expect(e.left.span).toEqual({ start: 0, end: 2, line: 1, column: 1 });
    expect(e.right.span).toEqual({ start: 5, end: 6, line: 1, column: 6 });
  });

  it('spans index and array nodes', () => {
    const e = parseExpr('img[1:2]', { checkCalls: false });
    expect(e.span).toEqual({ start: 0, end: 8, line: 1, column: 1 });
    expect(parseExpr(' [1, 2]').span).toEqual({ start: 1, end: 7, line: 1, column: 2 });
  });
});
