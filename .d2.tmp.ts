import { parseExpr } from './src/syntax/index.ts';
import { printExpr } from './src/ast/print.ts';
import { differentiate } from './src/symbolic/differentiate.ts';
import { evaluate } from './src/symbolic/evaluate.ts';
const e = parseExpr('(x^exp(5.2))^x');
const d = differentiate(e, 'x'); console.log(printExpr(d), evaluate(d, {x: 0.0137}), evaluate(e, {x: 0.0137}));
