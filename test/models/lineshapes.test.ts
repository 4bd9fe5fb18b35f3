/**
 * Each named model's formula against lmfit's own Model classes (test/fixtures/lmfit/models.json,
 * written by scripts/models-fixtures.py with lmfit 1.1.0): the expanded formula evaluated by the reference
 * evaluator, and by a compiled kernel.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseModelText } from '../../src/model/model.ts';
import { evaluate } from '../../src/symbolic/index.ts';
import { compileValues } from '../../src/compile/index.ts';
import { namedModels } from '../../src/models/registry.ts';

interface LineshapeCase {
  name: string;
  params: Record<string, number>;
  degree: number | null;
  x: number[];
  y?: number[];
  values: number[];
}

const FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/lmfit/models.json', import.meta.url), 'utf8'),
) as { lineshapes: LineshapeCase[] };

function modelText(c: LineshapeCase): string {
  const args = c.y ? 'x, y' : c.degree !== null ? `x, ${c.degree}` : 'x';
  return `z = ${c.name}(${args})`;
}

describe('named model lineshapes against lmfit', () => {
  it('covers every model of the table', () => {
    const covered = new Set(FIXTURE.lineshapes.map((c) => c.name));
    expect(
      namedModels()
        .filter((m) => !covered.has(m.name))
        .map((m) => m.name),
    ).toEqual([]);
  });

  it.each(FIXTURE.lineshapes.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const expr = parseModelText(modelText(c)).equations[0].expanded;
    const params = Object.keys(c.params);
    const kernel = compileValues(expr, { params, variables: c.y ? ['x', 'y'] : ['x'] });
    const data: Record<string, Float64Array> = { x: Float64Array.from(c.x) };
    if (c.y) data.y = Float64Array.from(c.y);
    const bound = kernel.bind(data);
    const out = new Float64Array(bound.size);
    bound.values(Float64Array.from(params.map((p) => c.params[p])), new Float64Array(0), out);
    c.x.forEach((x, i) => {
      const scope = { ...c.params, x, ...(c.y ? { y: c.y[i] } : {}) };
      const want = c.values[i];
      const tol = 1e-12 * Math.max(1, Math.abs(want));
      expect(Math.abs(evaluate(expr, scope) - want), `${c.name} at x=${x}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[i] - want), `${c.name} kernel at x=${x}`).toBeLessThanOrEqual(tol);
    });
  });
});
