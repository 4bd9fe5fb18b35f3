import { NdArray } from '../src/data/ndarray.ts';
import { fitManySync, fitMany } from '../src/batch/fitMany.ts';
import { closeBatchPool } from '../src/batch/pool.ts';
// data: 10000 ROIs 15x15
let seed = 12345;
const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; };
function poisson(l: number) { // normal approx for quick test
  if (l < 30) { let L = Math.exp(-l), k = 0, p = 1; do { k++; p *= rnd(); } while (p > L); return k - 1; }
  const u = rnd(), v = rnd(); return Math.max(0, Math.round(l + Math.sqrt(l) * Math.sqrt(-2 * Math.log(u + 1e-300)) * Math.cos(2 * Math.PI * v)));
}
const N = Number(process.argv[2] ?? 10000), W = 15;
const obs = new Float64Array(N * W * W);
const truth: number[][] = [];
const starts = { A: new Float64Array(N), x0: new Float64Array(N), y0: new Float64Array(N), s: new Float64Array(N), bg: new Float64Array(N) };
for (let i = 0; i < N; i++) {
  const A = 500, x0 = 7 + rnd() - 0.5, y0 = 7 + rnd() - 0.5, s = 1.5, bg = 10;
  truth.push([A, x0, y0, s, bg]);
  for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) {
    const f = A * Math.exp(-((c - x0) ** 2 + (r - y0) ** 2) / (2 * s * s)) + bg;
    obs[i * W * W + r * W + c] = poisson(f);
  }
  const pert = () => 1 + 0.4 * (rnd() - 0.5);
  starts.A[i] = A * pert(); starts.s[i] = s * pert(); starts.bg[i] = bg * pert();
  starts.x0[i] = x0 + 1.5 * (rnd() - 0.5); starts.y0[i] = y0 + 1.5 * (rnd() - 0.5);
}
const x = new NdArray(Float64Array.from({ length: W }, (_, i) => i), [1, W]);
const y = new NdArray(Float64Array.from({ length: W }, (_, i) => i), [W, 1]);
const data = { z: new NdArray(obs, [N, W, W]), x, y };
const model = 'z = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg';
for (const est of ['lse', 'poisson'] as const) {
  for (let rep = 0; rep < 4; rep++) {
    const t0 = performance.now();
    const r = fitManySync(model, data, starts, { estimator: est });
    const t = performance.now() - t0;
    let it = 0; for (let i = 0; i < N; i++) it += r.iterations[i];
    console.log(est, (t * 1000 / N).toFixed(2), 'us/fit', 'conv', r.converged, 'meanit', (it / N).toFixed(2), 'x0 err', Math.sqrt(truth.reduce((a, t, i) => a + (r.values.x0[i] - t[1]) ** 2, 0) / N).toFixed(4));
  }
}
if (process.argv[3] === 't') {
  const r1 = fitManySync(model, data, starts, {});
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const r2 = await fitMany(model, data, starts, { threads: 2 });
    const t = performance.now() - t0;
    let same = true; for (let i = 0; i < N; i++) if (!Object.is(r1.values.x0[i], r2.values.x0[i])) same = false;
    console.log('threads2', (t * 1000 / N).toFixed(2), 'us/fit', same);
  }
  await closeBatchPool();
}
{
  const { prepareMany, runPrepared } = await import('../src/batch/fitMany.ts');
  for (let rep = 0; rep < 4; rep++) {
    const t0 = performance.now();
    const prep = prepareMany(model, data, starts, {});
    const t1 = performance.now();
    const r = await runPrepared(prep);
    const t2 = performance.now();
    console.log('prepare', ((t1 - t0) * 1000 / N).toFixed(2), 'solve', ((t2 - t1) * 1000 / N).toFixed(2), r.elapsedMs);
  }
}
