import { readFileSync } from 'node:fs';
import { parseExpr } from './src/syntax/index.ts';
import { printExpr } from './src/ast/print.ts';
import { simplify } from './src/symbolic/simplify.ts';
import { differentiate } from './src/symbolic/differentiate.ts';
const nist = JSON.parse(readFileSync('test/fixtures/nist-strd/problems.json', 'utf8'));
const seen = new Set();
for (const p of nist.problems) {
  if (seen.has(p.expr)) continue; seen.add(p.expr);
  const f = parseExpr(p.expr);
  console.log(`\n${p.name}: ${p.expr}\n  = ${printExpr(simplify(f))}`);
  for (const q of p.params) console.log(`  d/d${q} = ${printExpr(differentiate(f, q))}`);
}
