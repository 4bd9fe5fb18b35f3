/** Helpers for interpreter tests: run script text in a temporary folder and capture what it prints. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { Interpreter } from '../../src/script/interpreter.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { mulberry32 } from '../../src/solver/multistart.ts';

export interface Run {
  interp: Interpreter;
  out: string[];
  info: string[];
  warn: string[];
  dir: string;
}

/** A fresh interpreter rooted in a new temporary folder. */
export function session(overrides?: Map<string, number>): Run {
  const dir = mkdtempSync(join(tmpdir(), 'exprfit-script-'));
  const out: string[] = [];
  const info: string[] = [];
  const warn: string[] = [];
  const interp = new Interpreter({
    baseDir: dir,
    out: (t) => out.push(t),
    info: (t) => info.push(t),
    warn: (t) => warn.push(t),
    overrides,
  });
  return { interp, out, info, warn, dir };
}

/**
 * A maker of fresh sessions whose temporary folders are removed after each test (call it at the top
 * level of a test file: it registers the `afterEach`).
 */
export function freshSessions(): (overrides?: Map<string, number>) => Run {
  let runs: Run[] = [];
  afterEach(() => {
    for (const r of runs) cleanup(r);
    runs = [];
  });
  return (overrides) => {
    const r = session(overrides);
    runs.push(r);
    return r;
  };
}

/** The array variable `name` of `run`'s session (fails when it is not an array). */
export function arrayVar(run: Run, name: string): NdArray {
  const v = run.interp.variables.get(name);
  if (!(v instanceof NdArray)) throw new Error(`${name} is not an array: ${String(v)}`);
  return v;
}

/** Runs `text` in `run`'s interpreter (as file `dir/test.fit`). */
export async function exec(run: Run, text: string): Promise<void> {
  await run.interp.runText(text, join(run.dir, 'test.fit'));
}

export function writeFile(run: Run, name: string, text: string | Uint8Array): string {
  const path = join(run.dir, name);
  writeFileSync(path, text);
  return path;
}

export function cleanup(run: Run): void {
  rmSync(run.dir, { recursive: true, force: true });
}

/** The ExprfitError `f` throws (fails when it throws nothing or something else). */
export async function errorOf(f: () => Promise<unknown>): Promise<ExprfitError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof ExprfitError) return e;
    throw e;
  }
  throw new Error('expected an ExprfitError');
}

/** A seeded standard normal generator (mulberry32 + Box-Muller). */
export function normal(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A CSV text from columns. */
export function csvText(columns: Record<string, ArrayLike<number>>): string {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const rows = [names.join(',')];
  for (let i = 0; i < n; i++) rows.push(names.map((k) => String(columns[k][i])).join(','));
  return rows.join('\n') + '\n';
}
