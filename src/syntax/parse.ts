/**
 * Text → AST: `parseExpr`, `parseModel`, `parseScript`, `parseStatement`.
 *
 * One lexer and one parser instance serve every call (created on first use; parsing is synchronous, so
 * sharing is safe). Every failure is an `ExprfitError`: `syntax` for wrong input, `incomplete` when the input
 * ended where more was needed (an open bracket, a trailing operator, a final `\`; the REPL keeps reading;
 * an unterminated string is `syntax`, since strings cannot span lines), `unknown-function` / `arity` from the
 * call check.
 */
import { EOF, type CstNode, type IToken, type Lexer } from 'chevrotain';
import {
  createLexer,
  type ExpressionCstNode,
  ExprfitParser,
  layout,
  type LayoutMode,
  type ModelTextCstNode,
  type OdeTextCstNode,
  type ScriptCstNode,
  StrayBackslash,
  UnterminatedString,
} from '../../grammar/index.ts';
import type { Expr } from '../ast/index.ts';
import { ExprfitError, type SourceText } from '../core/index.ts';
import { getFunction } from '../functions/index.ts';
import { AstBuilder } from './build.ts';
import { checkCalls, type UserFunctionSignature } from './check-calls.ts';
import {
  errorMessageProvider,
  parseError,
  strayBackslash,
  unexpectedCharacter,
  unterminatedString,
  type LexProblem,
} from './errors.ts';
import { LineIndex } from './lines.ts';
import type { Equation, ModelAst, OdeEquation, Statement, UserFunction } from './statements.ts';

export interface ParseOptions {
  /** File name for error messages. */
  readonly file?: string;
  /**
   * Check calls against the builtin registry and the user functions: unknown functions and argument counts
   * (default true for `parseExpr` and `parseModel`).
   */
  readonly checkCalls?: boolean;
  /** Functions defined elsewhere that the text may call (besides the builtins). */
  readonly userFunctions?: readonly UserFunctionSignature[];
}

let sharedLexer: Lexer | undefined;
let sharedParser: ExprfitParser | undefined;

function lexer(): Lexer {
  // The grammar's self-checks run in test/grammar; skipping them here saves start-up time.
  return (sharedLexer ??= createLexer({ skipValidations: true }));
}
function parser(): ExprfitParser {
  return (sharedParser ??= new ExprfitParser({ errorMessageProvider, skipValidations: true }));
}

function optionsOf(fileOrOptions: string | ParseOptions | undefined): ParseOptions {
  return typeof fileOrOptions === 'string' ? { file: fileOrOptions } : (fileOrOptions ?? {});
}

function sourceOf(text: string, file: string | undefined): SourceText {
  return file === undefined ? { text } : { text, file };
}

function earlier(a: LexProblem | undefined, b: LexProblem): LexProblem {
  return a && a.offset <= b.offset ? a : b;
}

/** The longest text parsed (characters), checked before lexing. */
export const MAX_TEXT_LENGTH = 2_000_000;

/**
 * The most tokens (names, numbers, operators, brackets) parsed. Parsing holds about 1.6 KB per token at
 * its peak (the concrete syntax tree), so this bounds it near 1.3 GB; a 100,000-term sum
 * `p1*x^1 + p2*x^2 + ...` has 600,000 tokens.
 */
export const MAX_TOKENS = 800_000;

function tooLong(what: string, count: number, limit: number): ExprfitError {
  const n = (v: number) => v.toLocaleString('en-US');
  return new ExprfitError(
    'syntax',
    `the text is too long to parse: ${n(count)} ${what}, the limit is ${n(limit)}`,
    {
      hints: ['split the model into user functions or compute long sums from data arrays'],
    },
  );
}

/**
 * The deepest nesting of expressions accepted (parentheses, calls, unary signs, powers; a long sum or
 * product counts about 80 levels, see `chain` in ast/build.ts). Deeper trees would overflow the stack of
 * the recursive passes (simplify, differentiate, code generation).
 */
export const MAX_NESTING = 500;

const EXPR_KINDS: ReadonlySet<string> = new Set([
  'num',
  'sym',
  'unary',
  'binary',
  'call',
  'str',
  'array',
  'index',
]);

function isExprNode(v: object): v is Expr {
  return EXPR_KINDS.has((v as { kind?: unknown }).kind as string) && !Array.isArray(v);
}

