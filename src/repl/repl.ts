/**
 * `exprfit repl`: a {@link Session} on node:repl. On a terminal: prompt, Tab completion, history in
 * ~/.exprfit_history, colours (unless NO_COLOR). With piped input: no prompts, and lines are fed to the REPL one
 * at a time, each after the previous one has finished (node:repl would otherwise run asynchronous statements
 * such as `data` or `save` concurrently with the lines after them).
 *
 * Multi-line input: while the parser reports incomplete input (`model y = a*exp(`), the REPL keeps reading.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ReadStream } from 'node:tty';
import { createInterface } from 'node:readline';
import repl, { type REPLCommand, type REPLServer } from 'node:repl';
import { describeError, formatWarning, styleFor, useColor, type Stream } from './style.ts';
import { closestMatches, ExprfitError } from '../core/index.ts';
import { REPL_COMMANDS } from '../script/node.ts';
import { makeCompleter } from './completer.ts';
import { Session } from './session.ts';
import { progressLine } from './progress.ts';

export interface ReplOptions {
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream & Stream;
  readonly errorOutput?: Stream;
  /** Use the history file (on a terminal only). Default true. */
  readonly history?: boolean;
  /** Treat the input as a terminal (default: whether it is one). */
  readonly terminal?: boolean;
}

/** The history file: $EXPRFIT_HISTORY, or ~/.exprfit_history; '' disables it. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EXPRFIT_HISTORY !== undefined) return env.EXPRFIT_HISTORY;
  return join(homedir(), '.exprfit_history');
}

const PROMPT = 'exprfit> ';

/** `.foo`: not a command of exprfit's REPL; the hint names the closest one (`.quit` → `:quit`). */
function unknownDotCommand(keyword: string): ExprfitError {
  const names = Object.keys(REPL_COMMANDS).map((c) => c.slice(1));
  const close = names.includes(keyword) ? [keyword] : closestMatches(keyword, names);
  return new ExprfitError('usage', `.${keyword} is not an exprfit command`, {
    hints: [
      close.length
        ? `did you mean ':${close[0]}'?`
        : `the commands are ${Object.keys(REPL_COMMANDS).join(', ')}`,
    ],
  });
}

/**
 * node:repl answers an unknown `.foo` with its own "Invalid REPL keyword" and goes on as if nothing was wrong;
 * it looks keywords up in `server.commands`, so a table that answers every unknown keyword routes them to
 * `reject` (an exprfit error that counts).
 */
function rejectUnknownDotCommands(server: REPLServer, reject: (keyword: string) => void): void {
  const table = server.commands as Record<string, REPLCommand | undefined>;
  const answering = new Proxy(table, {
    get: (t, key) =>
      typeof key !== 'string' || Object.hasOwn(t, key)
        ? t[key as string]
        : { help: '', action: () => reject(key) },
  });
  (server as { commands: unknown }).commands = answering;
}

/**
 * While a statement runs, Ctrl-C on the terminal sends SIGINT (raw mode off, as in Node's own REPL), which
 * interrupts the statement (src/repl/interrupt.ts); a SIGINT that arrives while it waits for I/O is ignored
 * rather than ending the process.
 */
async function withCtrlC<T>(input: ReplOptions['input'], run: () => Promise<T>): Promise<T> {
  const tty = input as Partial<Pick<ReadStream, 'isRaw' | 'setRawMode'>> | undefined;
  const raw = tty?.isRaw === true && typeof tty.setRawMode === 'function';
  const ignore = (): void => {};
  if (raw) tty.setRawMode!(false);
  if (input) process.on('SIGINT', ignore);
  try {
    return await run();
  } finally {
    if (input) process.off('SIGINT', ignore);
    if (raw) tty.setRawMode!(true);
  }
}

/**
 * Runs a REPL until Ctrl-D, `:quit` or the end of piped input. Resolves with the exit status: 0, or 2 when
 * piped input had errors.
 */
