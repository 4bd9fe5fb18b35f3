/** `.fit` scripts: fits not to be trusted warn, allow_warnings accepts them; bounds of ties are kept for the fit. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStatements } from '../../src/script/check.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { exec, freshSessions } from './helpers.ts';

const DECAY = join(import.meta.dirname, '../../examples/data/decay.csv');
const fresh = freshSessions();

const script = (tau: number, fitLine = 'fit'): string =>
  `data "${DECAY}"\nparam A = 5, tau = ${tau}, c = 0\nmodel y = A*exp(-t/tau) + c\n${fitLine}\n`;

describe('fit warnings in scripts', () => {
  it('a converged fit with parameters not determined separately warns and counts as not ok', async () => {
    const run = fresh();
    await exec(run, script(1000));
    expect(run.interp.untrusted).toBe(1);
    expect(run.interp.unconverged).toBe(0);
    expect(run.warn.join('\n')).toMatch(
      /warning: fit 1 converged \(ftol\) to a result not to be trusted: A and c are not determined separately.*allow_warnings=true/,
    );
  });

  it('a fit stopped on a plateau is not converged, and names the undetermined parameter', async () => {
    const run = fresh();
    await exec(run, script(1e-3));
    expect(run.interp.unconverged).toBe(1);
    expect(run.warn.join('\n')).toMatch(/undetermined/);
  });

  it('fit allow_warnings=true accepts it: the summary still names the warning', async () => {
    const run = fresh();
    await exec(run, script(1000, 'fit allow_warnings=true'));
    expect(run.interp.untrusted).toBe(0);
    expect(run.warn).toEqual([]);
    expect(run.info.join('\n')).toMatch(/fit 1: converged \(ftol\).* WARNING: A and c are not determined/);
  });

  it('exprfit check accepts allow_warnings=1 as the fit statement does', async () => {
    const text = script(1e-3, 'fit allow_warnings=1');
    await expect(
      checkStatements(parseScript(text, 'a.fit'), { text, file: 'a.fit' }, { baseDir: '/' }),
    ).resolves.toBeDefined();
    const run = fresh();
    await exec(run, text);
    expect(run.interp.untrusted).toBe(0);
  });

  it('a good start gives no warning', async () => {
    const run = fresh();
    await exec(run, script(1));
    expect(run.interp.untrusted).toBe(0);
    expect(run.info.join('\n')).not.toMatch(/WARNING/);
  });

  it('bounds on a tied parameter are kept for the fit (which makes them constraints)', async () => {
    const run = fresh();
    await exec(run, 'param c1 = 0.3, c2 = 0.3, c3 = 0.2, csum = 1');
    await exec(run, 'param c4 = csum-c1-c2-c3 in [0, 1]');
    expect(run.interp.params.get('c4')).toMatchObject({ min: 0, max: 1, tieText: 'csum - c1 - c2 - c3' });
  });

  it('a parameter without a start starts at the midpoint of finite bounds, as in the API', async () => {
    const run = fresh();
    await exec(run, 'param a in [0, 10], b in [2, inf], d');
    const start = (n: string): number => run.interp.params.get(n)!.value;
    expect([start('a'), start('b'), start('d')]).toEqual([5, 2, 1]);
  });
});
