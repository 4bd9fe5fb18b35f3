/**
 * Issue 15's spots changes: blend splits refit only their group and are kept only when significantly better
 * (a wide single spot is never lost, a true blend is split), the `iterations` column is that of the fit that
 * produced the row, rotated spots report sigma_x >= sigma_y with theta in [0, π), and the overlay scale is an
 * option (API, CLI, script).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSpots } from '../../src/batch/spots/index.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { encodeNpy } from '../../src/data/npy.ts';
import { runInProcess } from '../cli/inProcess.ts';
import { exec, freshSessions, writeFile } from '../script/helpers.ts';
import { matchSpots, poissonImage, rng, spotImage, type TrueSpot } from './helpers.ts';

const fresh = freshSessions();
const dir = mkdtempSync(join(tmpdir(), 'exprfit-spots-refine-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeBatchPool();
});

const spot = (x: number, y: number, sigma = 1.5, amplitude = 500): TrueSpot => ({
  x,
  y,
  amplitude,
  sigmaX: sigma,
  sigmaY: sigma,
  theta: 0,
});

/** 16 isolated spots on a 25-pixel grid; `extra` replace the last ones. */
function field(seed: number, extra: TrueSpot[]) {
  const u = rng(seed);
  const truth: TrueSpot[] = [];
  for (let i = 0; i < 16 - extra.length; i++)
    truth.push(spot(12 + 25 * (i % 4) + u() - 0.5, 12 + 25 * Math.floor(i / 4) + u() - 0.5));
  truth.push(...extra);
  return { img: poissonImage(u, spotImage(100, 100, truth, 10), 100, 100), truth };
}

describe('blend splitting', () => {
  it('a wide single spot is flagged as a blend but not split: the split is not significantly better', async () => {
    const { img, truth } = field(3, [spot(87, 87.3, 2.6, 800)]);
    const r = await runSpots(img, {});
    expect(r.count).toBe(16);
    expect(matchSpots(truth, r.columns.x, r.columns.y, 0.5).length).toBe(16);
    expect(r.summary).not.toMatch(/split/);
    const wide = r.columns.sigma_x[matchSpots([truth[15]], r.columns.x, r.columns.y, 0.5)[0][1]];
    expect(wide).toBeGreaterThan(2.3);
  });

  it('two spots detected as one are split; only their group is refitted', async () => {
    const { img, truth } = field(4, [spot(85.5, 86), spot(89, 87)]);
    // minDistance 4: one peak for the pair.
    const plain = await runSpots(img, { minDistance: 4, splitBlends: false });
    const progress: number[] = [];
    const r = await runSpots(img, {
      minDistance: 4,
      onProgress: (done, total) => progress.push(done / total),
    });
    // Progress never goes back and ends at 100% (the blend rounds end before their last possible one).
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(plain.count).toBe(15);
    expect(r.count).toBe(16);
    expect(r.summary).toMatch(/\(1 blend split\)/);
    const m = matchSpots(truth, r.columns.x, r.columns.y, 0.5);
    expect(m.length).toBe(16);
    // The other spots keep their first fits, iterations included; the pair's rows are its refit's.
    const mp = new Map(matchSpots(truth, plain.columns.x, plain.columns.y, 0.5));
    for (const [t, f] of m) {
      if (t >= 14) {
        expect(r.groupSize[f]).toBe(2);
        continue;
      }
      expect(r.columns.x[f]).toBe(plain.columns.x[mp.get(t)!]);
      expect(r.columns.iterations[f]).toBe(plain.columns.iterations[mp.get(t)!]);
    }
  });
});

describe('rotated spots', () => {
  it('report the major axis as sigma_x, theta in [0, π)', async () => {
    const u = rng(7);
    const thetas = [0.6, 0.6 + Math.PI / 2, -0.4, 2.9];
    const truth: TrueSpot[] = thetas.map((theta, i) => ({
      x: 15 + 30 * (i % 2) + u(),
      y: 15 + 30 * Math.floor(i / 2) + u(),
      amplitude: 800,
      sigmaX: 3,
      sigmaY: 1.5,
      theta,
    }));
    const img = poissonImage(u, spotImage(60, 60, truth, 20), 60, 60);
    const r = await runSpots(img, { model: 'rotated', roi: 9 });
    const m = matchSpots(truth, r.columns.x, r.columns.y, 0.5);
    expect(m.length).toBe(4);
    for (const [t, f] of m) {
      const th = r.columns.theta[f];
      expect(r.columns.sigma_x[f]).toBeCloseTo(3, 0);
      expect(r.columns.sigma_y[f]).toBeCloseTo(1.5, 0);
      expect(th).toBeGreaterThanOrEqual(0);
      expect(th).toBeLessThan(Math.PI);
      const want = thetas[t] - Math.PI * Math.floor(thetas[t] / Math.PI);
      const d = Math.abs(th - want);
      expect(Math.min(d, Math.PI - d)).toBeLessThan(0.1);
    }
  });
});

describe('overlay scale', () => {
  const { img } = field(5, []);
  const width = (png: Uint8Array): number => Buffer.from(png).readUInt32BE(16);

  it('API: overlayScale is the default scale of overlayPng and writeOverlay; a given scale wins', async () => {
    const r = await runSpots(img, { overlayScale: 3 });
    expect(width(await r.overlayPng())).toBe(300);
    expect(width(await r.overlayPng({ scale: 2 }))).toBe(200);
    await expect(runSpots(img, { overlayScale: 0 })).rejects.toThrow(/overlayScale.*integer >= 1/);
  });

  it('CLI --overlay-scale and script overlay_scale=', async () => {
    const file = join(dir, 'img.npy');
    writeFileSync(file, encodeNpy(img));
    const png = join(dir, 'o.png');
    const c = await runInProcess(['spots', file, '--overlay', png, '--overlay-scale', '2', '-q']);
    expect(c.status).toBe(0);
    expect(width(readFileSync(png))).toBe(200);
    const s = fresh();
    writeFile(s, 'img.npy', encodeNpy(img));
    await exec(s, 'img = load("img.npy")\nspots img overlay="o.png" overlay_scale=4');
    expect(width(readFileSync(join(s.dir, 'o.png')))).toBe(400);
  });
});
