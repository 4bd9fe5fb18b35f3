import { describe, expect, it } from 'vitest';
import { isIncomplete, parseExpr, parseModel, parseScript, parseStatement } from '../../src/syntax/parse.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { errorOf } from './helpers.ts';

const parsers = {
  expr: (s: string) => parseExpr(s),
  model: (s: string) => parseModel(s),
  script: (s: string) => parseScript(s),
};
type Mode = keyof typeof parsers;

describe('incomplete input (the REPL reads on) versus wrong input', () => {
  it.each<[Mode, string]>([
    ['expr', 'A*exp('],
    ['expr', '1 +'],
    ['expr', '1 + \n'],
    ['expr', '('],
    ['expr', '(1 + 2'],
    ['expr', 'f(1, 2'],
    ['expr', 'f(1,'],
    ['expr', 'a and'],
    ['expr', 'not'],
    ['expr', '2^'],
    ['expr', '-'],
    ['expr', 'a <'],
    ['expr', '[1, 2'],
    ['expr', '[[1, 2], [3'],
    ['expr', 'img[1:'],
    ['script', 'A*exp('],
    ['script', 'x = '],
    ['script', 'x, y ='],
    ['script', 'x,'],
    ['script', 'data'],
    ['script', 'param'],
    ['script', 'param A ='],
    ['script', 'param A = 100 in'],
    ['script', 'param A = 100 in [0,'],
    ['script', 'param x0 = 7,'],
    ['script', 'model'],
    ['script', 'model img ='],
    ['script', 'print'],
    ['script', 'save'],
    ['script', 'save model to'],
    ['script', 'plot'],
    ['script', 'fit method='],
    ['script', 'g(u, s) ='],
    ['script', 'fit method=lm \\'],
    ['script', 'x = 1\ny = (2 +\n'],
    ['script', 'model img = \n'],
    ['model', 'y = a*exp('],
    ['model', 'y ='],
  ])('%s %j is incomplete', (mode, text) => {
    const err = errorOf(() => parsers[mode](text));
    expect(err.code).toBe('incomplete');
    expect(isIncomplete(err)).toBe(true);
  });

  it.each<[Mode, string]>([
    ['expr', '1 + * 2'],
    ['expr', ')'],
    ['expr', '1 2'],
    ['expr', '2x'],
    ['expr', 'a < b < c'],
    ['expr', '(1 + 2))'],
    ['expr', '1 + 2]'],
    ['expr', 'f(,)'],
    ['expr', 'a[]'],
    ['expr', 'x && y'],
    ['expr', "'abc'"],
    ['expr', '"abc\ndef"'],
    // strings end on their line: an unterminated one is wrong at once, never incomplete
    ['expr', '"abc'],
    ['expr', 'x + "abc'],
    ['expr', '"abc\\'],
    ['script', 'data "decay.csv'],
    ['script', 'data "decay.csv\n'],
    ['script', 'save model to "out/m.npy'],
    ['expr', '1 $ 2'],
    ['expr', 'x = 1'],
    ['expr', '1 \\ 2'],
    ['expr', '"bad \\d escape"'],
    ['expr', ''],
    ['expr', '   # only a comment'],
    ['expr', '(1 + ) * 2'],
    ['expr', '1 + &'],
    ['script', ')'],
    ['script', 'x, y'],
    ['script', 'model img'],
    ['script', 'save model'],
    ['script', 'fit method'],
    ['script', 'fit 3'],
    ['script', 'parm A = 1'],
    ['script', 'x = 1 2'],
    ['script', '1 = x'],
    ['script', 'x + 1 = 2'],
    ['script', 'g(1) = 2'],
    ['script', 'g(u, u) = u'],
    ['script', 'x, x = grid(img)'],
    ['script', 'fit a=1 a=2'],
    ['script', 'data = "x" "y"'],
    ['script', 'param A = 1 in [0]'],
    ['model', 'a*exp(-b*x)+c'],
    ['model', 'y, z = x'],
    ['model', ''],
    ['model', 'y = x\ny = 2*x'],
    ['model', 'exp(u) = u\ny = exp(x)'],
  ])('%s %j is a syntax error', (mode, text) => {
    const err = errorOf(() => parsers[mode](text));
    expect(err.code).toBe('syntax');
    expect(isIncomplete(err)).toBe(false);
  });

  it('makes an unclosed bracket in a script incomplete only at the end of the input', () => {
    expect(errorOf(() => parseScript('y = exp(-x\n')).code).toBe('incomplete');
    expect(errorOf(() => parseScript('y = exp(-x\nz = 3')).code).toBe('syntax');
  });
});

