/**
 * The `exprfit` command line (commander): run, check, repl, eval, diff. Bundled into dist/cli.js; bin/exprfit.js
 * calls {@link main}. Heavy modules (the script interpreter, the fit, data readers, plots) are imported only by
 * the commands that need them, so `exprfit eval '1+1'` starts fast.
 *
 * Exit status: 0 success (all fits converged); 3 a fit ended without converging; 2 bad input, usage or file
 * errors; 1 an internal error (a bug). No stack traces unless --debug.
 */
import { ExprfitError, type SourceText } from '../core/index.ts';
import { describeError, formatWarning, progressLine, type Stream, styleFor } from '../repl/index.ts';
import { createRequire } from 'node:module';
import type { Command as CommandType, CommanderError as CommanderErrorType } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { spotsCommand } from './spots.ts';
import { serveCommand } from './serve.ts';

// commander is CommonJS: loaded with require at run time rather than bundled (an ESM bundle of it fails on
// its `require('node:events')`).
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');
const { Command, CommanderError, Option } = commander;
type Command = CommandType;
type CommanderError = CommanderErrorType;

export const EXIT = { ok: 0, internal: 1, input: 2, notConverged: 3 } as const;

/** Where a command writes; tests pass their own. */
type ScriptInput = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface Io {
  readonly stdout: Stream;
  readonly stderr: Stream;
  /** Where `exprfit run -` reads the script (default: process.stdin). */
  readonly stdin?: ScriptInput;
}

const STDIN_NAME = '<stdin>';

/**
 * The most bytes read as a script from stdin: the parser takes at most 2,000,000 characters
 * (`MAX_TEXT_LENGTH`, syntax/parse.ts) of up to 4 UTF-8 bytes each. Without it `exprfit run - < /dev/zero`
 * read until memory ran out.
 */
const MAX_STDIN_BYTES = 8_000_000;

/** The script text of `exprfit run -`, named `<stdin>`; scripts read their data relative to the working folder. */
async function readStdinScript(stdin: ScriptInput): Promise<SourceText> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of stdin) {
    const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c;
    total += bytes.length;
    if (total > MAX_STDIN_BYTES) {
      throw new ExprfitError('io', `${STDIN_NAME}: more than ${MAX_STDIN_BYTES} bytes: not a .fit script`);
    }
    chunks.push(bytes);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    return { text: text.replace(/^\uFEFF/, ''), file: STDIN_NAME };
  } catch (e) {
    throw new ExprfitError('io', `${STDIN_NAME}: not a text .fit script (not UTF-8)`, { cause: e });
  }
}

function line(stream: Stream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const SET_HINT =
  'write --set NAME=VALUE with a number or an expression of numbers, e.g. --set A=100 or --set s=2*pi';

/** `--set name=value` values: numbers (expressions of numbers allowed, e.g. 2*pi). */
async function parseOverrides(list: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!list.length) return out;
  const { numberScope, parseAssignments } = await import('./calc.ts');
  const { parseExpr } = await import('../syntax/index.ts');
  const { evaluate } = await import('../symbolic/index.ts');
  const pairs = parseAssignments(list, (a) => `--set ${a}`, SET_HINT);
  for (let k = 0; k < pairs.length; k++) {
    const [name, text] = pairs[k];
    let v: number;
    try {
      v = evaluate(parseExpr(text), numberScope());
    } catch (err) {
      if (err instanceof ExprfitError) {
        // e.g. "unknown name 'abc'": the value must be made of numbers only
        throw new ExprfitError(
          'usage',
          `--set ${list[k]}: the value '${text}' is not a number: ${err.message}`,
          {
            hints: [SET_HINT],
          },
        );
      }
      throw err;
    }
    out.set(name, v);
  }
  return out;
}

const RUN_EXAMPLES = `
Examples:
  $ exprfit run examples/quickstart.fit
  $ exprfit run decay.fit --json > result.json
  $ exprfit run gauss.fit --quiet --set A=120 --set s=2.5

Output: print and report go to stdout; notes (files written, fit summaries) to stderr.
With --json, stdout holds only {"fits": [result, ...]} (print and report go to stderr).
Exit status: 0 all fits converged, 3 a fit did not converge or converged with a warning
(a parameter not determined by the data, ...; --allow-warnings accepts those), its result
still saved and reported; 2 bad input, usage or file errors.`;

