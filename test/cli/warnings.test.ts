/** `exprfit run`: a fit that converged to a result not to be trusted exits 3 unless --allow-warnings. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';
import { runInProcess } from './inProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, tau: number): string {
  const file = join(dir, name);
  const data = join(ROOT, 'examples/data/decay.csv');
  writeFileSync(file, `data "${data}"\nparam A = 5, tau = ${tau}, c = 0\nmodel y = A*exp(-t/tau) + c\nfit\n`);
  return file;
}

describe('exit status of fits with warnings', () => {
  const bad = script('bad.fit', 1e-3);

  it('decay from tau = 1e-3: exit 3, the warning on stderr and in --json', async () => {
    const r = await runInProcess(['run', bad, '--json']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /warning: fit 1 converged \(gtol\) to a result not to be trusted: tau is not determined/,
    );
    const fit = JSON.parse(r.stdout).fits[0];
    expect(fit.success).toBe(true);
    expect(fit.ok).toBe(false);
    expect(fit.warnings.map((w: { code: string }) => w.code)).toEqual(['not-determined', 'rank-deficient']);
    expect(fit.warnings[0].params).toEqual(['tau']);
  });

  it('--allow-warnings: exit 0, the summary still says WARNING', async () => {
    const r = await runInProcess(['run', bad, '--allow-warnings']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/fit 1: converged \(gtol\).* WARNING: tau is not determined/);
  });

  it('a good start: exit 0', async () => {
    const r = await runInProcess(['run', script('good.fit', 1), '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).fits[0]).toMatchObject({ ok: true, warnings: [] });
  });
});
