/**
 * Running the CLI: in this process (`cli`, no spawn) or as users run it, spawning the built bin/exprfit.js
 * (`cliAsync`; test/cli/setup.ts builds dist/cli.js). Process-level behaviour (the launcher, the REPL on a
 * pipe, environment variables, the working folder) needs the spawn; everything else runs in-process.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInProcess } from './inProcess.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'exprfit.js');
export const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  input?: string;
  env?: Record<string, string | undefined>;
}

function environment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, EXPRFIT_HISTORY: '', ...extra };
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** Runs `exprfit ...args` in this process (stdin: `input`); spawns it when a cwd or env is given, or for the REPL. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const needsProcess = options.cwd !== undefined || options.env !== undefined || args[0] === 'repl';
  return needsProcess ? cliAsync(args, options) : runInProcess([...args], options.input);
}

/** Runs `exprfit ...args` without blocking the test worker (for slower runs). */
export function cliAsync(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: environment(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A temporary copy of a folder (the fixtures, or the examples), removed by `cleanup`. */
export function copyToTemp(dir: string, filter?: (src: string) => boolean): string {
  const tmp = mkdtempSync(join(tmpdir(), 'exprfit-cli-'));
  cpSync(dir, tmp, { recursive: true, filter });
  return tmp;
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** No stack trace lines in `text`. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]/m.test(text);
}
