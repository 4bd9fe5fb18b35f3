import { prepareMany } from '../src/batch/fitMany.ts';
import { contextFor, allocOutput } from '../src/batch/problem.ts';
import { solveRange } from '../src/batch/lm.ts';
import { NdArray } from '../src/data/ndarray.ts';
let seed = 12345;
const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; };
const N = 10000, W = 15;
const obs = new Float64Array(N * W * W);
for (let i = 0; i < N; i++) { const x0 = 7 + rnd() - 0.5, y0 = 7 + rnd() - 0.5;
  for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) { const f = 500 * Math.exp(-((c - x0) ** 2 + (r - y0) ** 2) / 4.5) + 10; obs[i * 225 + r * W + c] = Math.round(f + Math.sqrt(f) * (rnd() + rnd() + rnd() - 1.5) * 2); } }
const x = new NdArray(Float64Array.from({ length: W }, (_, i) => i), [1, W]);
const y = new NdArray(Float64Array.from({ length: W }, (_, i) => i), [W, 1]);
const prep = prepareMany('z = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg', { z: new NdArray(obs, [N, W, W]), x, y }, { A: 450, x0: 7.3, y0: 6.8, s: 1.7, bg: 9 }, {});
const ctx = contextFor(prep.setup);
const out = allocOutput(N, 5, false);
const h = new Float64Array(25), g = new Float64Array(5), f = new Float64Array(0), p = Float64Array.of(500, 7, 7, 1.5, 10);
for (let rep = 0; rep < 5; rep++) {
  let t0 = performance.now();
  let s = 0;
  for (let i = 0; i < 100000; i++) s += ctx.evaluate(p, f, (i % N) * 225, h, g, 0);
  const te = (performance.now() - t0) * 10;
  t0 = performance.now();
  solveRange(ctx, out, 0, N);
  const tf = (performance.now() - t0) * 1000 / N;
  let it = 0; for (let i = 0; i < N; i++) it += out.iterations[i];
  console.log('eval', te.toFixed(3), 'us; fit', tf.toFixed(2), 'us; evals/fit', (it / N + 1).toFixed(2), s > 0);
}
