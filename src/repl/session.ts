/**
 * A REPL session without the terminal: an interpreter plus the `:commands`. `handle(text)` runs one input
 * (a statement, several separated by `;`, or a command) and says whether the input was incomplete (the REPL
 * then reads another line and calls it again with both).
 */
import { dirname, resolve } from 'node:path';
import { closestMatches, ExprfitError } from '../core/index.ts';
import { describeValueShort, formatScalar, showPathAsWritten } from '../script/index.ts';
import {
  checkStatements,
  helpOn,
  Interpreter,
  overview,
  parseScriptSource,
  readScript,
  REPL_COMMANDS,
} from '../script/node.ts';
import { isIncomplete, parseScript } from '../syntax/index.ts';
import { runInterruptible } from './interrupt.ts';
import { guessText } from './guess.ts';

export type Outcome = 'ok' | 'incomplete' | 'error' | 'quit' | 'interrupted';

export interface SessionOptions {
  /** Values, reports, help. */
  readonly out: (text: string) => void;
  /** Error messages (with caret). */
  readonly error: (err: unknown) => void;
  /** Warnings. */
  readonly warn?: (text: string) => void;
  /** Folder for relative file names (default: the current folder). */
  readonly baseDir?: string;
  /** A SIGINT (Ctrl-C) stops the running input, which then says "interrupted" (default false). */
  readonly interruptible?: boolean;
  /** Progress of long statements (the interpreter option onProgress). */
  readonly onProgress?: (unit: string, done: number, total: number) => void;
}

export class Session {
  readonly interp: Interpreter;
  readonly baseDir: string;
  /** The page's server of `:serve`. */
  private web?: { readonly url: string; close(): Promise<void> };
  /** Errors reported so far. */
  errors = 0;
  /** The last incomplete-input error, while more input is awaited. */
  pending?: ExprfitError;

