/** Seeded random numbers and synthetic spot images for the batch tests. */
import { NdArray } from '../../src/data/ndarray.ts';

/** mulberry32: a small seeded uniform generator on [0, 1) (the multi-start sampler's). */
export { mulberry32 as rng } from '../../src/solver/multistart.ts';

/** Standard normal (Box–Muller). */
export function normal(u: () => number): number {
  let a = u();
  while (a === 0) a = u();
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

const LOG_FACT: number[] = [0];
function logFactorial(k: number): number {
  if (k < 256) {
    while (LOG_FACT.length <= k) LOG_FACT.push(LOG_FACT[LOG_FACT.length - 1] + Math.log(LOG_FACT.length));
    return LOG_FACT[k];
  }
  // Stirling series
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
}

/**
 * An exact Poisson variate: multiplication of uniforms for small means, Hörmann's transformed rejection with
 * squeeze (PTRS, 1993) from mean 10 up.
 */
export function poisson(u: () => number, lambda: number): number {
  if (lambda < 10) {
    const L = Math.exp(-lambda);
    let k = 0;
    let p = u();
    while (p > L) {
      k++;
      p *= u();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = u() - 0.5;
    const V = u();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (
      Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * loglam - logFactorial(k)
    )
      return k;
  }
}

export interface TrueSpot {
  x: number;
  y: number;
  amplitude: number;
  sigmaX: number;
  sigmaY: number;
  theta: number;
}

/** Expected image: background + Σ amplitude·exp(-u²/2sx² - v²/2sy²) sampled at pixel centres (0-based). */
export function spotImage(
  w: number,
  h: number,
  spots: readonly TrueSpot[],
  background: number,
): Float64Array {
  const img = new Float64Array(w * h).fill(background);
  for (const s of spots) {
    const r = Math.ceil(7 * Math.max(s.sigmaX, s.sigmaY));
    const c = Math.cos(s.theta);
    const sn = Math.sin(s.theta);
    for (let y = Math.max(0, Math.floor(s.y) - r); y <= Math.min(h - 1, Math.floor(s.y) + r); y++) {
      for (let x = Math.max(0, Math.floor(s.x) - r); x <= Math.min(w - 1, Math.floor(s.x) + r); x++) {
        const dx = x - s.x;
        const dy = y - s.y;
        const uu = dx * c + dy * sn;
        const vv = dy * c - dx * sn;
        img[y * w + x] +=
          s.amplitude * Math.exp(-(uu * uu) / (2 * s.sigmaX ** 2) - (vv * vv) / (2 * s.sigmaY ** 2));
      }
    }
  }
  return img;
}

/** Poisson counts of an expected image. */
export function poissonImage(u: () => number, mean: Float64Array, w: number, h: number): NdArray {
  const out = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) out[i] = poisson(u, mean[i]);
  return new NdArray(out, [h, w]);
}

/** Greedy matching of found to true positions within `radius`: matched pairs (true index, found index). */
export function matchSpots(
  truth: readonly { x: number; y: number }[],
  fx: ArrayLike<number>,
  fy: ArrayLike<number>,
  radius: number,
): [number, number][] {
  const pairs: { d: number; t: number; f: number }[] = [];
  for (let t = 0; t < truth.length; t++) {
    for (let f = 0; f < fx.length; f++) {
      const d = Math.hypot(truth[t].x - fx[f], truth[t].y - fy[f]);
      if (d <= radius) pairs.push({ d, t, f });
    }
  }
  pairs.sort((a, b) => a.d - b.d);
  const usedT = new Set<number>();
  const usedF = new Set<number>();
  const out: [number, number][] = [];
  for (const p of pairs) {
    if (usedT.has(p.t) || usedF.has(p.f)) continue;
    usedT.add(p.t);
    usedF.add(p.f);
    out.push([p.t, p.f]);
  }
  return out;
}
