/**
 * The `.fit` script language: run or check a script file, or drive an {@link Interpreter} statement by
 * statement (the REPL does). See docs/cli.md for the statements.
 *
 * Extension points: statement kinds in `STATEMENT_HANDLERS` (statements.ts), commands such as `spots` with
 * `registerCommand`, array functions with `registerFunction` (functions.ts).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseScript } from '../syntax/parse.ts';
import { ExprfitError, type SourceText } from '../syntax/span.ts';
import type { FitResult } from '../fit/result.ts';
import { checkStatements, type CheckResult } from './check.ts';
import { Interpreter, type InterpreterOptions } from './interpreter.ts';

export { Interpreter } from './interpreter.ts';
export type {
  InterpreterOptions,
  ParamEntry,
  ModelLine,
  FitRecord,
  StatementContext,
  StatementHandler,
  StatementHandlers,
} from './interpreter.ts';
export { Evaluator, SCRIPT_CONSTANTS, type EvalScope } from './evaluate.ts';
export {
  registerFunction,
  getScriptFunction,
  scriptFunctionNames,
  type ScriptFunction,
  type CallContext,
} from './functions.ts';
export {
  STATEMENT_HANDLERS,
  registerCommand,
  getCommand,
  commandNames,
  type CommandDef,
} from './statements.ts';
export { checkStatements, type CheckResult, type CheckOptions } from './check.ts';
export { formatValue, summarizeArray, formatScalar, type Value } from './values.ts';

/** Reads a script file; a missing file is an `io` ExprfitError. */
export async function readScript(file: string): Promise<SourceText> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : 'cannot read it';
    throw new ExprfitError('io', `${file}: ${why}`, { cause: err });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, file };
}

export interface RunScriptOptions extends Omit<InterpreterOptions, 'baseDir'> {
  /** Skip the static check before running (it is on by default). */
  readonly noCheck?: boolean;
}

export interface RunScriptResult {
  readonly fits: readonly FitResult[];
  /** Fits that ended without converging. */
  readonly unconverged: number;
  readonly interpreter: Interpreter;
}

/**
 * Runs a `.fit` file: parses it all, checks its names, then runs the statements in order. Relative file
 * names in the script resolve against the script's folder. Throws the first error (an ExprfitError with
 * file, line and column); results written before it are complete files (every write is atomic).
 */
export async function runScript(file: string, options: RunScriptOptions = {}): Promise<RunScriptResult> {
  const source = await readScript(file);
  const statements = parseScript(source.text, source.file);
  const baseDir = dirname(resolve(file));
  if (!options.noCheck) {
    await checkStatements(statements, source, { baseDir, overrides: options.overrides?.keys() });
  }
  const interp = new Interpreter({ ...options, baseDir });
  const ctx = interp.context(source, baseDir);
  for (const s of statements) await interp.execute(s, ctx);
  for (const name of interp.overrides.keys()) {
    if (!interp.usedOverrides.has(name)) {
      throw new ExprfitError(
        'usage',
        `--set ${name}: the script neither assigns '${name}' nor declares it with 'param'`,
      );
    }
  }
  return { fits: interp.fits, unconverged: interp.unconverged, interpreter: interp };
}

/** Parses and checks a `.fit` file without fitting (`exprfit check`). */
export async function checkScript(file: string, overrides?: Iterable<string>): Promise<CheckResult> {
  const source = await readScript(file);
  const statements = parseScript(source.text, source.file);
  return checkStatements(statements, source, { baseDir: dirname(resolve(file)), overrides });
}
