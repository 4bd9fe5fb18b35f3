/**
 * `exprfit spots` (src/cli/spots.ts) in-process: start values of user models (`--start`), error messages that
 * name the flags as typed, thresholds, images without pixels to find spots in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from './inProcess.ts';
import { withFlagNames } from '../../src/cli/spots.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { writeNpy } from '../../src/data/npy.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { OptionError, validateOptions } from '../../src/core/options.ts';
import { spotsSchema } from '../../src/batch/spots/options.ts';

function optionError(f: () => unknown): OptionError {
  try {
    f();
  } catch (e) {
    if (e instanceof OptionError) return e;
    throw e;
  }
  throw new Error('expected an OptionError');
}

const dir = mkdtempSync(join(tmpdir(), 'exprfit-cli-spots-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeBatchPool();
});

const run = runInProcess;

/** Two Moffat-like spots (beta 2.5, a 2) on a background of 10, with a deterministic ripple. */
async function spotsFile(): Promise<string> {
  const H = 40;
  const W = 48;
  const d = new Float64Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let v = 10 + 0.3 * Math.sin(1.7 * i + 2.3 * j);
      for (const [x0, y0] of [
        [14.3, 12.6],
        [33.2, 27.5],
      ]) {
        v += 300 * (1 + ((j - x0) ** 2 + (i - y0) ** 2) / 4) ** -2.5;
      }
      d[i * W + j] = v;
    }
  }
  const file = join(dir, 'moffat.npy');
  await writeNpy(file, new NdArray(d, [H, W]));
  return file;
}

const MOFFAT = 'A*(1 + ((x-x0)^2 + (y-y0)^2)/a^2)^(-beta) + bg';

