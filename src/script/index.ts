/**
 * The `.fit` script language: run or check a script file, or drive an {@link Interpreter} statement by
 * statement (the REPL does). See docs/cli.md for the statements.
 *
 * Extension points: the statement table `STATEMENTS` (statements/index.ts; an interpreter may be given its own
 * with `new Interpreter({ statements })`), commands such as `spots` with `registerCommand`, array functions
 * with `registerFunction` (functions.ts).
 */
export { Interpreter } from './interpreter.ts';
export type {
  InterpreterOptions,
  InterpreterState,
  ParamEntry,
  ModelLine,
  FitRecord,
  StatementContext,
  StatementDef,
  StatementTable,
  StatementHandler,
  StatementHandlers,
  CommandDef,
  Checker,
} from './context.ts';
export { Evaluator, SCRIPT_CONSTANTS, type EvalScope } from './evaluate.ts';
export {
  registerFunction,
  getScriptFunction,
  scriptFunctionNames,
  type ScriptFunction,
  type CallContext,
} from './functions.ts';
export {
  STATEMENTS,
  STATEMENT_HANDLERS,
  registerCommand,
  getCommand,
  commandNames,
} from './statements/index.ts';
export { checkStatements, type CheckResult, type CheckOptions } from './check.ts';
export { formatValue, summarizeArray, formatScalar, type Value } from './values.ts';

export {
  readScript,
  parseScriptSource,
  runScript,
  checkScript,
  type RunScriptOptions,
  type RunScriptResult,
} from './run.ts';
