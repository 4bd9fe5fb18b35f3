/**
 * Variable projection (`linear: 'varpro'`, issue 14) against the full fit, same data and starts, same run:
 * iterations, evaluations and time. The full fit's amplitudes and offsets start at the default 1 (no starts),
 * as varpro needs none. Rows: a 5-peak spectrum (400 points, 17 parameters, 7 linear); the rotated 2-D Gaussian
 * of fit.bench.ts on a 128x128 image (A and offset linear); the spots model (symmetric Gaussian + offset) on
 * 200 ROIs of 15x15, one fit each (A and offset linear).
 */
import { fit } from '../src/fit/fit.ts';
import { NdArray } from '../src/data/ndarray.ts';
import type { FitOptions } from '../src/fit/types.ts';
import type { ParamsInput } from '../src/model/params.ts';
import { makeImage } from './fit.bench.ts';
import type { BenchRow } from './types.ts';

type Data = Record<string, NdArray | Float64Array | number[] | number[][]>;

/** Deterministic uniform deviates in [-0.5, 0.5). */
function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

const PEAKS = [
  [3, 2, 0.3],
  [5, 5, 0.5],
  [7, 3.5, 0.4],
  [10, 6, 0.6],
  [14, 2.5, 0.35],
];

function spectrum(): { model: string; data: Data; starts: ParamsInput } {
  const noise = uniform(1);
  const x = Float64Array.from({ length: 400 }, (_, i) => i * 0.05);
  const y = x.map(
    (v) =>
      0.3 +
      0.02 * v +
      PEAKS.reduce((s, [a, c, w]) => s + a * Math.exp(-((v - c) ** 2) / (2 * w * w)), 0) +
      0.1 * noise(),
  );
  const terms = PEAKS.map((_, i) => `a${i}*exp(-(x-c${i})^2/(2*w${i}^2))`).join(' + ');
  const starts: ParamsInput = {};
  PEAKS.forEach(([, c, w], i) => {
    starts[`c${i}`] = c + 0.1;
    starts[`w${i}`] = w * 1.15;
  });
  return { model: `y = ${terms} + b0 + b1*x`, data: { x, y }, starts };
}

const GAUSS2D =
  'z = A*exp(-(a*(x-x0)^2 + 2*b*(x-x0)*(y-y0) + c*(y-y0)^2)) + offset; ' +
  'a = cos(theta)^2/(2*sx^2) + sin(theta)^2/(2*sy^2); ' +
  'b = -sin(2*theta)/(4*sx^2) + sin(2*theta)/(4*sy^2); ' +
  'c = sin(theta)^2/(2*sx^2) + cos(theta)^2/(2*sy^2)';

function gauss2d(): { model: string; data: Data; starts: ParamsInput } {
  const n = 128;
  const { z } = makeImage(512);
  // makeImage's spot is centred for 512 pixels: take the 128x128 window around it
  const win = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) win[i * n + j] = z[(i + 177) * 512 + (j + 206)];
  const x = [Array.from({ length: n }, (_, j) => j + 206)];
  const y = Array.from({ length: n }, (_, i) => [i + 177]);
  const starts = { x0: 260, y0: 250, sx: { value: 35, min: 0 }, sy: { value: 25, min: 0 }, theta: 0.4 };
  return { model: GAUSS2D, data: { x, y, z: new NdArray(win, [n, n]) }, starts };
}

function spots(count: number): { model: string; rois: Data[]; starts: ParamsInput } {
  const noise = uniform(7);
  const rois: Data[] = [];
  const x = [Array.from({ length: 15 }, (_, j) => j)];
  const y = Array.from({ length: 15 }, (_, i) => [i]);
  for (let k = 0; k < count; k++) {
    const x0 = 7 + noise();
    const y0 = 7 + noise();
    const img = new Float64Array(225);
    for (let i = 0; i < 15; i++) {
      for (let j = 0; j < 15; j++) {
        const g = Math.exp(-((j - x0) ** 2 + (i - y0) ** 2) / (2 * 1.5 ** 2));
        img[i * 15 + j] = 500 * g + 100 + 10 * noise();
      }
    }
    rois.push({ x, y, z: new NdArray(img, [15, 15]) });
  }
  const model = 'z = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + offset';
  return { model, rois, starts: { x0: 7, y0: 7, s: { value: 2, min: 0.3 } } };
}

interface Counts {
  iterations: number;
  evaluations: number;
  ok: number;
}

/** Fits every data set once; the summed counts. */
function fitAll(model: string, sets: Data[], starts: ParamsInput, o: FitOptions): Counts {
  const c = { iterations: 0, evaluations: 0, ok: 0 };
  for (const d of sets) {
    const r = fit(model, d, starts, o);
    c.iterations += r.iterations;
    c.evaluations += r.nfev;
    c.ok += r.ok ? 1 : 0;
  }
  return c;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Time and counts of fitting every data set with and without varpro, in interleaved rounds (JIT and GC fair). */
function compare(name: string, model: string, sets: Data[], starts: ParamsInput): BenchRow {
  const configs: FitOptions[] = [{ linear: 'varpro' }, {}];
  const times: number[][] = [[], []];
  const counts: Counts[] = configs.map((o) => fitAll(model, sets, starts, o));
  for (let round = 0; round < 9; round++) {
    configs.forEach((o, k) => {
      const t0 = performance.now();
      fitAll(model, sets, starts, o);
      if (round >= 2) times[k].push(performance.now() - t0);
    });
  }
  const [vp, full] = counts;
  const [ms, baselineMs] = times.map(median);
  const per = sets.length > 1 ? ` (${sets.length} fits)` : '';
  return {
    name,
    ms,
    baselineMs,
    ratio: ms / baselineMs,
    note: `varpro ${vp.iterations} iterations, ${vp.evaluations} evaluations, ${vp.ok} ok; full fit ${full.iterations} iterations, ${full.evaluations} evaluations, ${full.ok} ok${per}`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const s = spectrum();
  const g = gauss2d();
  const sp = spots(200);
  return [
    compare('5-peak spectrum, varpro vs full fit', s.model, [s.data], s.starts),
    compare('rotated 2-D Gaussian 128x128, varpro vs full fit', g.model, [g.data], g.starts),
    compare('spots model, 200 ROIs 15x15, varpro vs full fit', sp.model, sp.rois, sp.starts),
  ];
}