interface RunFlags {
  json?: boolean;
  quiet?: boolean;
  allowWarnings?: boolean;
  set?: string[];
}

export function buildProgram(io: Io, state: { debug: boolean }): Command {
  const program = new Command();
  const err = styleFor(io.stderr);
  program
    .name('exprfit')
    .description('Fit models written as math expressions to data of any dimension.')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('--debug', 'show stack traces of errors')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error:/, err.red(err.bold('error:')))),
    })
    .exitOverride()
    .on('option:debug', () => {
      state.debug = true;
    })
    .addHelpText(
      'after',
      `
Examples:
  $ exprfit run examples/quickstart.fit      run a .fit script
  $ exprfit check model.fit                  check a script without fitting
  $ exprfit repl                             interactive session
  $ exprfit eval 'a*exp(-k*t)' a=2 k=0.5 t=1 evaluate an expression
  $ exprfit diff 'a*exp(-k*t)' k             symbolic derivative
  $ exprfit serve examples/decay.fit         explore a fit in the browser

Documentation: docs/cli.md (commands, REPL, .fit statements), docs/language.md (expressions), docs/web.md (the page).`,
    );

  program
    .command('run')
    .description('run a .fit script: fit, report, save and plot as it says')
    .argument('<file>', "the .fit script ('-': read it from stdin)")
    .option('--json', 'print {"fits": [result, ...]} on stdout and nothing else there')
    .option('-q, --quiet', 'no notes (files written, fit summaries) on stderr')
    .option(
      '--allow-warnings',
      'accept fits that converged with warnings (parameters not determined by the data): exit 0, not 3',
    )
    .addOption(
      new Option(
        '--set <name=value>',
        'override a parameter start value or a variable (repeatable)',
      ).argParser(collect),
    )
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (file: string, opts: RunFlags) => {
      const overrides = await parseOverrides(opts.set ?? []);
      const { runScript } = await import('../script/node.ts');
      const json = !!opts.json;
      const quiet = !!opts.quiet;
      const stdin = file === '-' ? await readStdinScript(io.stdin ?? process.stdin) : undefined;
      const bar = !quiet && io.stderr.isTTY === true ? progressLine(io.stderr, 1000) : undefined;
      const shown = (write: (t: string) => void) => (t: string) => {
        bar?.clear();
        write(t);
      };
      const res = await runScript(stdin ? STDIN_NAME : file, {
        ...(stdin ? { source: stdin } : {}),
        overrides,
        out: shown((t) => (json ? !quiet && line(io.stderr, t) : line(io.stdout, t))),
        info: shown((t) => !quiet && line(io.stderr, t)),
        warn: shown((t) => line(io.stderr, formatWarning(t, err))),
        allowWarnings: !!opts.allowWarnings,
        ...(bar ? { onProgress: bar.update } : {}),
      }).finally(() => bar?.clear());
      if (json) line(io.stdout, JSON.stringify({ fits: res.fits.map((f) => f.toJSON()) }, null, 2));
      process.exitCode = res.unconverged + res.untrusted > 0 ? EXIT.notConverged : EXIT.ok;
    });

  program
    .command('check')
    .description('parse a .fit script and resolve its names without fitting (for editors and CI)')
    .argument('<file>', 'the .fit script')
    .option(
      '-q, --quiet',
      'print nothing when the script is fine (no notes either); errors still go to stderr',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ exprfit check examples/gauss2d.fit
  $ for f in *.fit; do exprfit check "$f" || exit 1; done

Reads the files named by data statements (for their column names), nothing else.
Exit status: 0 fine, 2 a problem (printed with file, line, column and a caret).`,
    )
    .action(async (file: string, opts: { quiet?: boolean }) => {
      const { checkScript } = await import('../script/node.ts');
      const res = await checkScript(file);
      if (!opts.quiet) {
        for (const n of res.notes) line(io.stderr, `note: ${n}`);
        line(
          io.stdout,
          `${file}: ok (${res.statements} statements, ${res.fits} fit${res.fits === 1 ? '' : 's'})`,
        );
      }
      process.exitCode = EXIT.ok;
    });

  program
    .command('repl')
    .description('interactive session: every .fit statement, bare expressions print their value')
    .option('--no-history', 'do not read or write the history file (~/.exprfit_history)')
    .addHelpText(
      'after',
      `
Examples:
  $ exprfit repl
  exprfit> x = linspace(0, 10, 50)
  exprfit> y = 3*exp(-0.4*x) + 1
  exprfit> model y = a*exp(-k*x) + c
  exprfit> fit
  exprfit> :help fit
  $ exprfit repl < session.txt                piped input works (no prompts are printed)

Commands: :help [name], :vars, :params, :load FILE.fit, :reset, :quit (or Ctrl-D).
History: ~/.exprfit_history on a terminal (EXPRFIT_HISTORY=path to move it, '' to disable).`,
    )
    .action(async (opts: { history?: boolean }) => {
      const { startRepl } = await import('../repl/node.ts');
      process.exitCode = await startRepl({ history: opts.history !== false });
    });

  program
    .command('eval')
    .description('evaluate an expression (full double precision)')
    .argument('<expr>', 'the expression')
    .argument('[assignments...]', 'values of names: a=1 x=2')
    .allowUnknownOption()
    .addHelpText(
      'after',
      `
Examples:
  $ exprfit eval '1+1'
  $ exprfit eval 'a*exp(-k*t)' a=2 k=0.5 t=1
  $ exprfit eval 'erf(x)/x' x=1e-8
  $ exprfit eval 'sum(linspace(0, 1, 11))'
  $ exprfit eval -- '-x^2' x=3              (-- before an expression that starts with -)`,
    )
    .action(async (expr: string, assignments: string[]) => {
      const { evalCommand } = await import('./calc.ts');
      line(io.stdout, await evalCommand(expr, assignments));
      process.exitCode = EXIT.ok;
    });

  program
    .command('diff')
    .description('symbolic derivative of an expression, simplified')
    .argument('<expr>', 'the expression')
    .argument('<name>', 'the name to differentiate by')
    .allowUnknownOption()
    .addHelpText(
      'after',
      `
Examples:
  $ exprfit diff 'a*exp(-k*t)' k             prints -(a*t*exp(-k*t)) or an equal form
  $ exprfit diff 'sin(x)^2' x
  $ exprfit diff '-a^2' a                    (an expression may start with -; -- before it works too)`,
    )
    .action(async (expr: string, name: string) => {
      const { diffCommand } = await import('./calc.ts');
      line(io.stdout, diffCommand(expr, name));
      process.exitCode = EXIT.ok;
    });

  program.addCommand(spotsCommand(io, program));
  program.addCommand(serveCommand(io, program));
  return program;
}

/**
 * A closed pipe (`exprfit run x.fit | head -1`, `exprfit --help | head`) ends the process quietly: the reader
 * wanted no more output, so there is nothing to report (status 0, or the status already set). Other write
 * errors of stdout or stderr are reported in one line (status 1), never with a stack trace.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream, name: string): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
    }
    try {
      if (stream !== process.stderr) process.stderr.write(`error: cannot write to ${name}: ${err.message}\n`);
    } finally {
      process.exit(EXIT.internal);
    }
  });
}

/** Runs the CLI with `argv` (without `node` and the script). Sets `process.exitCode`; never throws. */
export async function main(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  exitQuietlyOnBrokenPipe(process.stdout, 'stdout');
  exitQuietlyOnBrokenPipe(process.stderr, 'stderr');
  const state = { debug: argv.includes('--debug') };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit with 0; usage errors (already printed by commander) with 2
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.input;
      return;
    }
    line(io.stderr, describeError(e, styleFor(io.stderr), state.debug));
    process.exitCode = e instanceof ExprfitError ? EXIT.input : EXIT.internal;
  }
}
