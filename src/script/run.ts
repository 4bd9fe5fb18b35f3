/**
 * Running and checking `.fit` files: read a script file (refusing binary and data files with a hint), parse it,
 * check it, run it statement by statement.
 */
import { basename, dirname, resolve } from 'node:path';
import { ExprfitError, type SourceText } from '../core/index.ts';
import { readBytes } from '../data/index.ts';
import type { FitResult } from '../fit/index.ts';
import { parseScript, type Statement } from '../syntax/index.ts';
import { checkStatements, type CheckResult } from './check.ts';
import type { InterpreterOptions } from './context.ts';
import { Interpreter } from './interpreter.ts';

/** Signatures of binary files that are often passed by mistake (data files of a script). */
const BINARY_KINDS: readonly [bytes: readonly number[], what: string][] = [
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (.npz?)'],
  [[0x49, 0x49, 0x2a, 0x00], 'a TIFF image'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'a TIFF image'],
  [[0x1f, 0x8b], 'a gzip file'],
];

/** Names of data files: a script that fails to parse under such a name was likely given one by mistake. */
const DATA_EXTENSIONS = /\.(csv|tsv|json|npy|npz|png|tiff?|fits(\.gz)?)$/i;

/** The text of `bytes`, or what binary content they look like (NUL bytes, not UTF-8, a known signature). */
function decodeScript(bytes: Uint8Array): { text: string } | { binary: string } {
  for (const [sig, what] of BINARY_KINDS) {
    if (sig.every((b, i) => bytes[i] === b)) return { binary: what };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { binary: 'binary data' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { binary: 'binary data (not UTF-8 text)' };
  }
}

/** Reads a script file; a missing file, a folder or a binary file is an `io` ExprfitError. */
export async function readScript(file: string): Promise<SourceText> {
  // readBytes refuses devices (`exprfit run /dev/zero` would never end) and bounds what a pipe may send
  const bytes = await readBytes(file);
  const decoded = decodeScript(bytes);
  if ('binary' in decoded) {
    throw new ExprfitError('io', `${file}: not a text .fit file (it looks like ${decoded.binary})`, {
      hints: [`a data file is read by a script: data "file.csv", or img = load("${basename(file)}")`],
    });
  }
  let text = decoded.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, file };
}

/**
 * Parses a script read by {@link readScript}. A syntax error in a file named like a data file (`decay.csv`)
 * says that the file is probably data, not a script.
 */
export function parseScriptSource(source: SourceText, display: string = source.file ?? ''): Statement[] {
  try {
    return parseScript(source.text, display);
  } catch (err) {
    if (err instanceof ExprfitError && DATA_EXTENSIONS.test(display)) {
      throw err.placed(err.span, err.source, [
        `${basename(display)} looks like a data file, not a .fit script: read it from a script with data "${basename(display)}" or load("${basename(display)}")`,
      ]);
    }
    throw err;
  }
}

export interface RunScriptOptions extends Omit<InterpreterOptions, 'baseDir'> {
  /** Skip the static check before running (it is on by default). */
  readonly noCheck?: boolean;
  /** The script's text, when it does not come from `file` (`exprfit run -`); `file` then names it in messages. */
  readonly source?: SourceText;
}

export interface RunScriptResult {
  readonly fits: readonly FitResult[];
  /** Fits that ended without converging. */
  readonly unconverged: number;
  /** Fits that converged to a result with warnings (parameters not determined, ...) not accepted. */
  readonly untrusted: number;
  readonly interpreter: Interpreter;
}

/**
 * Runs a `.fit` file: parses it all, checks its names, then runs the statements in order. Relative file
 * names in the script resolve against the script's folder. Throws the first error (an ExprfitError with
 * file, line and column); results written before it are complete files (every write is atomic).
 */
export async function runScript(file: string, options: RunScriptOptions = {}): Promise<RunScriptResult> {
  const source = options.source ?? (await readScript(file));
  const statements = parseScriptSource(source);
  const baseDir = dirname(resolve(file));
  if (!options.noCheck) {
    const overrides = options.overrides?.keys();
    await checkStatements(statements, source, { baseDir, overrides, statements: options.statements });
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
  return {
    fits: interp.fits,
    unconverged: interp.unconverged,
    untrusted: interp.untrusted,
    interpreter: interp,
  };
}

/** Parses and checks a `.fit` file without fitting (`exprfit check`). */
export async function checkScript(file: string, overrides?: Iterable<string>): Promise<CheckResult> {
  const source = await readScript(file);
  const statements = parseScriptSource(source);
  return checkStatements(statements, source, { baseDir: dirname(resolve(file)), overrides });
}
