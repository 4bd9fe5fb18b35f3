import { compileModel } from '../src/compile/kernel.ts';
import { parseExpr } from '../src/syntax/index.ts';
import { NdArray } from '../src/data/ndarray.ts';
const n = 5, K = 3;
const B = new NdArray(Float64Array.from({length: n*K}, (_, i) => Math.sin(i+1)), [n, K]);
const x = new NdArray(Float64Array.from({length: n}, (_, i) => i/2));
const k = compileModel(parseExpr('a*exp(dot(B, beta)) + beta[1]*x'), { params: ['a', 'beta[0]', 'beta[1]'], fixed: ['beta[2]'], variables: ['B', 'x', 'beta[1]'].slice(0,2) });
const y = new Float64Array(n).fill(1);
const b = k.bind({ B, x }, { observed: y, weights: 2 });
const p = Float64Array.from([1.5, 0.2, -0.3]); const f = Float64Array.from([0.1]);
const out = new Float64Array(n), jac = new Float64Array(n*3);
b.residualsAndJacobian(p, f, out, jac);
console.log(out, jac);
// numeric
const o2 = new Float64Array(n);
for (let j=0;j<3;j++){ const q=p.slice(); q[j]+=1e-7; b.residuals(q,f,o2); console.log(j, Array.from(o2, (v,i)=>((v-out[i])/1e-7 - jac[i*3+j]).toExponential(1)).join(' ')); }
