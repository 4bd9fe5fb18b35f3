/**
 * The shortcuts of the spot pipeline's per-spot work against plain references: moment starts in a peak's
 * Voronoi cell (pixels near the peak skip the test against the other peaks), neighbour lists in CSR form, and
 * the row order in which spots read the image.
 */
import { describe, expect, it } from 'vitest';
import { momentStart } from '../../src/batch/moments.ts';
import { neighbours } from '../../src/batch/spots/group.ts';
import { rowOrder } from '../../src/batch/spots/regions.ts';
import { poissonImage, rng, spotImage, type TrueSpot } from './helpers.ts';

/** Intensity-weighted centre of the pixels of the window above bg + 0.2·amplitude nearer to (px, py) than to any other. */
function cellCentre(
  img: Float64Array,
  w: number,
  at: { px: number; py: number; half: number; bg: number; amplitude: number },
  ox: readonly number[],
  oy: readonly number[],
): { x: number; y: number; pixels: number } {
  const { px, py, half, bg, amplitude } = at;
  let s0 = 0;
  let sx = 0;
  let sy = 0;
  let pixels = 0;
  for (let y = Math.max(0, py - half); y <= Math.min(w - 1, py + half); y++) {
    for (let x = Math.max(0, px - half); x <= Math.min(w - 1, px + half); x++) {
      const v = img[y * w + x] - bg;
      if (!(v > 0.2 * amplitude)) continue;
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (ox.some((_, k) => (x - ox[k]) ** 2 + (y - oy[k]) ** 2 < d)) continue;
      s0 += v;
      sx += v * x;
      sy += v * y;
      pixels++;
    }
  }
  return { x: sx / s0, y: sy / s0, pixels };
}

describe('spot pipeline shortcuts', () => {
  it('moment starts in a Voronoi cell use exactly the pixels of the cell (integer and fractional other peaks)', () => {
    const u = rng(41);
    const w = 40;
    const truth: TrueSpot[] = [];
    for (let k = 0; k < 12; k++)
      truth.push({ x: 5 + 30 * u(), y: 5 + 30 * u(), amplitude: 300, sigmaX: 2, sigmaY: 2, theta: 0 });
    const img = poissonImage(u, spotImage(w, w, truth, 10), w, w).data;
    let checked = 0;
    for (let trial = 0; trial < 60; trial++) {
      const px = 8 + Math.floor(24 * u());
      const py = 8 + Math.floor(24 * u());
      const k = 1 + Math.floor(5 * u());
      const frac = trial % 2 === 1;
      const ox = Array.from({ length: k }, () => px - 6 + 12 * u()).map((v) => (frac ? v : Math.round(v)));
      const oy = Array.from({ length: k }, () => py - 6 + 12 * u()).map((v) => (frac ? v : Math.round(v)));
      const m = momentStart(img, w, w, px, py, 6, { others: { x: ox, y: oy } });
      if (m.pixels < 3) continue;
      const ref = cellCentre(img, w, { px, py, half: 6, bg: m.background, amplitude: m.amplitude }, ox, oy);
      expect(m.pixels).toBe(ref.pixels);
      expect(m.x).toBeCloseTo(ref.x, 10);
      expect(m.y).toBeCloseTo(ref.y, 10);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('neighbour lists hold exactly the other peaks within the radius', () => {
    const u = rng(7);
    const n = 400;
    const px = Int32Array.from({ length: n }, () => Math.floor(100 * u()));
    const py = Int32Array.from({ length: n }, () => Math.floor(100 * u()));
    const r = 7.5;
    const near = neighbours(px, py, r);
    expect(near.start[n]).toBe(near.list.length);
    for (let i = 0; i < n; i++) {
      const got = [...near.list.subarray(near.start[i], near.start[i + 1])].sort((a, b) => a - b);
      const want = [];
      for (let j = 0; j < n; j++)
        if (j !== i && (px[j] - px[i]) ** 2 + (py[j] - py[i]) ** 2 <= r * r) want.push(j);
      expect(got).toEqual(want);
    }
  });

  it('row order: every index once, rows ascending, index order within a row', () => {
    const rows = [5, 0, 3, 5, 0, 9, 3, 3];
    expect([...rowOrder(rows.length, (k) => rows[k], 10)]).toEqual([1, 4, 2, 6, 7, 0, 3, 5]);
  });
});
