/**
 * Image stacks through the spot pipeline (src/batch/spots/stack.ts) and the frame readers (src/data/stack.ts):
 * a few 32×32 frames with a few spots each, as a 3-D `.npy` file and a multi-page TIFF (written here).
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { writeNpy } from '../../src/data/npy.ts';
import { openStack, type FrameStack } from '../../src/data/stack.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { runSpots, SPOT_COLUMNS } from '../../src/batch/spots/index.ts';
import { chunkFrames, runSpotsStack, STACK_COLUMNS } from '../../src/batch/spots/stack.ts';
import { poissonImage, rng, spotImage } from './helpers.ts';
import { runInProcess } from '../cli/inProcess.ts';
import { Interpreter } from '../../src/script/interpreter.ts';
import { isTable } from '../../src/script/values.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-stack-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeBatchPool();
});

const FRAMES = 4;
const SIZE = 32;

/** Frame k: k + 2 spots (amplitude 300, sigma 1.4, background 10) at seeded positions, Poisson counts. */
function frames(): NdArray {
  const u = rng(2024);
  const data = new Float64Array(FRAMES * SIZE * SIZE);
  for (let k = 0; k < FRAMES; k++) {
    const spots = Array.from({ length: k + 2 }, (_, i) => ({
      x: 6 + 10 * (i % 3) + 2 * u(),
      y: 6 + 10 * Math.floor(i / 3) + 2 * u(),
      amplitude: 300,
      sigmaX: 1.4,
      sigmaY: 1.4,
      theta: 0,
    }));
    data.set(poissonImage(u, spotImage(SIZE, SIZE, spots, 10), SIZE, SIZE).data, k * SIZE * SIZE);
  }
  return new NdArray(data, [FRAMES, SIZE, SIZE]);
}

/** A little-endian multi-page TIFF of float32 frames, one strip each; each page's directory before its data. */
function tiffBytes(stack: NdArray): Uint8Array {
  const [n, h, w] = stack.shape;
  const entries = 10;
  const ifdSize = 2 + 12 * entries + 4;
  const page = ifdSize + 4 * w * h;
  const out = new Uint8Array(8 + n * page);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
  for (let k = 0; k < n; k++) {
    const at = 8 + k * page;
    const data = at + ifdSize;
    const tags: [number, number, number][] = [
      [256, 4, w],
      [257, 4, h],
      [258, 3, 32],
      [259, 3, 1],
      [262, 3, 1],
      [273, 4, data],
      [277, 3, 1],
      [278, 4, h],
      [279, 4, 4 * w * h],
      [339, 3, 3],
    ];
    v.setUint16(at, entries, true);
    tags.forEach(([tag, type, value], i) => {
      const p = at + 2 + 12 * i;
      v.setUint16(p, tag, true);
      v.setUint16(p + 2, type, true);
      v.setUint32(p + 4, 1, true);
      if (type === 3) v.setUint16(p + 8, value, true);
      else v.setUint32(p + 8, value, true);
    });
    v.setUint32(at + 2 + 12 * entries, k + 1 < n ? at + page : 0, true);
    for (let i = 0; i < w * h; i++) v.setFloat32(data + 4 * i, stack.data[k * w * h + i], true);
  }
  return out;
}

const stack = frames();
const npyFile = join(dir, 'stack.npy');
const tifFile = join(dir, 'stack.tif');
const OPTIONS = { roi: 4, stop: { tol: 1e-4, maxIterations: 10 } } as const;

