/**
 * Wording of syntax errors. chevrotain reports what it expected as token types; here they become plain words
 * ("expected an expression", "expected ')' or ','") with the source line and a caret under the offending
 * token, plus hints for common mistakes (implicit multiplication, `&&`, an unclosed bracket, a misspelled
 * statement keyword).
 */
import {
  EOF,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import {
  AdditiveOp,
  allTokens,
  Comma,
  COMMAND_KEYWORDS,
  CommandKeyword,
  Data,
  Equals,
  Identifier,
  type LayoutMode,
  LBracket,
  LParen,
  Minus,
  Newline,
  Not,
  NumberLiteral,
  Plus,
  RBracket,
  RParen,
  Semicolon,
  STATEMENT_KEYWORDS,
  StatementEnd,
  StringLiteral,
} from '../../grammar/index.ts';
import { didYouMean, type ErrorCode, ExprfitError, type SourceText } from '../core/index.ts';
import { getFunction } from '../functions/index.ts';
import type { LineIndex } from './lines.ts';

// ---------------------------------------------------------------------------------------------
// chevrotain → structured "expected" sets

const END_OF_STATEMENT = '<end>';
const tokenByName = new Map<string, TokenType>(allTokens.map((t) => [t.name, t]));
tokenByName.set(EOF.name, EOF);

function encode(expected: readonly (TokenType | undefined)[]): string {
  return JSON.stringify(expected.filter((t): t is TokenType => t !== undefined).map((t) => t.name));
}

/**
 * Makes chevrotain's error messages machine readable (a JSON list of expected token names), so that the
 * wording is done here, from structure, rather than by rewriting chevrotain's English.
 */
export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => encode([expected]),
  buildNotAllInputParsedMessage: () => JSON.stringify([END_OF_STATEMENT]),
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) =>
    encode(expectedPathsPerAlt.flat().map((path) => path[0])),
  buildEarlyExitMessage: ({ expectedIterationPaths }) =>
    encode(expectedIterationPaths.map((path) => path[0])),
};

function decode(message: string): { expected: TokenType[]; end: boolean } {
  let names: unknown;
  try {
    names = JSON.parse(message);
  } catch {
    names = [];
  }
  const list = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  return {
    expected: list.map((n) => tokenByName.get(n)).filter((t): t is TokenType => t !== undefined),
    end: list.includes(END_OF_STATEMENT),
  };
}

// ---------------------------------------------------------------------------------------------
// Words

const EXPRESSION_START = new Set<TokenType>([
  NumberLiteral,
  StringLiteral,
  Identifier,
  LParen,
  LBracket,
  AdditiveOp,
  Plus,
  Minus,
  Not,
]);

function expectedWord(t: TokenType): string {
  switch (t) {
    case NumberLiteral:
      return 'a number';
    case Identifier:
      return 'a name';
    case StringLiteral:
      return 'a string in double quotes';
    case StatementEnd:
    case Newline:
    case Semicolon:
      return 'the end of the statement';
    case CommandKeyword:
      return 'a command';
    case EOF:
      return 'the end of the input';
    default:
      return typeof t.LABEL === 'string' ? t.LABEL : t.name;
  }
}

/** `expected X`, `expected X or Y`, `expected one of: X, Y, Z`. */
export function describeExpected(types: readonly TokenType[]): string | undefined {
  const set = new Set(types);
  const words: string[] = [];
  if (set.has(Data)) {
    // the statement alternatives: list none of them
    words.push('a statement');
    for (const t of [...set]) if (t === CommandKeyword || t.CATEGORIES?.includes(Identifier)) set.delete(t);
  }
  if (set.has(NumberLiteral)) {
    words.push('an expression');
    for (const t of EXPRESSION_START) set.delete(t);
  }
  for (const t of set) words.push(expectedWord(t));
  const unique = [...new Set(words)];
  if (unique.length === 0) return undefined;
  if (unique.length === 1) return `expected ${unique[0]}`;
  if (unique.length === 2) return `expected ${unique[0]} or ${unique[1]}`;
  return `expected one of: ${unique.join(', ')}`;
}

function clip(s: string, max = 30): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** How a token is named in a message: `name 'x'`, `number 2.5`, `'*'`, `end of line`. */
export function describeToken(tok: IToken): string {
  const t = tok.tokenType;
  if (t === EOF) return 'end of input';
  if (t === Newline) return 'end of line';
  if (t === NumberLiteral) return `number ${clip(tok.image)}`;
  if (t === StringLiteral) return `string ${clip(tok.image)}`;
  if (t === Identifier) return `name '${clip(tok.image)}'`;
  if (t.CATEGORIES?.includes(Identifier) || /^[a-z]+$/.test(tok.image)) return `keyword '${tok.image}'`;
  return `'${tok.image}'`;
}

/** True for tokens that can end an operand: `x`, `2`, `"s"`, `)`, `]`. */
function endsOperand(t: TokenType): boolean {
  return (
    t === NumberLiteral ||
    t === StringLiteral ||
    t === RParen ||
    t === RBracket ||
    t === Identifier ||
    (t.CATEGORIES?.includes(Identifier) ?? false)
  );
}

