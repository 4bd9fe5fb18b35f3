/**
 * Array-tool benchmarks (issue 6): the 1000x1000 two-kernel heatmap, a 2000x2000 Gaussian filter with
 * sigma 3 and the RBF matrix of 2000 points in 10 dimensions, each against a plain hand-written JS loop in
 * the same process and, when python3 with numpy/scipy is installed, against numpy/scipy timed the same way
 * (one warm-up, then the median of several runs) in a `python3 -c` subprocess.
 */
import { spawnSync } from 'node:child_process';
import { NdArray } from '../src/data/ndarray.ts';
import {
  gaussfilter,
  gaussian2d,
  gaussianUnion,
  gaussianWeights,
  grid,
  probUnion,
  rbfkernel,
} from '../src/arrays/index.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

/**
 * Median wall time in ms of `runs` calls after five warm-up calls. The warm-ups matter for outputs of many
 * megabytes: until the process's heap has grown to hold them, each new output array is fresh memory from
 * the OS, and on some virtual machines the page faults of a first touch cost more than the arithmetic
 * (2026-12-02 on the CI machine: 32 MB allocated and touched took 120 ms the first times, 2 ms once
 * reused). The JS baselines get the same warm-ups; numpy's allocator reuses its memory from the start.
 */
const time = (f: () => unknown, runs: number): number => timeMedian(f, runs, 5);

/** Deterministic pseudo-random numbers in [0, 1). */
function rand(n: number, seed = 1): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

const H = 1000;
const W = 1000;
const K1 = { mx: 400, my: 500, sx: 30, sy: 30 };
const K2 = { mx: 420, my: 480, sx: 60, sy: 150 };

/** The seed's approach 1: a per-pixel loop with two bivariate normal densities (4 exps per pixel). */
function heatmapLoop(): Float64Array {
  const out = new Float64Array(H * W);
  const pdf = (v: number, m: number, s: number) =>
    Math.exp(-0.5 * ((v - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const p1 = pdf(i, K1.my, K1.sy) * pdf(j, K1.mx, K1.sx);
      const p2 = pdf(i, K2.my, K2.sy) * pdf(j, K2.mx, K2.sx);
      out[i * W + j] = 1 - (1 - p1) * (1 - p2);
    }
  }
  return out;
}

/** The documented fast path: one fused pass over outer products of 1-D factors. */
function heatmapFused(): NdArray {
  const { x, y } = grid([H, W]);
  return gaussianUnion(x, y, [
    { ...K1, normalize: true },
    { ...K2, normalize: true },
  ]);
}

/** The same from whole arrays: two separable gaussian2d images combined by probUnion. */
function heatmapSeparable(): NdArray {
  const { x, y } = grid([H, W]);
  const P1 = gaussian2d(x, y, { ...K1, normalize: true });
  const P2 = gaussian2d(x, y, { ...K2, normalize: true });
  return probUnion([P1, P2]);
}

/** A plain separable Gaussian filter (reflect mode): per tap a boundary check, no blocking or unrolling. */
function filterLoop(img: Float64Array, h: number, w: number, sigma: number): Float64Array {
  const wt = gaussianWeights(sigma);
  const r = wt.length - 1;
  const refl = (p: number, n: number) => {
    const q = ((p % (2 * n)) + 2 * n) % (2 * n);
    return q < n ? q : 2 * n - 1 - q;
  };
  const tmp = new Float64Array(h * w);
  const out = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += wt[Math.abs(k)] * img[refl(i + k, h) * w + j];
      tmp[i * w + j] = acc;
    }
  }
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += wt[Math.abs(k)] * tmp[i * w + refl(j + k, w)];
      out[i * w + j] = acc;
    }
  }
  return out;
}

/** A plain double loop over all pairs: direct squared distance and Math.exp. */
function rbfLoop(x: Float64Array, n: number, d: number, sigma: number): Float64Array {
  const out = new Float64Array(n * n);
  const g = -1 / (2 * sigma * sigma);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = x[i * d + k] - x[j * d + k];
        s += t * t;
      }
      out[i * n + j] = Math.exp(g * s);
    }
  }
  return out;
}

