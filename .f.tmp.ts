import { parseExpr } from './src/syntax/index.ts';
import { printExpr } from './src/ast/print.ts';
import { differentiate } from './src/symbolic/differentiate.ts';
import { evaluate } from './src/symbolic/evaluate.ts';
import { finiteDifference } from './test/helpers/arbitraryExpr.ts';
const e = parseExpr('lgamma(erf(sqrt(0.41436985241473834/x)))');
const d = differentiate(e, 'x');
console.log(printExpr(d), evaluate(d, { x: 0.0137 }), evaluate(e, { x: 0.0137 }));
for (const s of [1e-3, 1e-4, 1e-5]) console.log(finiteDifference((x) => evaluate(e, { x }), 0.0137, s));