/** A hint for two operands written side by side (`2x`, `exp x`, `(a)(b)`), or undefined. */
function hintForJuxtaposition(prev: IToken, tok: IToken): string | undefined {
  const left = prev.tokenType;
  const right = tok.tokenType;
  if (right !== NumberLiteral && right !== Identifier && right !== LParen) return undefined;
  if (left === Identifier && right !== LParen && getFunction(prev.image)) {
    return `to call '${prev.image}', write ${prev.image}(${tok.image})`;
  }
  if (left === NumberLiteral && right === NumberLiteral) return undefined;
  if (left !== NumberLiteral && left !== Identifier && left !== RParen && left !== RBracket) return undefined;
  const a = left === RParen ? '(...)' : left === RBracket ? '[...]' : prev.image;
  const b = right === LParen ? '(...)' : tok.image;
  return `to multiply, write '*' between them: ${a}*${b}`;
}

// ---------------------------------------------------------------------------------------------
// Errors

export interface ErrorContext {
  readonly source: SourceText;
  readonly lines: LineIndex;
  readonly mode: LayoutMode;
  /** The parser input (after layout). */
  readonly tokens: readonly IToken[];
  /** The input ended where its last statement cannot end (see grammar/layout.ts). */
  readonly endsInside: boolean;
}

function tokenSpan(ctx: ErrorContext, tok: IToken) {
  return ctx.lines.span(tok.startOffset, tok.endOffset! + 1);
}

/** The span of "the end of the input": just after the last token. */
function endSpan(ctx: ErrorContext) {
  const last = ctx.tokens.at(-1);
  const at = last ? last.endOffset! + 1 : ctx.source.text.length;
  return ctx.lines.span(at, at + 1);
}

/** Brackets opened before token index `upTo` and not closed by then, innermost last. */
function openBracketsBefore(tokens: readonly IToken[], upTo: number): IToken[] {
  const open: IToken[] = [];
  for (let i = 0; i < upTo; i++) {
    const t = tokens[i].tokenType;
    if (t === LParen || t === LBracket) open.push(tokens[i]);
    else if ((t === RParen || t === RBracket) && open.length > 0) open.pop();
  }
  return open;
}

/** True when the '(' token `open` starts the argument list of a call `f(`. */
function isCallParen(tokens: readonly IToken[], open: IToken): boolean {
  const i = tokens.indexOf(open);
  const before = i > 0 ? tokens[i - 1].tokenType : undefined;
  return (
    before !== undefined && (before === Identifier || (before.CATEGORIES?.includes(Identifier) ?? false))
  );
}

/**
 * chevrotain names only the token it tried last; where that is the closing bracket of a call or list, an item
 * (right after the opening bracket) or a ',' (after an item) would have done as well.
 */
function completeExpected(
  expected: TokenType[],
  tokens: readonly IToken[],
  prev: IToken | undefined,
  open: IToken | undefined,
): TokenType[] {
  if (expected.length !== 1 || !open || !prev) return expected;
  const closer = expected[0];
  const list =
    (closer === RParen && open.tokenType === LParen && isCallParen(tokens, open)) ||
    (closer === RBracket && open.tokenType === LBracket);
  if (!list) return expected;
  if (prev === open) return [NumberLiteral, closer]; // NumberLiteral stands for "an expression"
  return endsOperand(prev.tokenType) ? [Comma, closer] : expected;
}