const PY = `
import json, time
import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.stats import multivariate_normal
def med(f, runs):
    f()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort(); return ts[len(ts) // 2]
rng = np.random.default_rng(0)
img = rng.random((2000, 2000))
X = rng.random((2000, 10))
def rbf():
    sq = (X * X).sum(1)
    D = sq[:, None] + sq[None, :] - 2 * X @ X.T
    np.maximum(D, 0, out=D)
    return np.exp(-D / 2.0)
xx, yy = np.meshgrid(np.arange(1000), np.arange(1000))
xy = np.c_[xx.ravel(), yy.ravel()]
k1 = multivariate_normal(mean=(400, 500), cov=np.diag([30.0**2, 30.0**2]))
k2 = multivariate_normal(mean=(420, 480), cov=np.diag([60.0**2, 150.0**2]))
def heat():
    return (1 - (1 - k1.pdf(xy)) * (1 - k2.pdf(xy))).reshape(1000, 1000)
print(json.dumps({"filter": med(lambda: gaussian_filter(img, 3), 7), "rbf": med(rbf, 7), "heatmap": med(heat, 5)}))
`;

function pythonTimes(): { filter: number; rbf: number; heatmap: number } | null {
  try {
    const r = spawnSync('python3', ['-c', PY], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0 || !r.stdout) return null;
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  } catch {
    return null;
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const row = (name: string, ms: number, baselineMs: number, note?: string) =>
    rows.push({ name, ms, baselineMs, ratio: ms / baselineMs, ...(note ? { note } : {}) });

  // 1. heatmap
  const heatMs = time(heatmapFused, 9);
  const heatArraysMs = time(heatmapSeparable, 9);
  const heatLoopMs = time(heatmapLoop, 3);
  row(
    'heatmap 1000x1000 gaussianUnion vs plain JS loop',
    heatMs,
    heatLoopMs,
    'target ratio <= 0.2 (>= 5x faster)',
  );
  row(
    'heatmap 1000x1000 probUnion(gaussian2d x2) vs plain JS loop',
    heatArraysMs,
    heatLoopMs,
    'three 8 MB arrays',
  );

  // 2. gaussfilter
  const img = new NdArray(rand(2000 * 2000, 7), [2000, 2000]);
  const filterMs = time(() => gaussfilter(img, 3), 7);
  const filterLoopMs = time(() => filterLoop(img.data, 2000, 2000, 3), 3);
  row('gaussfilter 2000x2000 sigma 3 vs plain separable JS loop', filterMs, filterLoopMs);

  // 3. rbf
  const X = new NdArray(rand(2000 * 10, 11), [2000, 10]);
  const rbfMs = time(() => rbfkernel(X, undefined, 1), 9);
  const rbfLoopMs = time(() => rbfLoop(X.data, 2000, 10, 1), 3);
  row('rbfkernel 2000 points x 10 dims vs plain JS double loop', rbfMs, rbfLoopMs);

  const py = pythonTimes();
  if (py) {
    row(
      'heatmap 1000x1000 vs numpy/scipy multivariate_normal.pdf',
      heatMs,
      py.heatmap,
      'the seed answer: pdf of all 1e6 points',
    );
    row(
      'gaussfilter 2000x2000 sigma 3 vs scipy.ndimage.gaussian_filter',
      filterMs,
      py.filter,
      'target ratio <= 1.5',
    );
    row('rbfkernel 2000x10 vs numpy (|x|^2+|y|^2-2X@X.T, exp)', rbfMs, py.rbf, 'target ratio <= 1.5');
  } else {
    rows.push({
      name: 'numpy/scipy comparisons',
      ms: NaN,
      baselineMs: NaN,
      ratio: NaN,
      note: 'skipped: python3 with numpy/scipy not found',
    });
  }
  return rows;
}