describe('stack readers', () => {
  it('read the frames of a 3-D .npy and a multi-page TIFF one at a time', async () => {
    await writeNpy(npyFile, stack);
    writeFileSync(tifFile, tiffBytes(stack));
    for (const file of [npyFile, tifFile]) {
      const s = await openStack(file);
      expect([s.count, ...s.frameShape]).toEqual([FRAMES, SIZE, SIZE]);
      const f = await s.read(2);
      expect(Array.from(f.data)).toEqual(Array.from(stack.data.subarray(2 * SIZE * SIZE, 3 * SIZE * SIZE)));
      await expect(s.read(FRAMES)).rejects.toThrow(/frame 4 does not exist; the stack has 4 frame/);
      await s.close();
    }
  });

  it('name the file and the frame of a truncated stack', async () => {
    const page = 126 + 4 * SIZE * SIZE;
    for (const [name, bytes, what] of [
      ['cut.npy', 128 + 8 * SIZE * SIZE * 2.5, 'frame 2'],
      ['cut.tif', 8 + 3 * page + 126 + 100, 'frame 3'],
      ['cut2.tif', 8 + 2 * page + 100, 'the directory of page 2'],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(
        file,
        name.endsWith('.npy') ? (await import('../../src/data/npy.ts')).encodeNpy(stack) : tiffBytes(stack),
      );
      truncateSync(file, Math.floor(bytes));
      const err = await runSpotsStack(file, OPTIONS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExprfitError);
      expect((err as Error).message).toMatch(new RegExp(`${name}: .*truncated.*${what}`));
    }
  });
});

describe('runSpotsStack', () => {
  it('fits each frame as runSpots fits it alone, with a frame column', async () => {
    const res = await runSpotsStack(npyFile, OPTIONS);
    expect(Object.keys(res.columns)).toEqual([...STACK_COLUMNS]);
    expect(Array.from(res.perFrame)).toEqual([2, 3, 4, 5]);
    let at = 0;
    for (let k = 0; k < FRAMES; k++) {
      const alone = await runSpots(
        new NdArray(stack.data.slice(k * SIZE * SIZE, (k + 1) * SIZE * SIZE), [SIZE, SIZE]),
        OPTIONS,
      );
      for (const c of SPOT_COLUMNS) {
        expect(Array.from(res.columns[c].subarray(at, at + alone.count))).toEqual(
          Array.from(alone.columns[c]),
        );
      }
      expect(Array.from(res.columns.frame.subarray(at, at + alone.count))).toEqual(
        new Array(alone.count).fill(k),
      );
      at += alone.count;
    }
    expect(res.summary).toMatch(/^14 spots in 4 frames, 14 converged/);
    expect(res.toCsv().split('\n')[0]).toBe(STACK_COLUMNS.join(','));
  });

  it('gives the same rows on 2 threads as on 1, from a TIFF, and counts the frames in its progress', async () => {
    const seen: [number, number][] = [];
    const one = await runSpotsStack(tifFile, OPTIONS);
    const two = await runSpotsStack(tifFile, {
      ...OPTIONS,
      threads: 2,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(two.toCsv()).toBe(one.toCsv());
    expect(seen[0]).toEqual([0, FRAMES]);
    expect(seen.at(-1)).toEqual([FRAMES, FRAMES]);
    expect(seen.length).toBe(FRAMES + 1);
  });

  it('reads a frame only when the one before is fitted (one thread: one frame in memory)', async () => {
    const events: string[] = [];
    const s = await openStack(npyFile);
    const spy: FrameStack = {
      ...s,
      read: (k) => {
        events.push(`read ${k}`);
        return s.read(k);
      },
    };
    await runSpotsStack(spy, { ...OPTIONS, onProgress: (d) => events.push(`done ${d}`) });
    await s.close();
    expect(events).toEqual(['done 0', ...[0, 1, 2, 3].flatMap((k) => [`read ${k}`, `done ${k + 1}`])]);
  });

  it('takes a 3-D array', async () => {
    const res = await runSpotsStack(stack, OPTIONS);
    expect(res.count).toBe(14);
    const blank = new NdArray(stack.data.slice(0, 2 * SIZE * SIZE).fill(NaN, SIZE * SIZE), [2, SIZE, SIZE]);
    await expect(runSpotsStack(blank, OPTIONS)).rejects.toThrow(/^frame 1: the image has no finite pixels/);
    await expect(runSpotsStack(new NdArray(new Float64Array(4), [2, 2]), OPTIONS)).rejects.toThrow(
      /a stack is a 3-D array \[frames, rows, cols\], got shape \[2, 2\]/,
    );
  });
});

/** `n` frames: those of `stack` over and over (frame k is frame k % FRAMES), `blank` ones all NaN. */
function cycled(n: number, blank: readonly number[] = []): NdArray {
  const px = SIZE * SIZE;
  const data = new Float64Array(n * px);
  for (let k = 0; k < n; k++) {
    if (blank.includes(k)) data.fill(NaN, k * px, (k + 1) * px);
    else data.set(stack.data.subarray((k % FRAMES) * px, ((k % FRAMES) + 1) * px), k * px);
  }
  return new NdArray(data, [n, SIZE, SIZE]);
}

describe('chunks of frames on the workers', () => {
  it('are about 2^16 pixels of frames, smaller towards the end, and cover every frame once', () => {
    const chunks = (px: number, n: number, threads: number): number[] => {
      const out: number[] = [];
      for (let done = 0; done < n; done += out.at(-1)!) out.push(chunkFrames(px, n - done, threads));
      return out;
    };
    expect(chunks(128 * 128, 64, 2)).toEqual([...new Array(13).fill(4), 3, 2, ...new Array(7).fill(1)]);
    expect(chunks(SIZE * SIZE, 11, 2)).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect(chunks(SIZE * SIZE, 24, 2)).toEqual([6, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect(chunks(1500 * 1500, 5, 4)).toEqual([1, 1, 1, 1, 1]);
  });

  it('give the rows of 1 thread in frame order when the frames are not a multiple of the chunk', async () => {
    const frames11 = cycled(11);
    const seen: number[] = [];
    const one = await runSpotsStack(frames11, OPTIONS);
    const two = await runSpotsStack(frames11, { ...OPTIONS, threads: 2, onProgress: (d) => seen.push(d) });
    expect(Array.from(two.perFrame)).toEqual([2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4]);
    expect(two.toCsv()).toBe(one.toCsv());
    expect(seen).toEqual(Array.from({ length: 12 }, (_, k) => k));
    // the frames of an array are copied to the workers, never moved (a one-frame stack is its whole buffer)
    const single = cycled(1);
    expect((await runSpotsStack(single, { ...OPTIONS, threads: 2 })).count).toBe(2);
    expect([frames11.data.length, single.data.length]).toEqual([11 * SIZE * SIZE, SIZE * SIZE]);
    expect(Array.from(single.data)).toEqual(Array.from(stack.data.subarray(0, SIZE * SIZE)));
  });

  it('name the first failing frame when it is in the middle of a chunk', async () => {
    // 24 frames on 2 threads: the first chunk is frames 0-5; frames 3 and 9 have no finite pixels
    const bad = cycled(24, [3, 9]);
    await expect(runSpotsStack(bad, { ...OPTIONS, threads: 2 })).rejects.toThrow(
      /^frame 3: the image has no finite pixels/,
    );
    await expect(runSpotsStack(bad, OPTIONS)).rejects.toThrow(/^frame 3: the image has no finite pixels/);
  });
});

describe('the front ends', () => {
  it('exprfit spots reads a stack file frame by frame into one table with a frame column', async () => {
    const out = join(dir, 'cli.csv');
    const r = await runInProcess(['spots', npyFile, '--roi', '4', '--out', out, '-q']);
    expect(r.status).toBe(0);
    const csv = (await import('node:fs')).readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(STACK_COLUMNS.join(','));
    expect(csv.length).toBe(1 + 14);
    const bad = await runInProcess(['spots', tifFile, '--overlay', join(dir, 'o.png')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--overlay draws one image; .*stack\.tif is a stack of 4 frames/);
  });

  it('the spots statement takes a stack file or a 3-D array', async () => {
    const interp = new Interpreter({ baseDir: dir, out: () => {}, info: () => {}, warn: () => {} });
    await interp.runText('spots "stack.tif" roi=4 name=a\nimg = load("stack.npy")\nspots img roi=4 name=b');
    const a = interp.lookup('a');
    const b = interp.lookup('b');
    if (a === undefined || b === undefined || !isTable(a) || !isTable(b)) throw new Error('no tables');
    expect(Array.from(a.columns.frame)).toEqual(Array.from(b.columns.frame));
    expect(Array.from(a.columns.x)).toEqual(Array.from(b.columns.x));
    expect(new Set(a.columns.frame).size).toBe(FRAMES);
  });
});
