import { tokenMatcher, type TokenType } from 'chevrotain';
import { describe, expect, it, vi } from 'vitest';
import {
  CST_TYPES_FILE,
  DIAGRAMS_FILE,
  generateCstTypes,
  generateDiagramsHtml,
  isUpToDate,
} from '../../grammar/generate.ts';
import { layout } from '../../grammar/layout.ts';
import { ExprfitParser } from '../../grammar/parser.ts';
import * as T from '../../grammar/tokens.ts';

const lexer = T.createLexer();

function lex(text: string) {
  const r = lexer.tokenize(text);
  expect(r.errors).toEqual([]);
  return r.tokens;
}
const types = (text: string) => lex(text).map((t) => t.tokenType.name);

describe('grammar definition', () => {
  it('passes chevrotain self-analysis (no ambiguities, no left recursion)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(() => new ExprfitParser()).not.toThrow();
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('builds a lexer that keeps its first-character optimisations', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(() => T.createLexer({ ensureOptimizations: true })).not.toThrow();
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('has up-to-date generated CST types (run: npx tsx grammar/generate.ts)', async () => {
    expect(isUpToDate(CST_TYPES_FILE, await generateCstTypes())).toBe(true);
  });

  it('has up-to-date syntax diagrams (run: npx tsx grammar/generate.ts)', () => {
    expect(isUpToDate(DIAGRAMS_FILE, generateDiagramsHtml())).toBe(true);
  });

  it('has the entry rules', () => {
    const rules = Object.keys(new ExprfitParser().getGAstProductions());
    expect(rules).toEqual(expect.arrayContaining(['expression', 'modelText', 'script', 'statement']));
  });
});

describe('tokens', () => {
  it.each<[string, string[]]>([
    ['1 2.5 1e-3 .5 1. 1.e2 1E+3', Array(7).fill('NumberLiteral')],
    ['x x0 _a σ x₀ 𝑥 größe', Array(7).fill('Identifier')],
    ['and or not in to', ['And', 'Or', 'Not', 'In', 'To']],
    ['android order notes inside total', Array(5).fill('Identifier')],
    [
      'data param model fit report print save plot fixed',
      ['Data', 'Param', 'Model', 'Fit', 'Report', 'Print', 'Save', 'Plot', 'Fixed'],
    ],
    ['dataset models fitted fixed_', Array(4).fill('Identifier')],
    ['spots set settings', ['Command_spots', 'Command_set', 'Identifier']],
    ['** ^ * / + -', ['DoubleStar', 'Caret', 'Star', 'Slash', 'Plus', 'Minus']],
    [
      '<= >= == != < > =',
      ['LessEqual', 'GreaterEqual', 'EqualEqual', 'NotEqual', 'Less', 'Greater', 'Equals'],
    ],
    ['( ) [ ] , : ;', ['LParen', 'RParen', 'LBracket', 'RBracket', 'Comma', 'Colon', 'Semicolon']],
    ['"a" "b\\"c" "', ['StringLiteral', 'StringLiteral', 'UnterminatedString']],
    ['a # comment\nb', ['Identifier', 'Newline', 'Identifier']],
    ['a \\\nb', ['Identifier', 'Identifier']],
    ['a \\ # note\nb', ['Identifier', 'Identifier']],
    ['a \\', ['Identifier', 'StrayBackslash']],
    ['a\r\nb', ['Identifier', 'Newline', 'Identifier']],
  ])('%j', (text, expected) => {
    expect(types(text)).toEqual(expected);
  });

  it('puts operators in their family categories', () => {
    const family = (text: string, category: TokenType) => lex(text).every((t) => tokenMatcher(t, category));
    expect(family('+ -', T.AdditiveOp)).toBe(true);
    expect(family('* /', T.MultiplicativeOp)).toBe(true);
    expect(family('^ **', T.PowerOp)).toBe(true);
    expect(family('< <= > >= == !=', T.ComparisonOp)).toBe(true);
    expect(family('; \n', T.StatementEnd)).toBe(true);
    expect(family('spots set', T.CommandKeyword)).toBe(true);
  });

  it('keeps contextual keywords usable as names, and reserved words not', () => {
    for (const word of [
      'data',
      'param',
      'model',
      'fit',
      'report',
      'print',
      'save',
      'plot',
      'fixed',
      'spots',
      'set',
    ]) {
      expect(tokenMatcher(lex(word)[0], T.Identifier)).toBe(true);
    }
    for (const word of T.RESERVED_WORDS) expect(tokenMatcher(lex(word)[0], T.Identifier)).toBe(false);
  });

  it('counts lines at \\n only', () => {
    const toks = lex('a\r\nb\nc');
    expect(toks.map((t) => t.startLine)).toEqual([1, 1, 2, 2, 3]);
  });
});

describe('layout: which line breaks end statements', () => {
  const laid = (text: string, mode: 'expression' | 'model' | 'script' = 'script') =>
    layout(lex(text), mode)
      .tokens.map((t) => (t.tokenType === T.Newline ? '⏎' : t.image))
      .join(' ');

  it.each([
    ['a = 1\nb = 2', 'a = 1 ⏎ b = 2'],
    ['a = (1 +\n2)', 'a = ( 1 + 2 )'],
    ['a = [1,\n2]', 'a = [ 1 , 2 ]'],
    ['a = 1 +\n2', 'a = 1 + 2'],
    ['a =\n2', 'a = 2'],
    ['a,\nb = f()', 'a , b = f ( )'],
    ['x = a and\nb', 'x = a and b'],
    ['param\nA = 1', 'param A = 1'],
    ['param A = 1 in\n[0, 1]', 'param A = 1 in [ 0 , 1 ]'],
    ['save m to\n"f"', 'save m to "f"'],
    ['fit\nreport', 'fit ⏎ report'],
    ['x = model\ny = 1', 'x = model ⏎ y = 1'],
    ['x = 1\n-2', 'x = 1 ⏎ - 2'],
    ['a = (1\n', 'a = ( 1'],
    ['a; b', 'a ; b'],
  ])('%j → %s', (text, expected) => {
    expect(laid(text)).toBe(expected);
  });

  it('drops every line break of a single expression', () => {
    expect(laid('a\n+\nb\n', 'expression')).toBe('a + b');
  });

  it('knows no statement keywords in model text', () => {
    expect(laid('print\ny = 1', 'model')).toBe('print ⏎ y = 1');
  });

  it('tells whether the input ended inside a statement', () => {
    const ends = (text: string) => layout(lex(text), 'script').endsInside;
    expect(ends('a = (1')).toBe(true);
    expect(ends('a = 1 +')).toBe(true);
    expect(ends('param')).toBe(true);
    expect(ends('fit')).toBe(false);
    expect(ends('a = 1')).toBe(false);
    expect(ends('a = f(1)')).toBe(false);
    expect(ends('x, y')).toBe(false);
  });
});
