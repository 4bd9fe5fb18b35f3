/**
 * Line structure of the language, applied to the token stream before parsing.
 *
 * Statements end at `;` or at a line break, but a line break does not end a statement when the statement
 * obviously goes on:
 * - inside parentheses or brackets;
 * - after a token that cannot end a statement: an operator, `=`, `,`, `:`, `and`, `or`, `not`, `in`, `to`;
 * - right after a statement keyword that needs more (`param`, `model`, `data`, `print`, `save`, `plot`).
 * (A `\` at the end of a line also joins the lines; the lexer skips it.)
 *
 * The same rule tells a caller whether input that ended early is incomplete: exactly when a line break at
 * its end would have been skipped. So a REPL that keeps reading on "incomplete" never gets stuck.
 */
import type { IToken, TokenType } from 'chevrotain';
import {
  And,
  Caret,
  Colon,
  Comma,
  DoubleStar,
  EqualEqual,
  Equals,
  Greater,
  GreaterEqual,
  In,
  KEYWORDS_NEEDING_MORE,
  LBracket,
  Less,
  LessEqual,
  LParen,
  Minus,
  Newline,
  Not,
  NotEqual,
  Or,
  Plus,
  RBracket,
  RParen,
  Semicolon,
  Slash,
  Star,
  To,
} from './tokens.ts';

/** Tokens after which a statement cannot end. */
export const CONTINUATION_TOKENS: ReadonlySet<TokenType> = new Set([
  DoubleStar,
  Caret,
  Star,
  Slash,
  Plus,
  Minus,
  LessEqual,
  GreaterEqual,
  EqualEqual,
  NotEqual,
  Less,
  Greater,
  Equals,
  Comma,
  Colon,
  LParen,
  LBracket,
  And,
  Or,
  Not,
  In,
  To,
]);

export interface LayoutResult {
  /** The parser input: significant tokens only. */
  readonly tokens: IToken[];
  /** Brackets still open at the end of the input, innermost last. */
  readonly openBrackets: readonly IToken[];
  /** The input ended where its last statement cannot end (an open bracket, a trailing operator, ...). */
  readonly endsInside: boolean;
}

/**
 * What the input is: a single expression (every line break is dropped), model text (equations and function
 * definitions; no statement keywords) or a script / REPL input.
 */
export type LayoutMode = 'expression' | 'model' | 'script';

/** Drops the line breaks that do not end a statement. */
export function layout(tokens: readonly IToken[], mode: LayoutMode): LayoutResult {
  const keywords = mode === 'script';
  const out: IToken[] = [];
  const open: IToken[] = [];
  let atStatementStart = true;
  let continues = false; // the last significant token cannot end a statement
  for (const tok of tokens) {
    const type = tok.tokenType;
    if (type === Newline) {
      if (mode === 'expression' || open.length > 0 || continues) continue;
      out.push(tok);
      atStatementStart = true;
      continue;
    }
    if (type === Semicolon) {
      out.push(tok);
      atStatementStart = true;
      continues = false;
      continue;
    }
    if (type === LParen || type === LBracket) open.push(tok);
    else if ((type === RParen || type === RBracket) && open.length > 0) open.pop();
    continues =
      CONTINUATION_TOKENS.has(type) || (keywords && atStatementStart && KEYWORDS_NEEDING_MORE.has(type));
    atStatementStart = false;
    out.push(tok);
  }
  return { tokens: out, openBrackets: open, endsInside: open.length > 0 || continues };
}
