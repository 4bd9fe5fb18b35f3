import { parseExpr } from '../src/syntax/index.ts';
import { compileProgram } from '../src/compile/fragments.ts';
import { generateAccumulate } from '../src/batch/kernel.ts';
import { factorSeparableExp } from '../src/batch/separable.ts';
import { sumYLogF } from '../src/batch/fastlog.ts';
const e = factorSeparableExp(parseExpr('A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg'), (n) => n === 'x' ? 2 : n === 'y' ? 1 : 0);
const prog = compileProgram(e, { params: ['A','x0','y0','s','bg'], variables: ['x', 'y'] });
const lay = { levels: 2, variables: [{ mask: 2, unitInner: true }, { mask: 1, unitInner: true }] };
const kl = generateAccumulate(prog, lay, { estimator: 'lse', weighted: false });
const kp = generateAccumulate(prog, lay, { estimator: 'poisson', weighted: false });
const kf = generateAccumulate(prog, lay, { estimator: 'poisson', weighted: false, fisher: true });
const W = 15;
const xs = Float64Array.from({ length: W }, (_, i) => i);
const obs = new Float64Array(W * W * 100).map(() => 10 + Math.round(Math.random() * 5));
const dims = Int32Array.of(W, W), st = Int32Array.of(0, 1, 1, 0);
const tables = [new Float64Array(W), new Float64Array(W), new Float64Array(W), new Float64Array(W)];
const h = new Float64Array(25), g = new Float64Array(5), scr = new Float64Array(W * W), bits = new Uint32Array(scr.buffer);
const p = Float64Array.of(500, 7, 7, 1.5, 10), f = new Float64Array(0);
const arrays = [xs, xs];
let s = 0;
const T = (name: string, fn: (i: number) => number) => { const t0 = performance.now(); for (let i = 0; i < 200000; i++) { p[1] = 7 + (i % 7) * 0.01; s += fn(i); } console.log(name, ((performance.now() - t0) * 1000 / 200000).toFixed(3)); };
for (let rep = 0; rep < 3; rep++) {
  T('lse', (i) => kl.fn(p, f, dims, st, arrays, tables, obs, (i % 100) * 225, null, h, g, scr, 0));
  T('poisson kern', (i) => kp.fn(p, f, dims, st, arrays, tables, obs, (i % 100) * 225, null, h, g, scr, 0));
  T('fisher kern', (i) => kf.fn(p, f, dims, st, arrays, tables, obs, (i % 100) * 225, null, h, g, scr, 0));
  T('log sum', (i) => sumYLogF(obs, (i % 100) * 225, null, scr, bits, 0, 225));
  T('Math.log sum', (i) => { let q = 0; const o = (i % 100) * 225; for (let k = 0; k < 225; k++) q += obs[o + k] * Math.log(scr[k]); return q; });
}
console.log(s > 0);
