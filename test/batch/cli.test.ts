/** `exprfit spots` in-process (src/cli/spots.ts through the CLI's main). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../cli/inProcess.ts';
import { writeNpy } from '../../src/data/npy.ts';
import { readTable } from '../../src/data/table.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { SPOT_COLUMNS } from '../../src/batch/spots/index.ts';
import type { TrueSpot } from './helpers.ts';
import { matchSpots, poissonImage, rng, spotImage } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-spots-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeBatchPool();
});

const run = runInProcess;

describe('exprfit spots', () => {
  const u = rng(77);
  const truth: TrueSpot[] = [];
  for (let i = 0; i < 30; i++) {
    truth.push({
      x: 8 + 16 * (i % 6) + u(),
      y: 8 + 16 * Math.floor(i / 6) + u(),
      amplitude: 400,
      sigmaX: 1.5,
      sigmaY: 1.5,
      theta: 0,
    });
  }
  const file = join(dir, 'img.npy');

  it('writes the table and the overlay', async () => {
    await writeNpy(file, poissonImage(u, spotImage(100, 80, truth, 10), 100, 80));
    const csv = join(dir, 'out', 'spots.csv');
    const png = join(dir, 'spots.png');
    const r = await run([
      'spots',
      file,
      '--out',
      csv,
      '--overlay',
      png,
      '--threads',
      '2',
      '--estimator',
      'poisson',
    ]);
    expect(r.stderr).toMatch(/30 spots, 30 converged/);
    expect(r.status).toBe(0);
    const t = await readTable(csv);
    expect(Object.keys(t.columns)).toEqual([...SPOT_COLUMNS]);
    expect(matchSpots(truth, t.columns.x.data, t.columns.y.data, 0.3).length).toBe(30);
    expect([...readFileSync(png).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('prints CSV on stdout without --out, and reports usage errors with status 2', async () => {
    const r = await run(['spots', file, '--model', 'elliptical', '--roi', '6', '-q']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(SPOT_COLUMNS.join(','));
    expect(r.stdout.trim().split('\n').length).toBe(31);
    expect(r.stderr).toBe('');
    const bad = await run(['spots', file, '--threshold', 'five']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/spots option '--threshold' must be a number/);
    const missing = await run(['spots', join(dir, 'nope.npy')]);
    expect(missing.status).toBe(2);
  });
});
