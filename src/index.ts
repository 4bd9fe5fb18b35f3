// Public API of exprfit. Modules add their exports here.
export { ExprfitError } from './syntax/span.ts';
export type { SourceSpan } from './syntax/span.ts';
export { NdArray, broadcastShapes } from './data/ndarray.ts';
export type { Expr } from './ast/expr.ts';
// Expressions: builders, printing, structural equality; builtins; the symbolic layer.
export * as build from './ast/build.ts';
export { printExpr } from './ast/print.ts';
export { exprEquals, hashExpr } from './ast/hash.ts';
export { getFunction, functionNames, CONSTANTS } from './functions/registry.ts';
export type { FunctionDef } from './functions/types.ts';
export {
  evaluate,
  differentiate,
  gradient,
  simplify,
  cse,
  inline,
  substitute,
  freeSymbols,
  dependsOn,
} from './symbolic/index.ts';
export type { UserFunction, UserFunctions, CseResult } from './symbolic/index.ts';
// .fit scripts: run or check a file, or drive an interpreter statement by statement (src/script).
export {
  runScript,
  checkScript,
  readScript,
  Interpreter,
  Evaluator,
  registerCommand,
  registerFunction,
  getScriptFunction,
  scriptFunctionNames,
  formatValue,
} from './script/index.ts';
export type {
  RunScriptOptions,
  RunScriptResult,
  InterpreterOptions,
  ParamEntry,
  CommandDef,
  ScriptFunction,
  Value,
} from './script/index.ts';
