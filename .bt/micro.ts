import { parseExpr } from '../src/syntax/index.ts';
import { compileProgram } from '../src/compile/fragments.ts';
import { generateAccumulate } from '../src/batch/kernel.ts';
const prog = compileProgram(parseExpr('A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg'), { params: ['A','x0','y0','s','bg'], variables: ['x', 'y'] });
const k = generateAccumulate(prog, { levels: 2, variables: [{ mask: 2, unitInner: true }, { mask: 1, unitInner: true }] }, { estimator: 'lse', weighted: false });
const W = 15;
const xs = Float64Array.from({ length: W }, (_, i) => i);
const obs = new Float64Array(W * W * 100).map(() => 10 + Math.random() * 5);
const dims = Int32Array.of(W, W), st = Int32Array.of(0, 1, 1, 0);
const tables = [new Float64Array(W)];
const h = new Float64Array(25), g = new Float64Array(5), scr = new Float64Array(1);
const p = Float64Array.of(500, 7, 7, 1.5, 10), f = new Float64Array(0);
const arrays = [xs, xs];
let s = 0;
for (let rep = 0; rep < 5; rep++) {
  const t0 = performance.now();
  for (let i = 0; i < 200000; i++) { p[1] = 7 + (i % 7) * 0.01; s += k.fn(p, f, dims, st, arrays, tables, obs, (i % 100) * 225, null, h, g, scr, 0); }
  console.log(((performance.now() - t0) * 1000 / 200000).toFixed(3), 'us/eval');
}
// hand-written
function hand(p: Float64Array, obs: Float64Array, off: number, h: Float64Array, g: Float64Array, ex: Float64Array) {
  const A = p[0], x0 = p[1], y0 = p[2], sg = p[3], bg = p[4];
  const is2 = 1 / (sg * sg), k = 0.5 * is2;
  for (let c = 0; c < 15; c++) { const d = c - x0; ex[c] = Math.exp(-k * d * d); }
  let chi = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, h00 = 0, h01 = 0, h02 = 0, h03 = 0, h04 = 0, h11 = 0, h12 = 0, h13 = 0, h14 = 0, h22 = 0, h23 = 0, h24 = 0, h33 = 0, h34 = 0, h44 = 0;
  let idx = off;
  const is3 = is2 / sg;
  for (let r = 0; r < 15; r++) {
    const dy = r - y0; const ey = Math.exp(-k * dy * dy);
    for (let c = 0; c < 15; c++) {
      const dx = c - x0;
      const e = ex[c] * ey; const ae = A * e;
      const fv = ae + bg; const res = obs[idx++] - fv;
      const d1 = ae * dx * is2, d2 = ae * dy * is2, d3 = ae * (dx * dx + dy * dy) * is3;
      chi += res * res;
      g0 += res * e; g1 += res * d1; g2 += res * d2; g3 += res * d3; g4 += res;
      h00 += e * e; h01 += e * d1; h02 += e * d2; h03 += e * d3; h04 += e;
      h11 += d1 * d1; h12 += d1 * d2; h13 += d1 * d3; h14 += d1;
      h22 += d2 * d2; h23 += d2 * d3; h24 += d2; h33 += d3 * d3; h34 += d3; h44 += 1;
    }
  }
  g[0] = g0; g[1] = g1; g[2] = g2; g[3] = g3; g[4] = g4;
  h[0] = h00; h[1] = h01; h[2] = h02; h[3] = h03; h[4] = h04; h[6] = h11; h[7] = h12; h[8] = h13; h[9] = h14; h[12] = h22; h[13] = h23; h[14] = h24; h[18] = h33; h[19] = h34; h[24] = h44;
  return chi;
}
const ex = new Float64Array(15);
for (let rep = 0; rep < 5; rep++) {
  const t0 = performance.now();
  for (let i = 0; i < 200000; i++) { p[1] = 7 + (i % 7) * 0.01; s += hand(p, obs, (i % 100) * 225, h, g, ex); }
  console.log('hand', ((performance.now() - t0) * 1000 / 200000).toFixed(3), 'us/eval');
}
console.log(s > 0);
