import { parseExpr } from '../src/syntax/index.ts';
import { simplify, differentiate } from '../src/symbolic/index.ts';
import { printExpr } from '../src/ast/print.ts';
const e = parseExpr('A*(exp(-(x-x0)^2/(2*s^2))*exp(-(y-y0)^2/(2*s^2))) + bg');
console.log(printExpr(simplify(e)));
for (const p of ['A','x0','s']) console.log(p, printExpr(differentiate(e, p)));