  constructor(private readonly options: SessionOptions) {
    this.baseDir = options.baseDir ?? process.cwd();
    this.interp = new Interpreter({
      baseDir: this.baseDir,
      out: options.out,
      info: options.out,
      warn: options.warn ?? options.out,
      interactive: true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  }

  private fail(err: unknown): Outcome {
    this.errors++;
    this.options.error(err);
    return 'error';
  }

  /** Runs one input. Never throws. */
  async handle(input: string): Promise<Outcome> {
    const text = input.replace(/\r?\n$/, '');
    this.pending = undefined;
    if (/^\s*:/.test(text)) return this.interruptible(() => this.command(text.trim()));
    let statements;
    try {
      statements = parseScript(text);
    } catch (err) {
      if (isIncomplete(err)) {
        this.pending = err as ExprfitError;
        return 'incomplete';
      }
      return this.fail(err);
    }
    const ctx = this.interp.context({ text }, this.baseDir);
    return this.interruptible(async () => {
      for (const s of statements) await this.interp.execute(s, ctx);
      return 'ok';
    });
  }

  /** Runs a command or statements so that Ctrl-C (SIGINT) stops them; the session goes on. */
  private async interruptible(run: () => Promise<Outcome>): Promise<Outcome> {
    try {
      if (!this.options.interruptible) return await run();
      const r = await this.withSignal(() => runInterruptible(run));
      if (r !== 'interrupted') return r.value;
      (this.options.warn ?? this.options.out)('interrupted');
      return 'interrupted';
    } catch (err) {
      return this.fail(err);
    }
  }

  /**
   * Runs `run` with a signal that Ctrl-C aborts: work that waits for worker threads (the event loop free, where
   * the watchdog of runInterruptible does not reach) stops at its next unit and returns what it has.
   */
  private async withSignal<T>(run: () => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    process.on('SIGINT', abort);
    this.interp.signal = controller.signal;
    try {
      return await run();
    } finally {
      process.off('SIGINT', abort);
      this.interp.signal = undefined;
    }
  }

  private async command(text: string): Promise<Outcome> {
    const m = /^:(\w*)\s*(.*)$/s.exec(text)!;
    const name = m[1];
    const arg = m[2].trim();
    const out = this.options.out;
    switch (name) {
      case 'help':
      case 'h':
      case '?': {
        if (!arg) {
          out(overview(this.interp.table));
          return 'ok';
        }
        const h = arg.startsWith(':') ? {} : helpOn(arg, this.interp.table);
        const cmd = REPL_COMMANDS[arg.startsWith(':') ? arg : `:${arg}`];
        if (h.text) out(h.text);
        else if (cmd) out(cmd);
        else throw new ExprfitError('usage', `no help for '${arg}'`, { hints: h.hint ? [h.hint] : [] });
        return 'ok';
      }
      case 'vars':
        out(this.varsText());
        return 'ok';
      case 'params':
        out(this.paramsText());
        return 'ok';
      case 'load':
        return this.load(arg);
      case 'guess':
        out(await guessText(this.interp));
        return 'ok';
      case 'reset':
        this.interp.reset();
        out('session reset');
        return 'ok';
      case 'quit':
      case 'exit':
      case 'q':
        return 'quit';
      case 'serve':
        return this.serve();
      default: {
        const close = closestMatches(`:${name}`, Object.keys(REPL_COMMANDS));
        throw new ExprfitError('usage', `unknown command ':${name}'`, {
          hints: [
            close.length
              ? `did you mean '${close[0]}'?`
              : `the commands are ${Object.keys(REPL_COMMANDS).join(', ')}`,
          ],
        });
      }
    }
  }

  /** `:serve`: the session's model, data and parameters on a web page (a new server each time). */
  private async serve(): Promise<Outcome> {
    const { interpreterSession } = await import('../web/node.ts');
    const { startServer } = await import('../web/node.ts');
    const session = await interpreterSession(this.interp, 'REPL session');
    await this.close();
    this.web = await startServer({ session });
    this.options.out(`the session is on ${this.web.url} (until :serve again or :quit)`);
    return 'ok';
  }

  /** Stops the `:serve` page's server, if any. */
  async close(): Promise<void> {
    await this.web?.close();
    this.web = undefined;
  }

  /** `:load FILE.fit`: checks the script against this session's names, then runs it here. */
  private async load(arg: string): Promise<Outcome> {
    const file = arg.replace(/^"(.*)"$/, '$1');
    if (!file) throw new ExprfitError('usage', ':load needs a file name, e.g. :load examples/decay.fit');
    const path = resolve(this.baseDir, file);
    let source;
    try {
      source = await readScript(path);
    } catch (err) {
      // name the file as typed, not the absolute path
      throw showPathAsWritten(err, path, file);
    }
    const display = file;
    const src = { text: source.text, file: display };
    const statements = parseScriptSource(src, display);
    const dir = dirname(path);
    const check = { baseDir: dir, session: this.interp, statements: this.interp.table };
    await checkStatements(statements, src, check);
    const ctx = this.interp.context(src, dir);
    for (const s of statements) await this.interp.execute(s, ctx);
    return 'ok';
  }

  varsText(): string {
    const digits = 6;
    const width = Math.max(0, ...[...this.interp.variables.keys()].map((k) => k.length));
    const rows = [...this.interp.variables].map(
      ([k, v]) => `  ${k.padEnd(width)}  ${describeValueShort(v, digits)}`,
    );
    const fns = [...this.interp.functions].map(([k, f]) => `  ${k}(${f.params.join(', ')})`);
    if (!rows.length && !fns.length) return 'no variables yet';
    return [...rows, ...(fns.length ? ['functions:', ...fns] : [])].join('\n');
  }

  /** One line per parameter, in columns: name, start (or tie), bounds and flags, fitted value +/- stderr. */
  paramsText(): string {
    const ps = [...this.interp.params.values()];
    if (!ps.length) return 'no parameters yet';
    const f = (v: number) => formatScalar(v, 6);
    const rows = ps.map((p) => {
      let setup = p.tie ? `= ${p.tieText}` : `start ${f(p.value)}`;
      if (Number.isFinite(p.min) || Number.isFinite(p.max)) setup += ` in [${f(p.min)}, ${f(p.max)}]`;
      if (p.fixed) setup += ' fixed';
      if (p.implicit) setup += ' (undeclared)';
      let fitted = '';
      if (p.fitted !== undefined) {
        fitted = `fitted ${f(p.fitted)}`;
        if (p.stderr !== undefined && Number.isFinite(p.stderr))
          fitted += ` +/- ${formatScalar(p.stderr, 3)}`;
      }
      return { name: p.name, setup, fitted };
    });
    const nameWidth = Math.max(...rows.map((r) => r.name.length));
    const setupWidth = Math.max(...rows.map((r) => r.setup.length));
    return rows
      .map((r) =>
        r.fitted
          ? `  ${r.name.padEnd(nameWidth)}  ${r.setup.padEnd(setupWidth)}   ${r.fitted}`
          : `  ${r.name.padEnd(nameWidth)}  ${r.setup}`,
      )
      .join('\n');
  }
}