describe('error positions, carets and hints', () => {
  interface Case {
    mode: Mode;
    text: string;
    message: string;
    line: number;
    column: number;
    caret: string;
    hints?: string[];
  }
  const cases: Case[] = [
    {
      mode: 'expr',
      text: '1 + * 2',
      message: "unexpected '*'",
      line: 1,
      column: 5,
      caret: '      ^',
      hints: ['expected an expression'],
    },
    {
      mode: 'expr',
      text: 'A*exp(',
      message: 'unexpected end of input',
      line: 1,
      column: 7,
      caret: '        ^',
      hints: ["expected an expression or ')'", "the '(' at line 1, column 6 is not closed"],
    },
    {
      mode: 'expr',
      text: '(1 + 2',
      message: 'unexpected end of input',
      line: 1,
      column: 7,
      caret: '        ^',
      hints: ["expected ')'", "the '(' at line 1, column 1 is not closed"],
    },
    {
      mode: 'expr',
      text: 'atan2(y x)',
      message: "unexpected name 'x'",
      line: 1,
      column: 9,
      caret: '          ^',
      hints: ["expected ',' or ')'", "to multiply, write '*' between them: y*x"],
    },
    {
      mode: 'expr',
      text: '[1, 2 a]',
      message: "unexpected name 'a'",
      line: 1,
      column: 7,
      caret: '        ^',
      hints: ["expected ',' or ']'", "to multiply, write '*' between them: 2*a"],
    },
    {
      mode: 'expr',
      text: '2x + 1',
      message: "unexpected name 'x'",
      line: 1,
      column: 2,
      caret: '   ^',
      hints: [
        'expected an operator or the end of the expression',
        "to multiply, write '*' between them: 2*x",
      ],
    },
    {
      mode: 'expr',
      text: 'a < b < c',
      message: 'comparisons cannot be chained',
      line: 1,
      column: 7,
      caret: '        ^',
      hints: ["write 'a < b and b < c'"],
    },
    {
      mode: 'expr',
      text: 'x && y',
      message: "unexpected character '&'",
      line: 1,
      column: 3,
      caret: '    ^',
      hints: ["write 'and' for logical and"],
    },
    {
      mode: 'expr',
      text: 'x²',
      message: "unexpected character '²'",
      line: 1,
      column: 2,
      caret: '   ^',
      hints: ["write '^2' for a square"],
    },
    {
      mode: 'expr',
      text: 'a −b',
      message: "unexpected character '−'",
      line: 1,
      column: 3,
      caret: '    ^',
      hints: ["write '-' (the ASCII minus sign)"],
    },
    {
      mode: 'expr',
      text: '"C:\\data"',
      message: "unknown escape '\\d' in string",
      line: 1,
      column: 4,
      caret: '     ^^',
    },
    {
      mode: 'expr',
      text: 'f("abc',
      message: 'unterminated string',
      line: 1,
      column: 3,
      caret: '    ^^^^',
    },
    {
      mode: 'script',
      text: 'x = 1\ny = exp(-x\nz = 3',
      message: "unexpected name 'z'",
      line: 3,
      column: 1,
      caret: '  ^',
      hints: ["expected ',' or ')'", "the '(' at line 2, column 8 is not closed"],
    },
    {
      mode: 'script',
      text: 'data "a.csv"\nparm A = 1',
      message: "unknown statement 'parm'",
      line: 2,
      column: 1,
      caret: '  ^^^^',
      hints: ["did you mean 'param'?"],
    },
    {
      mode: 'script',
      text: 'ft method=lm',
      message: "unknown statement 'ft'",
      line: 1,
      column: 1,
      caret: '  ^^',
      hints: ["did you mean 'fit'?"],
    },
    {
      mode: 'script',
      text: 'fit method',
      message: 'unexpected end of input',
      line: 1,
      column: 11,
      caret: '            ^',
      hints: ["expected '='"],
    },
    {
      mode: 'script',
      text: 'x = 1 2',
      message: 'unexpected number 2',
      line: 1,
      column: 7,
      caret: '        ^',
      hints: ["expected the end of the statement (a new line or ';')"],
    },
    {
      mode: 'script',
      text: 'param A = 1 in 0, 1',
      message: 'unexpected number 0',
      line: 1,
      column: 16,
      caret: '                 ^',
      hints: ["expected '['"],
    },
    {
      mode: 'script',
      text: '  x + 1 = 2',
      message: 'cannot assign to this',
      line: 1,
      column: 3,
      caret: '    ^^^^^',
    },
    {
      mode: 'script',
      text: 'fit maxfev=10 maxfev=20',
      message: "option 'maxfev' is given twice",
      line: 1,
      column: 15,
      caret: '                ^^^^^^',
    },
    {
      mode: 'model',
      text: 'a*exp(-b*x)+c',
      message: "expected an equation such as 'y = ...'",
      line: 1,
      column: 1,
      caret: '  ^^^^^^^^^^^^^',
      hints: ['name the data the expression models: y = a*exp(-b*x)+c'],
    },
    {
      mode: 'model',
      text: 'y = a*x\ny = b',
      message: "'y' is defined twice",
      line: 2,
      column: 1,
      caret: '  ^',
    },
  ];

  it.each(cases)('$mode $text', ({ mode, text, message, line, column, caret, hints }) => {
    const err = errorOf(() => parsers[mode](text));
    expect(err.message).toBe(message);
    expect(err.span?.line).toBe(line);
    expect(err.span?.column).toBe(column);
    const formatted = err.format().split('\n');
    expect(formatted[0]).toBe(`${line}:${column}: error: ${message}`);
    expect(formatted[1]).toBe(`  ${text.split('\n')[line - 1]}`);
    expect(formatted[2]).toBe(caret);
    if (hints) expect(err.hints).toEqual(hints);
    expect(err.source?.text).toBe(text);
  });

  it.each([
    ['exp x', "to call 'exp', write exp(x)"],
    ['(a)(b)', "to multiply, write '*' between them: (...)*(...)"],
    ['x[1] y', "to multiply, write '*' between them: [...]*y"],
    ['a = b', "to compare, write '=='"],
  ])('hints at the likely intent of %j', (text, hint) => {
    expect(errorOf(() => parseExpr(text)).hints).toContain(hint);
  });

  it('names the file in the first line of the formatted error', () => {
    const err = errorOf(() => parseScript('data "x.csv"\nfit 3', 'run.fit'));
    expect(err.format().split('\n')[0]).toBe('run.fit:2:5: error: unexpected number 3');
    const err2 = errorOf(() => parseExpr('1 +* 2', 'model.txt'));
    expect(err2.format()).toContain('model.txt:1:4: error:');
  });

  it('puts the end-of-input caret right after the last token, even before trailing blank lines', () => {
    const err = errorOf(() => parseExpr('a *\n\n'));
    expect(err.span).toMatchObject({ line: 1, column: 4 });
    expect(err.format().split('\n').slice(1)).toEqual(['  a *', '     ^', '  expected an expression']);
  });

  it('words expected tokens in plain words, never as chevrotain token names', () => {
    for (const text of ['1 + * 2', 'f(1 2)', 'param = = 1', 'save 3', 'fit 1', 'x[1:2:3:4]', 'data 3']) {
      const err = errorOf(() => parseScript(text));
      const all = [err.message, ...err.hints].join('\n');
      expect(all).not.toMatch(/Identifier|NumberLiteral|StringLiteral|LParen|RParen|Token|EOF|-->|<--/);
    }
  });

  it('rejects several statements in parseStatement', () => {
    const err = errorOf(() => parseStatement('a = 1; b = 2'));
    expect(err.code).toBe('syntax');
    expect(err.span).toMatchObject({ line: 1, column: 8 });
  });

  it('throws ExprfitError for non-string input from JavaScript callers', () => {
    const err = errorOf(() => parseExpr(undefined as unknown as string));
    expect(err).toBeInstanceOf(ExprfitError);
    expect(err.code).toBe('usage');
  });

  it('parses realistically deep nesting', () => {
    const n = 50;
    expect(parseExpr('('.repeat(n) + 'x' + ')'.repeat(n))).toMatchObject({ kind: 'sym', name: 'x' });
    expect(parseExpr('exp('.repeat(n) + 'x' + ')'.repeat(n)).kind).toBe('call');
    const long = Array.from({ length: 5000 }, (_, i) => `b${i}*x^${i}`).join(' + ');
    expect(parseExpr(long).kind).toBe('binary');
  });

  it('reports deep nesting as an ExprfitError', () => {
    const deep = '('.repeat(20000) + 'x' + ')'.repeat(20000);
    const err = errorOf(() => parseExpr(deep));
    expect(err.code).toBe('syntax');
    const minus = '-'.repeat(50000) + 'x';
    expect(errorOf(() => parseExpr(minus)).code).toBe('syntax');
  });
});

describe('ExprfitError.format', () => {
  it('lines the caret up under tab-indented source', () => {
    const err = errorOf(() => parseScript('x = 1\n\tfit\t3'));
    expect(err.format().split('\n').slice(1, 3)).toEqual(['  \tfit\t3', '  \t   \t^']);
  });
});