describe('exprfit spots --start', () => {
  it('gives start values to the parameters of a user model that spots cannot estimate', async () => {
    const file = await spotsFile();
    const missing = await run(['spots', file, '--model', MOFFAT, '-q']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no start value for the model parameter '(a|beta)'/);
    expect(missing.stderr).toMatch(/give one with --start (a|beta)=\.\.\./);
    const r = await run(['spots', file, '--model', MOFFAT, '--start', 'beta=2', '--start', 'a=1.5', '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBe(2);
    const xs = rows.map((l) => Number(l.split(',')[1])).sort((p, q) => p - q);
    expect(xs[0]).toBeCloseTo(14.3, 1);
    expect(xs[1]).toBeCloseTo(33.2, 1);
  });

  it.each([
    [['--start', 'beta'], /--start takes NAME=VALUE with a finite number, got 'beta'/],
    [['--start', 'beta=x'], /got 'beta=x'/],
    [['--start', 'beta=2', '--start', 'beta=3'], /--start beta is given twice/],
    [['--start', 'beta=2', '--start', 'a=1', '--start', 'b=1'], /start value for 'b': the model has no such/],
    [['--start', 'beta=2', '--start', 'a=1', '--start', 'x0=1'], /start value for 'x0': spots estimates/],
  ])('%j is a usage error', async (flags, msg) => {
    const file = await spotsFile();
    const r = await run(['spots', file, '--model', MOFFAT, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});

describe('exprfit spots errors name the flags as typed', () => {
  it.each([
    [['--min-distance', '0'], /^error: spots option '--min-distance' must be an integer >= 1, got 0/],
    [['--min-distance', '2.5'], /^error: spots option '--min-distance' must be an integer >= 1, got 2\.5/],
    [['--max-peaks', '0'], /^error: spots option '--max-peaks' must be an integer >= 1, got 0/],
    [
      ['--group-distance', '-1'],
      /^error: spots option '--group-distance' must be a finite number >= 0, got -1/,
    ],
    [['--roi', '0'], /^error: spots option '--roi' must be an integer >= 1, got 0/],
    [['--threads', '0'], /^error: spots option '--threads' must be an integer >= 1 and <= 256, got 0/],
    [['--smooth', '-1'], /^error: spots option '--smooth' must be a finite number >= 0/],
    [['--border', '-1'], /^error: spots option '--border' must be an integer >= 0/],
    [
      ['--threshold', 'five'],
      /^error: spots option '--threshold' must be a number \(absolute, may be negative\) or k·sigma with k >= 0 like '5sigma', got 'five'/,
    ],
  ])('%j', async (flags, msg) => {
    const file = await spotsFile();
    const r = await run(['spots', file, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/minDistance|maxPeaks|groupDistance|start: \{/);
  });

  it('withFlagNames spells the keys of option errors as flags, and keeps other errors as they are', () => {
    const e = withFlagNames(optionError(() => validateOptions(spotsSchema, { minDistance: 0 })));
    expect((e as ExprfitError).message).toBe("spots option '--min-distance' must be an integer >= 1, got 0");
    expect((e as OptionError).detail).toMatchObject({ key: 'minDistance', problem: 'invalid', value: 0 });
    const other = new ExprfitError('io', 'threshold.npy: file not found');
    expect(withFlagNames(other)).toBe(other);
    const plain = new Error('x');
    expect(withFlagNames(plain)).toBe(plain);
  });
});

describe('exprfit spots --threshold', () => {
  it('rejects negative k-sigma thresholds and accepts negative absolute ones', async () => {
    const file = await spotsFile();
    const neg = await run(['spots', file, '--threshold', '-5sigma']);
    expect(neg.status).toBe(2);
    expect(neg.stderr).toMatch(/spots option '--threshold' must be .* k·sigma with k >= 0 .*, got '-5sigma'/);
    const abs = await run(['spots', file, '--threshold', '-5', '--max-peaks', '3', '-q']);
    expect(abs.status).toBe(0);
    const abs2 = await run(['spots', file, '--threshold=-5', '--max-peaks', '3', '-q']);
    expect(abs2.stdout).toBe(abs.stdout);
  });
});

describe('exprfit spots on images without pixels to find spots in', () => {
  it('an empty image and an all-NaN image are errors (status 2) naming the file', async () => {
    const empty = join(dir, 'empty.npy');
    await writeNpy(empty, new NdArray(new Float64Array(0), [0, 0]));
    const nan = join(dir, 'nan.npy');
    await writeNpy(nan, new NdArray(new Float64Array(30).fill(NaN), [5, 6]));
    const a = await run(['spots', empty]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/error: the image .*empty\.npy is empty \(shape \[0, 0\]\)/);
    expect(a.stdout).toBe('');
    const b = await run(['spots', nan]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/error: the image .*nan\.npy has no finite pixels: all 30 pixels/);
  });
});

/** Two Gaussian spots 4 pixels apart (one crowded group) on a background of 10. */
async function pairFile(): Promise<string> {
  const H = 32;
  const W = 32;
  const d = new Float64Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let v = 10 + 0.3 * Math.sin(1.7 * i + 2.3 * j);
      for (const [x0, y0] of [
        [14, 16],
        [18, 16.5],
      ]) {
        v += 400 * Math.exp(-((j - x0) ** 2 + (i - y0) ** 2) / (2 * 1.5 ** 2));
      }
      d[i * W + j] = v;
    }
  }
  const file = join(dir, 'pair.npy');
  await writeNpy(file, new NdArray(d, [H, W]));
  return file;
}

describe('exprfit spots flags from the options schema', () => {
  it('--max-group-size, --residual-passes and --split-blends / --no-split-blends reach the pipeline', async () => {
    const file = await pairFile();
    const joint = await run(['spots', file]);
    expect(joint.status).toBe(0);
    expect(joint.stderr).toMatch(/2 spots, 2 converged, 1 crowded group fitted jointly/);
    const alone = await run(['spots', file, '--max-group-size', '1']);
    expect(alone.status).toBe(0);
    expect(alone.stderr).toMatch(/2 spots, 2 converged, 0 crowded groups fitted jointly/);
    for (const flags of [
      ['--residual-passes', '1'],
      ['--split-blends'],
      ['--no-split-blends'],
      ['--no-joint'],
    ]) {
      const r = await run(['spots', file, ...flags, '-q']);
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').length).toBe(3);
    }
    const help = await run(['spots', '--help']);
    for (const flag of [
      '--max-group-size <integer>',
      '--residual-passes <integer>',
      '--split-blends',
      '--no-split-blends',
    ])
      expect(help.stdout).toContain(flag);
  });

  it.each([
    [['--max-group-size', '0'], "spots option '--max-group-size' must be an integer >= 1, got 0"],
    [['--residual-passes', '-1'], "spots option '--residual-passes' must be an integer >= 0, got -1"],
    [['--estimator', 'poison'], "spots option '--estimator' must be one of 'lse' or 'poisson', got 'poison'"],
  ])('%j: an option error spelled as the flag', async (flags, message) => {
    const file = await pairFile();
    const r = await run(['spots', file, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error: ${message}`);
  });
});