/** Throws when an expression anywhere in `built` (an Expr, statements, a model) nests deeper than MAX_NESTING. */
function checkNesting(built: unknown, source: SourceText): void {
  // two parallel stacks (no object per visited value)
  const pending: unknown[] = typeof built === 'object' && built !== null ? [built] : [];
  const depths: number[] = [0];
  while (pending.length > 0) {
    const value = pending.pop() as object;
    const depth = depths.pop()!;
    const expr = isExprNode(value);
    const d = expr ? depth + 1 : depth;
    if (d > MAX_NESTING) {
      throw new ExprfitError(
        'syntax',
        `the expression is nested too deeply (more than ${MAX_NESTING} levels)`,
        {
          span: (value as Expr).span,
          source,
          hints: ['write deeply nested parts as separate user functions or simplify the expression'],
        },
      );
    }
    for (const child of Object.values(value)) {
      if (typeof child !== 'object' || child === null) continue;
      pending.push(child);
      depths.push(d);
    }
  }
}

/** Lex, lay out, parse with `rule`, then build with `build`; every failure becomes an ExprfitError. */
function run<C extends CstNode, T>(
  text: string,
  file: string | undefined,
  mode: LayoutMode,
  rule: (p: ExprfitParser) => CstNode,
  build: (cst: C, b: AstBuilder) => T,
): T {
  if (typeof text !== 'string') {
    throw new ExprfitError('usage', `expected text to parse, got ${text === null ? 'null' : typeof text}`);
  }
  const source = sourceOf(text, file);
  if (text.length > MAX_TEXT_LENGTH) throw tooLong('characters', text.length, MAX_TEXT_LENGTH);
  try {
    const lines = new LineIndex(text);
    const lexed = lexer().tokenize(text);
    if (lexed.tokens.length > MAX_TOKENS) throw tooLong('tokens', lexed.tokens.length, MAX_TOKENS);
    let problem: LexProblem | undefined;
    if (lexed.errors.length > 0) problem = unexpectedCharacter(lexed.errors[0].offset, lines, source);
    const tokens: IToken[] = [];
    for (const tok of lexed.tokens) {
      if (tok.tokenType === UnterminatedString)
        problem = earlier(problem, unterminatedString(tok, lines, source));
      else if (tok.tokenType === StrayBackslash)
        problem = earlier(problem, strayBackslash(tok, lines, source));
      else tokens.push(tok);
    }
    const laid = layout(tokens, mode);
    const p = parser();
    p.input = laid.tokens;
    const cst = rule(p);
    const failure = p.errors[0];
    if (failure) {
      const offset = failure.token.tokenType === EOF ? Infinity : failure.token.startOffset;
      if (!problem || offset < problem.offset) {
        throw parseError(failure, { source, lines, mode, tokens: laid.tokens, endsInside: laid.endsInside });
      }
    }
    if (problem) throw problem.error;
    const built = build(cst as C, new AstBuilder({ lines, source }));
    checkNesting(built, source);
    return built;
  } catch (e) {
    if (e instanceof ExprfitError) throw e;
    if (e instanceof RangeError) {
      throw new ExprfitError('syntax', 'the expression is nested too deeply', { source, cause: e });
    }
    const detail = e instanceof Error ? e.message : String(e);
    throw new ExprfitError('syntax', `internal error while parsing (please report it): ${detail}`, {
      source,
      cause: e,
    });
  }
}

/**
 * Parses one expression, e.g. `A*exp(-((x-x0)^2)/(2*s^2)) + c`. Line breaks are ordinary white space.
 * Calls are checked against the builtins (and `userFunctions`) unless `checkCalls: false`.
 * The second argument is a file name for messages, or options.
 */
export function parseExpr(text: string, fileOrOptions?: string | ParseOptions): Expr {
  const o = optionsOf(fileOrOptions);
  const expr = run<ExpressionCstNode, Expr>(
    text,
    o.file,
    'expression',
    (p) => p.expression(),
    (cst, b) => b.expression(cst),
  );
  if (o.checkCalls !== false) {
    checkCalls(expr, { userFunctions: o.userFunctions, source: sourceOf(text, o.file) });
  }
  return expr;
}

/**
 * Parses model text for the `fit()` API: equations `y = expr` and user functions `g(u, s) = expr`, separated
 * by line breaks or `;`, in any order. A bare expression is an error (name the data: `y = ...`).
 * Functions may call each other and are checked with the builtins (unless `checkCalls: false`).
 */
