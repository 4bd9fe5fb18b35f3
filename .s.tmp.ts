import { parseExpr } from './src/syntax/index.ts';
import { printExpr } from './src/ast/print.ts';
import { simplify } from './src/symbolic/simplify.ts';
import { differentiate } from './src/symbolic/differentiate.ts';
import { cse } from './src/symbolic/cse.ts';
const P = (t: string) => parseExpr(t, { checkCalls: false });
for (const t of ['2*x + 3*x', 'x - x', 'x*x', 'x^a*x^b', '-(x - x0)', '(x0 - x)^2', 'a*(x0-x)', '1 - exp(-b2*x)', 'x/2 + x/3', '(2*x)^2', '2^3*x', 'log(exp(y))', 'b1+b2*x+b3*x^2', 'x^2 + 2*x*y + y^2', '--x', '0*x + 1*y', 'x/x', '(x^2)^0.5', 'sqrt(x^2)', '1/0', 'cos(-x)', 'sin(-2*x)', 'if(1, a, b)', 'x - 1', '-x - 1', 'ln(x)', 'pow(x, 3)', 'exp(x)*exp(x)', 'b1*(b2+x)^(-1/b3)', '(x-x0)^2/(2*sx^2)'])
  console.log(t.padEnd(24), '=>', printExpr(simplify(P(t))));
const gauss = 'A*exp(-(((x-x0)*cos(t)+(y-y0)*sin(t))^2/(2*sx^2) + (-(x-x0)*sin(t)+(y-y0)*cos(t))^2/(2*sy^2))) + off';
const params = ['A', 'x0', 'y0', 'sx', 'sy', 't', 'off'];
const f = P(gauss);
for (const p of params) console.log('d/d' + p, printExpr(differentiate(f, p)));
for (let rep = 0; rep < 5; rep++) {
  const t0 = performance.now();
  const g = P(gauss + ' + 0*z' + rep);
  const v = simplify(g);
  const ds = params.map((p) => differentiate(g, p));
  const r = cse([v, ...ds]);
  const t1 = performance.now();
  console.log('time', (t1 - t0).toFixed(3), 'ms temps', r.temps.length);
  if (rep === 4) { for (const t of r.temps) console.log(t.name, '=', printExpr(t.expr)); r.outputs.forEach((o) => console.log('out', printExpr(o))); }
}
