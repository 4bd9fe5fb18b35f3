import { NdArray } from '../src/data/ndarray.ts';
import { prepareMany } from '../src/batch/fitMany.ts';
import { contextFor, allocOutput } from '../src/batch/problem.ts';
import { solveRange } from '../src/batch/lm.ts';
let seed = 12345;
const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; };
function poisson(l: number) { if (l < 30) { let L = Math.exp(-l), k = 0, p = 1; do { k++; p *= rnd(); } while (p > L); return k - 1; }
  const u = rnd(), v = rnd(); return Math.max(0, Math.round(l + Math.sqrt(l) * Math.sqrt(-2 * Math.log(u + 1e-300)) * Math.cos(2 * Math.PI * v))); }
const N = 10000, W = 15;
const obs = new Float64Array(N * W * W);
const starts = { A: new Float64Array(N), x0: new Float64Array(N), y0: new Float64Array(N), s: new Float64Array(N), bg: new Float64Array(N) };
for (let i = 0; i < N; i++) {
  const A = 500, x0 = 7 + rnd() - 0.5, y0 = 7 + rnd() - 0.5, s = 1.5, bg = 10;
  for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) obs[i * W * W + r * W + c] = poisson(A * Math.exp(-((c - x0) ** 2 + (r - y0) ** 2) / (2 * s * s)) + bg);
  const pert = () => 1 + 0.4 * (rnd() - 0.5);
  starts.A[i] = A * pert(); starts.s[i] = s * pert(); starts.bg[i] = bg * pert();
  starts.x0[i] = x0 + 1.5 * (rnd() - 0.5); starts.y0[i] = y0 + 1.5 * (rnd() - 0.5);
}
const x = new NdArray(Float64Array.from({ length: W }, (_, i) => i), [1, W]);
const y = new NdArray(Float64Array.from({ length: W }, (_, i) => i), [W, 1]);
const mode = process.argv[2] ?? 'vary';
const prep = prepareMany('z = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg', { z: new NdArray(obs, [N, W, W]), x, y }, mode === 'vary' ? starts : { A: 450, x0: 7.3, y0: 6.8, s: 1.7, bg: 9 }, {});
const ctx = contextFor(prep.setup);
const out = allocOutput(N, 5, false);
for (let rep = 0; rep < 6; rep++) {
  const t0 = performance.now();
  solveRange(ctx, out, 0, N);
  const tf = (performance.now() - t0) * 1000 / N;
  let it = 0; for (let i = 0; i < N; i++) it += out.iterations[i];
  console.log(mode, 'fit', tf.toFixed(2), 'us; evals/fit', (it / N + 1).toFixed(2));
}
