/**
 * ODE fits (issue 13): `fitOde` with exact sensitivities against scipy solve_ivp (LSODA) + least_squares
 * with finite differences (bench/ode_scipy.py, when python3 with scipy is installed), same data, start and
 * tolerances (rtol 1e-10, atol 1e-12). symfit is not installable here; see bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitOde } from '../src/ode/fit.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));

interface Case {
  name: string;
  model: string;
  start: Record<string, number>;
  data: Record<string, number[]>;
}

const cases = (
  JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', 'ode', 'scipy.json'), 'utf8')) as {
    cases: Case[];
  }
).cases;

function scipyMs(name: string): number {
  const r = spawnSync('python3', [join(here, 'ode_scipy.py'), name, '5'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return r.status === 0 ? Number(r.stdout.trim()) : NaN;
}

function row(name: string): BenchRow {
  const c = cases.find((k) => k.name === name)!;
  const data = Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, Float64Array.from(v)]));
  const ms = timeMedian(() => fitOde(c.model, data, c.start, { ode: { rtol: 1e-10, atol: 1e-12 } }), 9, 2);
  const baselineMs = scipyMs(name);
  const note = Number.isNaN(baselineMs)
    ? 'scipy baseline unavailable'
    : 'baseline: scipy LSODA + least_squares (lm, finite differences)';
  return { name: `fitOde ${name}`, ms, baselineMs, ratio: ms / baselineMs, note };
}

export function run(): Promise<BenchRow[]> {
  return Promise.resolve(['chain', 'lotka-volterra'].map(row));
}
