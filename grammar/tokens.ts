/**
 * Tokens of the exprfit language (expressions, model text, `.fit` scripts and REPL lines).
 *
 * Pure lexical grammar: token types, their categories and the lexer definition. No semantics here;
 * `src/syntax/` turns tokens and CSTs into the AST. See docs/language.md for the user-facing reference.
 *
 * Categories group operator families so the parser can consume a family in one step:
 * `AdditiveOp` (`+ -`), `MultiplicativeOp` (`* /`), `PowerOp` (`^ **`), `ComparisonOp` (`< <= > >= == !=`),
 * `StatementEnd` (newline, `;`), and `Identifier` itself, which contextual keywords (`data`, `param`, `model`,
 * ...) belong to so that they stay usable as ordinary names.
 */
import { createToken, Lexer, type CustomPatternMatcherFunc, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------------------------------------
// Categories (never matched directly)

export const AdditiveOp = createToken({ name: 'AdditiveOp', pattern: Lexer.NA, label: "'+' | '-'" });
export const MultiplicativeOp = createToken({
  name: 'MultiplicativeOp',
  pattern: Lexer.NA,
  label: "'*' | '/'",
});
export const PowerOp = createToken({ name: 'PowerOp', pattern: Lexer.NA, label: "'^' | '**'" });
export const ComparisonOp = createToken({
  name: 'ComparisonOp',
  pattern: Lexer.NA,
  label: "'<' | '<=' | '>' | '>=' | '==' | '!='",
});
export const StatementEnd = createToken({ name: 'StatementEnd', pattern: Lexer.NA, label: "newline | ';'" });
/** Keywords that start a generic command statement (`spots img roi=7`); see {@link COMMAND_KEYWORDS}. */
export const CommandKeyword = createToken({ name: 'CommandKeyword', pattern: Lexer.NA, label: 'command' });

// ---------------------------------------------------------------------------------------------
// Trivia

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  // JavaScript's \s without \n (an explicit set, so the lexer can index tokens by first character)
  pattern: /[ \t\r\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/,
  group: Lexer.SKIPPED,
});
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });
/** A backslash at the end of a line joins the next line to this one (it may be followed by a comment). */
export const LineContinuation = createToken({
  name: 'LineContinuation',
  pattern: /\\[ \t\r]*(?:#[^\n]*)?\n/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** A backslash not followed by a line break: at the end of the input the statement is incomplete; else an error. */
export const StrayBackslash = createToken({
  name: 'StrayBackslash',
  pattern: /\\[ \t\r]*(?:#[^\n]*)?/,
  label: "'\\'",
});

// ---------------------------------------------------------------------------------------------
// Separators

export const Newline = createToken({
  name: 'Newline',
  pattern: /\n/,
  line_breaks: true,
  categories: [StatementEnd],
  label: 'newline',
});
export const Semicolon = createToken({
  name: 'Semicolon',
  pattern: /;/,
  categories: [StatementEnd],
  label: "';'",
});

// ---------------------------------------------------------------------------------------------
// Literals

/** `"..."` with backslash escapes; a string ends on the line it starts on. */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\n]|\\.)*"/,
  label: 'string',
});
/** A string missing its closing quote (to the end of the line). Never accepted by the parser. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\n]|\\.)*\\?/,
  label: 'unterminated string',
});
/** `1`, `2.5`, `1e-3`, `.5`, `1.` */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'number',
});

// ---------------------------------------------------------------------------------------------
// Identifiers and keywords

// continuing characters: letters, marks, decimal digits, `_` and subscript digits (x₀), not superscripts (x²)
const identifierRegExp = /[\p{L}_][\p{L}\p{M}\p{Nd}_\u2080-\u2089]*/uy;
const matchIdentifier: CustomPatternMatcherFunc = (text, offset) => {
  identifierRegExp.lastIndex = offset;
  return identifierRegExp.exec(text);
};

/**
 * Characters an identifier can start with, for the lexer's first-character optimisation: every ASCII and
 * Latin-1 letter, plus one representative of each 256-code block above that holds a letter (the lexer
 * buckets those blocks). Astral letters start with a high surrogate, so those blocks are included too.
 */
function identifierStartChars(): number[] {
  const letter = /[\p{L}_]/u;
  const out: number[] = [];
  for (let c = 0; c < 256; c++) if (letter.test(String.fromCharCode(c))) out.push(c);
  for (let block = 1; block < 256; block++) {
    const base = block * 256;
    if (base >= 0xd800 && base < 0xdc00) {
      out.push(base); // high surrogates: astral letters such as mathematical italic 𝑥
      continue;
    }
    for (let c = base; c < base + 256; c++) {
      if (letter.test(String.fromCharCode(c))) {
        out.push(c);
        break;
      }
    }
  }
  return out;
}

/**
 * A name: Unicode letters (Greek welcome), digits, subscript digits, marks and `_`, not starting with a digit.
 * Contextual keywords are in this category, so `CONSUME(Identifier)` accepts them too.
 */
export const Identifier = createToken({
  name: 'Identifier',
  pattern: matchIdentifier,
  line_breaks: false,
  start_chars_hint: identifierStartChars(),
  label: 'name',
});

function keyword(word: string, categories: TokenType[] = []): TokenType {
  const name = word[0].toUpperCase() + word.slice(1);
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories,
    label: `'${word}'`,
  });
}

// Reserved words: never names.
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const In = keyword('in');
export const To = keyword('to');