/** Turns the first chevrotain parse error into an ExprfitError with plain-word hints. */
export function parseError(exc: IRecognitionException, ctx: ErrorContext): ExprfitError {
  const tok = exc.token;
  const atEnd = tok.tokenType === EOF;
  let index = atEnd ? ctx.tokens.length : ctx.tokens.indexOf(tok);
  if (index < 0) index = ctx.tokens.findIndex((t) => t.startOffset === tok.startOffset);
  if (index < 0) index = ctx.tokens.length;
  const prev = index > 0 ? ctx.tokens[index - 1] : undefined;
  const span = atEnd ? endSpan(ctx) : tokenSpan(ctx, tok);
  const code: ErrorCode = atEnd && ctx.endsInside ? 'incomplete' : 'syntax';
  const { expected, end } = decode(exc.message);
  const openBefore = openBracketsBefore(ctx.tokens, index).at(-1);
  const message = atEnd ? 'unexpected end of input' : `unexpected ${describeToken(tok)}`;
  const hints: string[] = [];

  const statementStart = (() => {
    let i = index - 1;
    while (i >= 0 && ctx.tokens[i].tokenType !== Newline && ctx.tokens[i].tokenType !== Semicolon) i--;
    return i + 1;
  })();

  if (ctx.mode === 'expression' && ctx.tokens.length === 0) {
    return new ExprfitError('syntax', 'expected an expression, but the input is empty', {
      span,
      source: ctx.source,
    });
  }

  if (
    ctx.mode === 'script' &&
    !atEnd &&
    index === statementStart + 1 &&
    prev?.tokenType === Identifier &&
    (tok.tokenType === Identifier || tok.tokenType === StringLiteral || tok.tokenType === NumberLiteral)
  ) {
    // `parm A = 1`, `dat "x.csv"`: a misspelled statement keyword
    const words = [...STATEMENT_KEYWORDS, ...COMMAND_KEYWORDS];
    const hint =
      didYouMean(prev.image, words) ??
      `a statement starts with one of: ${words.join(', ')}; or it is an assignment (x = 1) or an expression`;
    return new ExprfitError('syntax', `unknown statement '${prev.image}'`, {
      span: tokenSpan(ctx, prev),
      source: ctx.source,
      hints: [hint],
    });
  }

  if (end) {
    if (ctx.mode === 'expression') hints.push('expected an operator or the end of the expression');
    else if (!prev || prev.tokenType === Newline || prev.tokenType === Semicolon) {
      hints.push(ctx.mode === 'model' ? 'expected an equation such as y = a*x + b' : 'expected a statement');
    } else hints.push("expected the end of the statement (a new line or ';')");
  } else {
    const words = describeExpected(completeExpected(expected, ctx.tokens, prev, openBefore));
    if (words) hints.push(words);
  }

  const sameLine = prev !== undefined && ctx.lines.span(prev.startOffset).line === span.line;
  if (!atEnd && prev && sameLine) {
    const juxtaposed = hintForJuxtaposition(prev, tok);
    if (juxtaposed) hints.push(juxtaposed);
  }
  if (tok.tokenType === Equals && prev && endsOperand(prev.tokenType)) hints.push("to compare, write '=='");

  if (openBefore) {
    const open = openBefore;
    const where = ctx.lines.span(open.startOffset);
    if (atEnd || where.line < span.line) {
      hints.push(`the '${open.image}' at line ${where.line}, column ${where.column} is not closed`);
    }
  }
  return new ExprfitError(code, message, { span, source: ctx.source, hints });
}

// ---------------------------------------------------------------------------------------------
// Lexical problems

const CHARACTER_HINTS: Record<string, string> = {
  '&': "write 'and' for logical and",
  '|': "write 'or' for logical or",
  '!': "write 'not' for logical negation ('!=' means not equal)",
  "'": 'strings are written in double quotes: "file.csv"',
  '‘': 'strings are written in double quotes: "file.csv"',
  '’': 'strings are written in double quotes: "file.csv"',
  '“': 'strings are written in plain double quotes: "file.csv"',
  '”': 'strings are written in plain double quotes: "file.csv"',
  $: "'$' cannot appear in names",
  '.': "a '.' belongs in numbers such as 0.5 only",
  '−': "write '-' (the ASCII minus sign)",
  '–': "write '-' (the ASCII minus sign)",
  '×': "write '*' for multiplication",
  '·': "write '*' for multiplication",
  '÷': "write '/' for division",
  '²': "write '^2' for a square",
  '³': "write '^3' for a cube",
  '%': 'there is no % operator',
  '{': 'braces are not used; group with ( )',
  '}': 'braces are not used; group with ( )',
};

/** An error found while splitting the text into tokens. */
export interface LexProblem {
  readonly offset: number;
  readonly error: ExprfitError;
}

export function unexpectedCharacter(offset: number, lines: LineIndex, source: SourceText): LexProblem {
  const cp = source.text.codePointAt(offset) ?? 0;
  const ch = String.fromCodePoint(cp);
  const shown = cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : ch;
  const hint = CHARACTER_HINTS[ch];
  return {
    offset,
    error: new ExprfitError('syntax', `unexpected character '${shown}'`, {
      span: lines.span(offset, offset + ch.length),
      source,
      hints: hint ? [hint] : [],
    }),
  };
}

/**
 * A string missing its closing quote is always a syntax error, also at the end of the input: a string ends on
 * the line where it starts, so no following line can complete it (the REPL reports it at once).
 */
export function unterminatedString(tok: IToken, lines: LineIndex, source: SourceText): LexProblem {
  return {
    offset: tok.startOffset,
    error: new ExprfitError('syntax', 'unterminated string', {
      span: lines.span(tok.startOffset, tok.endOffset! + 1),
      source,
      hints: [`a string ends with '"' on the line where it starts`],
    }),
  };
}

export function strayBackslash(tok: IToken, lines: LineIndex, source: SourceText): LexProblem {
  const atEnd = tok.endOffset! + 1 >= source.text.length;
  return {
    offset: tok.startOffset,
    error: atEnd
      ? new ExprfitError('incomplete', 'the input ends with a line continuation', {
          span: lines.span(tok.startOffset),
          source,
          hints: ["a '\\' at the end of a line continues the statement on the next line"],
        })
      : new ExprfitError('syntax', "unexpected '\\'", {
          span: lines.span(tok.startOffset),
          source,
          hints: ["a '\\' may only end a line (it continues the statement on the next line)"],
        }),
  };
}
