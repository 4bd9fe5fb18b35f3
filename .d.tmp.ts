import { parseExpr } from './src/syntax/index.ts';
import { printExpr } from './src/ast/print.ts';
import { simplify } from './src/symbolic/simplify.ts';
const P = (t: string) => parseExpr(t, { checkCalls: false });
for (const t of process.argv.slice(2)) {
  const a = simplify(P(t)); const b = simplify(P(printExpr(a)));
  console.log(t, '=>', printExpr(a), '=>', printExpr(b));
}