// Contextual keywords: they start a statement, but remain ordinary names elsewhere (`save model to "m.npy"`).
export const Data = keyword('data', [Identifier]);
export const Param = keyword('param', [Identifier]);
export const Model = keyword('model', [Identifier]);
export const Fit = keyword('fit', [Identifier]);
export const Report = keyword('report', [Identifier]);
export const Print = keyword('print', [Identifier]);
export const Save = keyword('save', [Identifier]);
export const Plot = keyword('plot', [Identifier]);
export const Fixed = keyword('fixed', [Identifier]);
export const Ode = keyword('ode', [Identifier]);

/**
 * Keywords of the generic command statement `name arg ... key=value ...`. Add a word here to add a command;
 * no other grammar change is needed (the interpreter gives it meaning).
 */
export const COMMAND_KEYWORDS = [
  'spots',
  'set',
  'band',
  'confint2d',
  'confint',
  'mcmc',
  'compare',
  'loadfit',
  'constrain',
  'minimize',
  'maximize',
] as const;
export type CommandName = (typeof COMMAND_KEYWORDS)[number];
export const commandTokens: readonly TokenType[] = COMMAND_KEYWORDS.map((w) =>
  createToken({
    name: `Command_${w}`,
    pattern: new RegExp(w),
    longer_alt: Identifier,
    categories: [CommandKeyword, Identifier],
    label: `'${w}'`,
  }),
);

/** Words that can never be names. */
export const RESERVED_WORDS = ['and', 'or', 'not', 'in', 'to'] as const;
/** Words that start a statement at the beginning of a line (they are names elsewhere). */
export const STATEMENT_KEYWORDS = [
  'data',
  'param',
  'model',
  'fit',
  'report',
  'print',
  'save',
  'plot',
  'ode',
] as const;
/**
 * Statement keywords whose statement cannot end right after the keyword: a line break after one of them at the
 * start of a statement continues the statement (see src/syntax/lex.ts).
 */
export const KEYWORDS_NEEDING_MORE: ReadonlySet<TokenType> = new Set([
  Data,
  Param,
  Model,
  Print,
  Save,
  Plot,
  Ode,
]);

// ---------------------------------------------------------------------------------------------
// Operators and punctuation

export const DoubleStar = createToken({
  name: 'DoubleStar',
  pattern: /\*\*/,
  categories: [PowerOp],
  label: "'**'",
});
export const Caret = createToken({ name: 'Caret', pattern: /\^/, categories: [PowerOp], label: "'^'" });
export const Star = createToken({
  name: 'Star',
  pattern: /\*/,
  categories: [MultiplicativeOp],
  label: "'*'",
});
export const Slash = createToken({
  name: 'Slash',
  pattern: /\//,
  categories: [MultiplicativeOp],
  label: "'/'",
});
/** The matrix product `B @ beta` (numpy's operator, at the precedence of `*`): `dot(B, beta)`. */
export const At = createToken({ name: 'At', pattern: /@/, categories: [MultiplicativeOp], label: "'@'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [AdditiveOp], label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [AdditiveOp], label: "'-'" });
export const LessEqual = createToken({
  name: 'LessEqual',
  pattern: /<=/,
  categories: [ComparisonOp],
  label: "'<='",
});
export const GreaterEqual = createToken({
  name: 'GreaterEqual',
  pattern: />=/,
  categories: [ComparisonOp],
  label: "'>='",
});
export const EqualEqual = createToken({
  name: 'EqualEqual',
  pattern: /==/,
  categories: [ComparisonOp],
  label: "'=='",
});
export const NotEqual = createToken({
  name: 'NotEqual',
  pattern: /!=/,
  categories: [ComparisonOp],
  label: "'!='",
});
export const Less = createToken({ name: 'Less', pattern: /</, categories: [ComparisonOp], label: "'<'" });
export const Greater = createToken({
  name: 'Greater',
  pattern: />/,
  categories: [ComparisonOp],
  label: "'>'",
});
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });

/** Every token type, in lexer priority order (categories included, as chevrotain requires). */
export const allTokens: readonly TokenType[] = [
  // categories
  AdditiveOp,
  MultiplicativeOp,
  PowerOp,
  ComparisonOp,
  StatementEnd,
  CommandKeyword,
  // trivia and separators
  WhiteSpace,
  Comment,
  LineContinuation,
  StrayBackslash,
  Newline,
  Semicolon,
  // literals
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  // keywords before names
  And,
  Or,
  Not,
  In,
  To,
  Data,
  Param,
  Model,
  Fit,
  Report,
  Print,
  Save,
  Plot,
  Fixed,
  Ode,
  ...commandTokens,
  Identifier,
  // operators: longer first
  DoubleStar,
  Caret,
  Star,
  Slash,
  At,
  Plus,
  Minus,
  LessEqual,
  GreaterEqual,
  EqualEqual,
  NotEqual,
  Less,
  Greater,
  Equals,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
];

/**
 * A new lexer. Lines end at `\n` only (a `\r` before it is whitespace), so line numbers agree with
 * `spanAt` in src/core/errors.ts.
 */
export function createLexer(
  options: { ensureOptimizations?: boolean; skipValidations?: boolean } = {},
): Lexer {
  return new Lexer([...allTokens], {
    positionTracking: 'full',
    lineTerminatorsPattern: /\n/g,
    lineTerminatorCharacters: ['\n'],
    ensureOptimizations: options.ensureOptimizations ?? false,
    skipValidations: options.skipValidations ?? false,
  });
}
