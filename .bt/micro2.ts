import { parseExpr } from '../src/syntax/index.ts';
import { compileProgram } from '../src/compile/fragments.ts';
import { generateAccumulate } from '../src/batch/kernel.ts';
import { R } from '../src/functions/runtime.ts';
const prog = compileProgram(parseExpr('A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg'), { params: ['A','x0','y0','s','bg'], variables: ['x', 'y'] });
const k = generateAccumulate(prog, { levels: 2, variables: [{ mask: 2, unitInner: true }, { mask: 1, unitInner: true }] }, { estimator: 'lse', weighted: false });
const variants: Record<string, string> = {
  orig: k.source,
  noguard: k.source.replace(/if \(!\(t7[^}]*\}\n/s, ''),
};
const W = 15;
const xs = Float64Array.from({ length: W }, (_, i) => i);
const obs = new Float64Array(W * W * 100).map(() => 10 + Math.random() * 5);
const dims = Int32Array.of(W, W), st = Int32Array.of(0, 1, 1, 0);
const tables = [new Float64Array(W)];
const h = new Float64Array(25), g = new Float64Array(5), scr = new Float64Array(1);
const p = Float64Array.of(500, 7, 7, 1.5, 10), f = new Float64Array(0);
const arrays = [xs, xs];
let s = 0;
for (const [name, src] of Object.entries(variants)) {
  if (name === 'noguard') console.log(src.slice(src.indexOf('for (let i3'), src.indexOf('for (let i3') + 300));
  const fn = new Function('R', 'return ' + src)(R);
  for (let rep = 0; rep < 4; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < 200000; i++) { p[1] = 7 + (i % 7) * 0.01; s += fn(p, f, dims, st, arrays, tables, obs, (i % 100) * 225, null, h, g, scr, 0); }
    console.log(name, ((performance.now() - t0) * 1000 / 200000).toFixed(3), 'us/eval');
  }
}
console.log(s > 0);
