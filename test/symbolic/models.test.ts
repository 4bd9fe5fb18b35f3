import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { differentiate } from '../../src/symbolic/differentiate.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { simplify } from '../../src/symbolic/simplify.ts';
import { cse } from '../../src/symbolic/cse.ts';
import { printExpr } from '../../src/ast/print.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { close, finiteDifference } from '../helpers/arbitraryExpr.ts';
import { SEED_MODELS } from './helpers.ts';

interface NistProblem {
  name: string;
  expr: string;
  params: string[];
  variables: string[];
  start1: number[];
  certified: number[];
  data: Record<string, number[]>;
}

const nist = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/nist-strd/problems.json', import.meta.url)), 'utf8'),
) as { problems: NistProblem[] };

function checkAllPartials(
  text: string,
  params: Record<string, number>,
  points: Record<string, number>[],
): void {
  const f = parseExpr(text); // with call checking: every model uses builtins only
  for (const p of Object.keys(params)) {
    const df = differentiate(f, p);
    for (const point of points) {
      const scope = { ...params, ...point };
      const fd = finiteDifference((v) => evaluate(f, { ...scope, [p]: v }), scope[p]);
      const sym = evaluate(df, scope);
      if (!(fd.smooth && close(sym, fd.value, 1e-6, fd.error))) {
        throw new Error(
          `d/d${p} ${text} = ${printExpr(df)}: ${sym} vs ${fd.value} at ${JSON.stringify(scope)}`,
        );
      }
    }
  }
}

describe('seed models: every partial derivative matches finite differences', () => {
  it.each(SEED_MODELS.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const vars = Object.keys(m.variables);
    const points = m.variables[vars[0]].map((_, i) =>
      Object.fromEntries(vars.map((v) => [v, m.variables[v][i]])),
    );
    checkAllPartials(m.expr, m.params, points);
  });
});

describe('NIST StRD models: every partial derivative matches finite differences', () => {
  it.each(nist.problems.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    const n = p.data[p.variables[0]].length;
    const idx = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n - 1];
    const points = idx.map((i) => Object.fromEntries(p.variables.map((v) => [v, p.data[v][i]])));
    for (const values of [p.start1, p.certified]) {
      const params = Object.fromEntries(p.params.map((name, i) => [name, values[i]]));
      checkAllPartials(p.expr, params, points);
    }
  });

  it.each(nist.problems.map((p) => [p.name, p] as const))(
    '%s: value, partials and CSE agree with the original',
    (_n, p) => {
      const f = parseExpr(p.expr);
      const s = simplify(f);
      const r = cse([s, ...p.params.map((q) => differentiate(f, q))]);
      const scope: Record<string, number> = Object.fromEntries(p.params.map((q, i) => [q, p.certified[i]]));
      for (const v of p.variables) scope[v] = p.data[v][1];
      const withTemps: Record<string, number> = { ...scope };
      for (const t of r.temps) withTemps[t.name] = evaluate(t.expr, withTemps);
      expect(close(evaluate(r.outputs[0], withTemps), evaluate(f, scope), 1e-13)).toBe(true);
    },
  );
});