export function parseModel(text: string, fileOrOptions?: string | ParseOptions): ModelAst {
  const o = optionsOf(fileOrOptions);
  const source = sourceOf(text, o.file);
  const items = run<ModelTextCstNode, ReturnType<AstBuilder['assignmentOrExpression']>[]>(
    text,
    o.file,
    'model',
    (p) => p.modelText(),
    (cst, b) => (cst.children.assignmentOrExpression ?? []).map((n) => b.assignmentOrExpression(n, 'model')),
  );
  const equations: Equation[] = [];
  const functions: UserFunction[] = [];
  const defined = new Map<string, string>(); // name → what defines it
  const define = (name: string, what: string, span: Equation['span']) => {
    const before = defined.get(name);
    if (before) {
      throw new ExprfitError('syntax', `'${name}' is defined twice`, {
        span,
        source,
        hints: [`it is already ${before}`],
      });
    }
    defined.set(name, what);
  };
  for (const item of items) {
    switch (item.kind) {
      case 'expr': {
        const shown = text.slice(item.span.start, item.span.end);
        throw new ExprfitError('syntax', "expected an equation such as 'y = ...'", {
          span: item.span,
          source,
          hints: [`name the data the expression models: y = ${shown.length > 60 ? '...' : shown}`],
        });
      }
      case 'assign':
        define(item.targets[0], 'the left side of an equation', item.targetSpans[0]);
        equations.push({
          lhs: item.targets[0],
          lhsSpan: item.targetSpans[0],
          rhs: item.value,
          span: item.span,
        });
        break;
      case 'function': {
        if (getFunction(item.name)) {
          throw new ExprfitError('syntax', `'${item.name}' is a builtin function and cannot be redefined`, {
            span: item.nameSpan,
            source,
            hints: ['choose another name for your function'],
          });
        }
        define(item.name, 'a function', item.nameSpan);
        const { kind: _kind, ...fn } = item;
        functions.push(fn);
        break;
      }
    }
  }
  if (equations.length === 0) {
    throw new ExprfitError('syntax', 'the model has no equation', {
      source,
      hints: ['write an equation such as y = a*exp(-b*x) + c'],
    });
  }
  if (o.checkCalls !== false) {
    const userFunctions = [...functions, ...(o.userFunctions ?? [])];
    for (const f of functions) checkCalls(f.body, { userFunctions, source });
    for (const eq of equations) checkCalls(eq.rhs, { userFunctions, source });
  }
  return { equations, functions };
}

/**
 * Parses ODE model text for the API: derivatives `D(A, t) = -k*A`, initial values `A(0) = A0` and outputs
 * `y = A + B`, separated by line breaks or `;`. Their meaning (states defined, initial values given) is
 * checked by src/ode.
 */
export function parseOde(text: string, file?: string): OdeEquation[] {
  return run<OdeTextCstNode, OdeEquation[]>(
    text,
    file,
    'model',
    (p) => p.odeText(),
    (cst, b) => (cst.children.odeEquation ?? []).map((n) => b.odeEquation(n)),
  );
}

/**
 * Parses a `.fit` script (or several REPL statements) into statements. Calls are not checked here: the
 * interpreter knows the script functions (`linspace`, `load`, ...) and checks them with `checkCalls`.
 */
export function parseScript(text: string, file?: string): Statement[] {
  return run<ScriptCstNode, Statement[]>(
    text,
    file,
    'script',
    (p) => p.script(),
    (cst, b) => (cst.children.statement ?? []).map((s) => b.statement(s)),
  );
}

/**
 * Parses one REPL statement; `undefined` for a blank or comment-only line. Several statements (`a = 1; b = 2`)
 * are an error here: use `parseScript` for those.
 */
export function parseStatement(text: string, file?: string): Statement | undefined {
  const statements = parseScript(text, file);
  if (statements.length > 1) {
    throw new ExprfitError('syntax', 'expected a single statement', {
      span: statements[1].span,
      source: sourceOf(text, file),
    });
  }
  return statements[0];
}

/** True for the error of input that ended early (`A*exp(`): a REPL reads another line and tries again. */
export function isIncomplete(error: unknown): boolean {
  return error instanceof ExprfitError && error.code === 'incomplete';
}
