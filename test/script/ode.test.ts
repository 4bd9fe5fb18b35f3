/**
 * ODE systems in `.fit` scripts and the REPL: the `ode` statement, model lines as outputs (unequal lengths),
 * the integrator's options on `fit`, positioned errors, and the static check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/syntax/index.ts';
import { checkStatements } from '../../src/script/check.ts';
import { Session } from '../../src/repl/session.ts';
import { csvText, errorOf, exec, freshSessions, writeFile } from './helpers.ts';

const fresh = freshSessions();

interface Case {
  name: string;
  data: Record<string, number[]>;
  values: Record<string, number>;
  stderr: Record<string, number>;
}
const chain = (
  JSON.parse(readFileSync(new URL('../fixtures/ode/scipy.json', import.meta.url), 'utf8')) as {
    cases: Case[];
  }
).cases.find((c) => c.name === 'chain')!;

const SCRIPT = `data "a.csv"
data "b.csv"
ode D(A, t) = -k1*A, D(B, t) = k1*A - k2*B,
    A(0) = A0, B(0) = 0
param k1 = 1, k2 = 0.5, A0 = 1
model yA = A(tA)
model yB = B(tB)
fit rtol=1e-10 atol=1e-12 ode_method=auto
`;

function withData() {
  const run = fresh();
  writeFile(run, 'a.csv', csvText({ tA: chain.data.tA, yA: chain.data.yA }));
  writeFile(run, 'b.csv', csvText({ tB: chain.data.tB, yB: chain.data.yB }));
  return run;
}

describe('ode statement', () => {
  it('fits outputs of unequal lengths as scipy does', async () => {
    const run = withData();
    await exec(run, SCRIPT);
    const fit = run.interp.fits[0];
    for (const [n, v] of Object.entries(chain.values)) {
      expect(Math.abs(fit.values[n] / v - 1)).toBeLessThan(1e-6);
      expect(Math.abs(fit.params[n].stderr / chain.stderr[n] - 1)).toBeLessThan(1e-4);
    }
    expect(run.interp.lookup('k1') as number).toBeCloseTo(chain.values.k1, 6);
    expect((run.interp.variables.get('model_yB') as { size: number }).size).toBe(chain.data.tB.length);
  });

  it('bands (at the data) and saves after an ODE fit', async () => {
    const run = withData();
    await exec(run, SCRIPT + 'band\nsave "fit.json"\n');
    expect(JSON.parse(readFileSync(join(run.dir, 'fit.json'), 'utf8')).params.k1.value).toBeCloseTo(
      chain.values.k1,
      6,
    );
    expect([...run.out, ...run.info].join('\n')).toMatch(/confidence band of yA at 12 points/);
  });

  it('passes the static check', async () => {
    const run = withData();
    const source = { text: SCRIPT, file: join(run.dir, 'test.fit') };
    await expect(checkStatements(parseScript(SCRIPT), source, { baseDir: run.dir })).resolves.toBeDefined();
  });

  it('points at an undeclared name with a suggestion', async () => {
    const run = withData();
    const e = await errorOf(() => exec(run, SCRIPT.replace('k1*A - k2*B', 'k1*A - kk2*B')));
    expect(e.message).toMatch(/unknown name 'kk2'/);
    expect([e.span?.line, e.span?.column]).toEqual([3, 39]);
  });

  it('takes an undeclared name one letter from a state for a misspelt state', async () => {
    const text = 't = [0, 1, 2]\ny = [1, 0.5, 0.25]\node D(u, t) = -k*uu, u(0) = u0\nmodel y = u\nfit';
    const e = await errorOf(() => exec(fresh(), text));
    expect(e.message).toMatch(/unknown name 'uu': neither a state/);
    expect([e.span?.line, e.span?.column]).toEqual([3, 18]);
    expect(e.hints[0]).toBe("did you mean 'u'?");
  });

  it('says that outputs are model lines', async () => {
    const e = await errorOf(() => exec(fresh(), 'ode D(u, t) = -k*u, u(0) = 1, y = u'));
    expect(e.message).toMatch(/'y = \.\.\.' is an output: write it as a model line/);
    expect(e.hints).toContain('model y = u');
  });

  it('rejects a wrong integrator option by name', async () => {
    const run = withData();
    const e = await errorOf(() => exec(run, SCRIPT.replace('ode_method=auto', 'ode_method=rk4')));
    expect(e.message).toMatch(/method/);
  });

  it('works line by line in the REPL', async () => {
    const run = withData();
    const out: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: run.dir });
    for (const line of SCRIPT.replace(',\n    A(0)', ', A(0)').split('\n'))
      expect(await s.handle(line + '\n')).toBe('ok');
    expect(errors).toEqual([]);
    expect(out.join('\n')).toMatch(/k1=0\.70292/);
  });
});
