import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/ast/expr.ts';
import { STATEMENT_KEYWORDS } from '../../grammar/tokens.ts';
import { parseExpr, parseModel, parseScript, parseStatement } from '../../src/syntax/parse.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { sexpr, stripSpans } from './helpers.ts';

const RUNS = Number(process.env.EXPRFIT_FC_RUNS ?? 300);

/** Calls `f`; fails unless it returns or throws an ExprfitError with a well-formed span. */
function returnsOrThrowsExprfitError(f: () => unknown, text: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ExprfitError)) throw new Error(`threw ${String(e)} for ${JSON.stringify(text)}`);
    if (e.span) {
      expect(e.span.line).toBeGreaterThanOrEqual(1);
      expect(e.span.column).toBeGreaterThanOrEqual(1);
      expect(e.span.start).toBeGreaterThanOrEqual(0);
      expect(e.span.start).toBeLessThanOrEqual(text.length);
      expect(e.span.end).toBeGreaterThan(e.span.start);
    }
    expect(typeof e.format()).toBe('string');
  }
}

/** ASCII characters, mixed with characters that need care: non-ASCII letters, marks, lone surrogates, ... */
const CHARACTER = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) },
  fc.constantFrom(
    ...[
      'σ',
      '𝑥',
      'é',
      'e\u0301',
      '²',
      '₀',
      '−',
      '×',
      '\u00a0',
      '\u2028',
      '\ufeff',
      '\ud800',
      '\udc00',
      '\u0000',
    ],
    ...['\r', '\n', '\t', '\\', '"', '#', ';', '[', ']', '(', ')', '\u007f', '😀'],
  ),
);

const allParsers = (text: string) => [
  () => parseExpr(text),
  () => parseModel(text),
  () => parseScript(text),
  () => parseStatement(text),
];

const PIECES = [
  ...'+-*/^()[],:;=<>!"#\\\n\t .e0123456789xyAσ_'.split(''),
  '**',
  '<=',
  '>=',
  '==',
  '!=',
  'and',
  'or',
  'not',
  'in',
  'to',
  'fixed',
  'data',
  'param',
  'model',
  'fit',
  'report',
  'print',
  'save',
  'plot',
  'spots',
  'set',
  'exp',
  'atan2',
  '"f.csv"',
  '1e-3',
  '.5',
  '\r\n',
];

describe('robustness: any text parses or gives an ExprfitError', () => {
  it('random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: CHARACTER, maxLength: 40 }), (text) => {
        for (const f of allParsers(text)) returnsOrThrowsExprfitError(f, text);
      }),
      { numRuns: RUNS },
    );
  });

  it('random sequences of language pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 25 }),
        fc.constantFrom('', ' '),
        (pieces, sep) => {
          const text = pieces.join(sep);
          for (const f of allParsers(text)) returnsOrThrowsExprfitError(f, text);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Well-formed expressions, generated as trees and written out as tokens

interface Gen {
  tree: Expr;
  tokens: string[];
}

const NAMES = ['x', 'y', 'A', 'x0', 'σ', 'pi', 'e', 'model', 'b_2'];
const NUMBERS: [string, number][] = [
  ['1', 1],
  ['2.5', 2.5],
  ['.5', 0.5],
  ['1e-3', 1e-3],
  ['10', 10],
  ['3.', 3],
];
const BINARY: [string, Extract<Expr, { kind: 'binary' }>['op']][] = [
  ['+', '+'],
  ['-', '-'],
  ['*', '*'],
  ['/', '/'],
  ['^', '^'],
  ['**', '^'],
  ['<', '<'],
  ['<=', '<='],
  ['==', '=='],
  ['!=', '!='],
  ['and', 'and'],
  ['or', 'or'],
];
const FUNCTIONS: [string, number][] = [
  ['exp', 1],
  ['sin', 1],
  ['atan2', 2],
  ['max', 3],
  ['if', 3],
];

const { expr: genExpr } = fc.letrec<{ expr: Gen }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NAMES).map((name): Gen => ({ tree: { kind: 'sym', name }, tokens: [name] })),
    fc
      .constantFrom(...NUMBERS)
      .map(([text, value]): Gen => ({ tree: { kind: 'num', value }, tokens: [text] })),
    fc.tuple(tie('expr'), fc.constantFrom(...BINARY), tie('expr')).map(([l, [text, op], r]): Gen => ({
      tree: { kind: 'binary', op, left: l.tree, right: r.tree },
      tokens: ['(', ...l.tokens, text, ...r.tokens, ')'],
    })),
    fc
      .tuple(fc.constantFrom<['-' | 'not', string]>(['-', '-'], ['not', 'not']), tie('expr'))
      .map(([[op, text], a]): Gen => ({
        tree: { kind: 'unary', op, arg: a.tree },
        tokens: ['(', text, '(', ...a.tokens, ')', ')'],
      })),
    fc
      .tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('expr'), { minLength: 3, maxLength: 3 }))
      .map(([[fn, arity], args]): Gen => {
        const used = args.slice(0, arity);
        const tokens = [fn, '('];
        used.forEach((a, i) => tokens.push(...(i > 0 ? [','] : []), ...a.tokens));
        tokens.push(')');
        return { tree: { kind: 'call', fn, args: used.map((a) => a.tree) }, tokens };
      }),
  ),
}));

