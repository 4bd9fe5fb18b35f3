/** Spawning the built CLI (dist/cli.js via bin/exprfit.js; test/cli/setup.ts builds it). */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Runs `exprfit ...args` synchronously. */
export function cli(args: readonly string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: 'utf8',
    env: environment(options.env),
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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
