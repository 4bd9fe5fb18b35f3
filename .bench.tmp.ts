import { parseExpr } from './src/syntax/index.ts';
import { simplify } from './src/symbolic/simplify.ts';
import { differentiate } from './src/symbolic/differentiate.ts';
import { cse } from './src/symbolic/cse.ts';
const text = 'amplitude*exp(-(((x-x0)*cos(theta)+(y-y0)*sin(theta))^2/(2*sx^2) + (-(x-x0)*sin(theta)+(y-y0)*cos(theta))^2/(2*sy^2))) + offset';
const params = ['amplitude', 'x0', 'y0', 'sx', 'sy', 'theta', 'offset'];
function once() {
  const f = parseExpr(text);
  const t0 = performance.now();
  const v = simplify(f);
  const ds = params.map((p) => differentiate(f, p));
  const t1 = performance.now();
  const r = cse([v, ...ds]);
  const t2 = performance.now();
  return [t1 - t0, t2 - t1, r.temps.length];
}
for (let i = 0; i < 200; i++) once();
const N = 500; let a = 0, b = 0; const all: number[] = [];
for (let i = 0; i < N; i++) { const [x, y] = once() as number[]; a += x; b += y; all.push(x + y); }
all.sort((p, q) => p - q);
console.log(`diff+simplify ${(a / N).toFixed(3)} ms, cse ${(b / N).toFixed(3)} ms, median total ${all[N >> 1].toFixed(3)} ms, p90 ${all[Math.floor(N * 0.9)].toFixed(3)}`);
let tp = performance.now(); for (let i = 0; i < N; i++) parseExpr(text); console.log('parse', ((performance.now() - tp) / N).toFixed(3), 'ms');