describe('well-formed expressions', () => {
  it('parse to the tree they were written from', () => {
    fc.assert(
      fc.property(genExpr, fc.constantFrom(' ', '', '\n'), (g, sep) => {
        const text = g.tokens.join(sep === '' ? ' ' : sep);
        expect(sexpr(parseExpr(text))).toBe(sexpr(g.tree));
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The REPL contract: input reported incomplete becomes valid when the rest follows on the next line.

const genStatement: fc.Arbitrary<string[]> = fc.oneof(
  genExpr.map((g) => ['x', '=', ...g.tokens]),
  genExpr.map((g) => ['x', ',', 'y', '=', ...g.tokens]),
  genExpr.map((g) => ['model', 'img', '=', ...g.tokens]),
  fc
    .tuple(genExpr, genExpr, genExpr)
    .map(([a, b, c]) => [
      'param',
      'A',
      '=',
      ...a.tokens,
      'in',
      '[',
      ...b.tokens,
      ',',
      ...c.tokens,
      ']',
      'fixed',
    ]),
  fc.tuple(genExpr, genExpr).map(([a, b]) => ['param', 'A', '=', ...a.tokens, ',', 'B', '=', ...b.tokens]),
  fc.tuple(genExpr, genExpr).map(([a, b]) => ['fit', 'method', '=', ...a.tokens, 'maxfev', '=', ...b.tokens]),
  genExpr.map((g) => ['print', ...g.tokens]),
  genExpr.map((g) => ['g', '(', 'u', ',', 's', ')', '=', ...g.tokens]),
  genExpr.map((g) => ['save', ...g.tokens, 'to', '"out.npy"']),
  genExpr.map((g) => ['spots', 'img', 'roi', '=', ...g.tokens]),
  genExpr.map((g) => ['v', '=', '[', ...g.tokens, ',', '[', '1', ',', '2', ']', ']']),
  genExpr.map((g) => ['w', '=', 'img', '[', ...g.tokens, ':', ',', ':', ':', '2', ']']),
  // a bare expression, unless it starts with a statement keyword (then it is that statement)
  genExpr
    .filter((g) => !(STATEMENT_KEYWORDS as readonly string[]).includes(g.tokens[0]))
    .map((g) => g.tokens),
);

describe('incomplete input', () => {
  it('is exactly a prefix that the next line can complete', () => {
    fc.assert(
      fc.property(genStatement, fc.nat(), (tokens, cutSeed) => {
        const full = tokens.join(' ');
        const whole = stripSpans(parseScript(full));
        expect(whole).toHaveLength(1);
        const cut = 1 + (cutSeed % tokens.length);
        const head = tokens.slice(0, cut).join(' ');
        const rest = tokens.slice(cut).join(' ');
        let code: string | undefined;
        try {
          parseScript(head);
        } catch (e) {
          if (!(e instanceof ExprfitError)) throw e;
          code = e.code;
        }
        if (code === 'incomplete') {
          // the REPL appends the next line and parses again: it must get the same statement
          expect(stripSpans(parseScript(`${head}\n${rest}`))).toEqual(whole);
        }
        if (cut < tokens.length && code === undefined) {
          // a complete prefix: the rest on a new line is a new statement or an error, never silently joined
          try {
            expect(parseScript(`${head}\n${rest}`).length).not.toBe(1);
          } catch (e) {
            if (!(e instanceof ExprfitError)) throw e;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