export async function startRepl(options: ReplOptions = {}): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const errorOutput = options.errorOutput ?? process.stderr;
  const terminal = options.terminal ?? input.isTTY === true;
  const errStyle = styleFor(errorOutput);
  const write = (s: Stream, t: string) => s.write(t.endsWith('\n') ? t : `${t}\n`);

  // a terminal shows the progress of long statements on one line, erased before the next output
  const bar = terminal ? progressLine(errorOutput, 1000) : undefined;
  const cleared =
    <T>(f: (t: T) => void) =>
    (t: T) => {
      bar?.clear();
      f(t);
    };
  const session = new Session({
    interruptible: terminal,
    out: cleared((t) => write(output, t)),
    error: cleared((e) => write(errorOutput, describeError(e, errStyle, false))),
    warn: cleared((t) => write(errorOutput, formatWarning(t, errStyle))),
    ...(bar ? { onProgress: bar.update } : {}),
  });

  // piped input: feed lines one at a time
  let feed: PassThrough | undefined;
  if (!terminal) feed = new PassThrough();

  let quit = false;
  // Evaluations run one after another, and multi-line input is collected here rather than with node:repl's
  // Recoverable errors: lines that arrive while a statement runs (a paste, or piped input) are queued, and a
  // line must not be taken as a new statement before the previous one has said it is incomplete.
  let busy: Promise<void> = Promise.resolve();
  let buffer = '';
  let interrupts = 0;
  const server: REPLServer = repl.start({
    prompt: terminal ? PROMPT : '',
    input: feed ?? (input as NodeJS.ReadableStream),
    output,
    terminal,
    useColors: terminal && useColor(output),
    ignoreUndefined: true,
    completer: makeCompleter(session.interp, session.baseDir),
    eval: (cmd, _context, _file, callback) => {
      const seen = interrupts;
      busy = busy.then(async () => {
        if (quit) return;
        // a command (:help, :quit) is never the continuation of a statement
        if (/^\s*:/.test(cmd)) buffer = '';
        const text = buffer + cmd;
        const outcome = await withCtrlC(terminal ? input : undefined, () => session.handle(text));
        buffer = outcome === 'incomplete' && seen === interrupts ? text : '';
        if (outcome === 'quit') {
          quit = true;
          server.close();
          return;
        }
        callback(null, undefined);
      });
    },
  });
  // Ctrl-C and .break drop a half-typed statement
  server.on('SIGINT', () => {
    interrupts++;
    buffer = '';
    session.pending = undefined;
  });
  const breakCommand = server.commands.break;
  server.defineCommand('break', {
    help: breakCommand?.help ?? 'drop the statement being typed',
    action() {
      buffer = '';
      session.pending = undefined;
      server.displayPrompt();
    },
  });
  if (terminal) {
    // `exprfit> ` for a new statement, `... ` while one continues
    server.displayPrompt = (preserveCursor?: boolean) => {
      server.setPrompt(buffer ? '... ' : PROMPT);
      server.prompt(preserveCursor);
    };
  }
  // node's JavaScript commands make no sense here: `.load FILE` is `:load FILE`; the others are errors that
  // name the exprfit commands (and count, so that piped input with them exits with status 2)
  server.defineCommand('load', {
    help: 'run a .fit script in the session (same as :load)',
    action(file: string) {
      void session.handle(`:load ${file}`).then(() => server.displayPrompt());
    },
  });
  const rejectDotCommand = (keyword: string): void => {
    session.errors++;
    write(errorOutput, describeError(unknownDotCommand(keyword), errStyle, false));
    server.displayPrompt();
  };
  for (const c of ['save', 'editor', 'clear']) {
    server.defineCommand(c, {
      help: `not available (exprfit commands start with ':'; see :help)`,
      action: () => rejectDotCommand(c),
    });
  }
  rejectUnknownDotCommands(server, rejectDotCommand);
  server.defineCommand('help', {
    help: 'exprfit help (same as :help)',
    action(topic: string) {
      void session.handle(`:help ${topic}`).then(() => server.displayPrompt());
    },
  });

  if (terminal && options.history !== false) {
    const path = historyPath();
    if (path) {
      await new Promise<void>((done) => server.setupHistory(path, () => done()));
    }
  }

  const closed = new Promise<void>((done) => server.on('exit', () => done()));

  if (feed) {
    const target = feed;
    const lines: string[] = [];
    let ended = false;
    let waiting = true; // the REPL is ready for a line
    const pump = (): void => {
      if (!waiting || quit) return;
      const next = lines.shift();
      if (next !== undefined) {
        waiting = false;
        target.write(`${next}\n`);
      } else if (ended) {
        waiting = false;
        if (session.pending) {
          session.errors++;
          write(errorOutput, describeError(session.pending, errStyle, false));
          session.pending = undefined;
        }
        server.close();
      }
    };
    // node:repl shows the prompt when it is ready for the next line
    server.displayPrompt = () => {
      waiting = true;
      setImmediate(pump);
    };
    const rl = createInterface({
      input: input as NodeJS.ReadableStream,
      crlfDelay: Infinity,
      terminal: false,
    });
    rl.on('line', (l) => {
      lines.push(l);
      pump();
    });
    rl.on('close', () => {
      ended = true;
      pump();
    });
  }

  await closed;
  await busy;
  await session.close();
  if (terminal) output.write('\n');
  return !terminal && session.errors > 0 ? 2 : 0;
}
