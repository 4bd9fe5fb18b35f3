/** The REPL runs constrain, minimize and maximize, completes them and their options (docs/constraints.md). */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCompleter } from '../../src/repl/completer.ts';
import { Session } from '../../src/repl/session.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-repl-constraints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function session() {
  const out: string[] = [];
  const errors: unknown[] = [];
  const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: dir });
  return { s, out, errors };
}

describe('constraints and minimize in the REPL', () => {
  it('a constrained fit, then a constrained maximum', async () => {
    const { s, out, errors } = session();
    await s.handle('x = [0, 1, 2, 3, 4]\ny = [0.2, 0.9, 2.2, 2.8, 4.1]\nmodel y = a + b*x');
    expect(await s.handle('constrain a + b == 1\n')).toBe('ok');
    expect(await s.handle('fit\n')).toBe('ok');
    expect(out.join('\n')).toMatch(/fit 1: converged/);
    expect(s.interp.fits[0].values.a + s.interp.fits[0].values.b).toBeCloseTo(1, 9);
    await s.handle('constrain clear\nparam u = -1, v = 1\nconstrain v - 1 >= 0 u^3 == v');
    expect(await s.handle('maximize 2*u*v + 2*u - u^2 - 2*v^2\n')).toBe('ok');
    expect(out.at(-1)).toMatch(/maximum {16}= 1\n/);
    expect(errors).toEqual([]);
  });

  it('completes the commands and their options', async () => {
    const { s } = session();
    const c = makeCompleter(s.interp, dir);
    expect(c('constr')[0]).toEqual(['constrain']);
    expect(c('minim')[0]).toContain('minimize');
    expect(c('minimize x^2 meth')[0]).toEqual(['method=']);
  });
});
