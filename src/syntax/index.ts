/**
 * Text → AST for exprfit: expressions, model text and `.fit` scripts / REPL lines.
 * See docs/language.md for the language and docs/architecture.md for the contracts.
 */
export {
  parseExpr,
  parseModel,
  parseOde,
  parseScript,
  parseStatement,
  isIncomplete,
  type ParseOptions,
} from './parse.ts';
export { checkCalls, type CheckCallsOptions, type UserFunctionSignature } from './check-calls.ts';
export { didYouMean, closestMatches, editDistance } from '../core/suggest.ts';
export { LineIndex } from './lines.ts';
export { ExprfitError, spanAt, type ErrorCode, type SourceSpan, type SourceText } from '../core/errors.ts';
export type * from './statements.ts';
export { COMMAND_KEYWORDS, RESERVED_WORDS, STATEMENT_KEYWORDS } from '../../grammar/tokens.ts';
