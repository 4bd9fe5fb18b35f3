/** Issue 10 repros at the command line, run in this process: wrong answers, lost names, usage corner cases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './inProcess.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'exprfit-trust-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const DECAY = ['t = linspace(0, 10, 30)', 'y = 3*exp(-t/2) + 1'];

describe('a misspelt model name in a script that declares its parameters', () => {
  const typo = () =>
    script('typo.fit', [
      ...DECAY,
      'param tau = 1 in [0, 100], A = 1, c = 0',
      'model y = A*exp(-t/tua) + c',
      'fit',
    ]);

  it.each([['run'], ['check']])(
    'exprfit %s: an error at file:line:col with a caret and "did you mean"',
    async (cmd) => {
      const r = await runInProcess([cmd, typo()]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/typo\.fit:4:20: error: unknown name 'tua' in the model/);
      expect(r.stderr).toContain('  model y = A*exp(-t/tua) + c\n                     ^^^\n');
      expect(r.stderr).toContain("did you mean 'tau'?");
      expect(r.stdout).not.toMatch(/ok/);
    },
  );

  it("'param auto' keeps undeclared names as parameters (with a note)", async () => {
    const path = script('auto.fit', [
      ...DECAY,
      'param auto',
      'param tau = 1 in [0, 100]',
      'model y = A*exp(-t/tua) + c',
      'fit',
    ]);
    const r = await runInProcess(['run', path]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/'A', 'tua', 'c' are not declared with 'param'/);
  });
});

describe('names that are keys of JavaScript objects', () => {
  it('eval assigns and reads __proto__ and constructor', async () => {
    expect((await runInProcess(['eval', '__proto__ + 1', '__proto__=2'])).stdout).toBe('3\n');
    expect((await runInProcess(['eval', 'constructor*toString', 'constructor=3', 'toString=2'])).stdout).toBe(
      '6\n',
    );
  });

  it('a parameter named __proto__ keeps its bounds', async () => {
    const path = script('proto.fit', [
      't = linspace(0, 10, 30)',
      'y = 3*t + 1',
      'param __proto__ = 0.5 in [0, 1]',
      'model y = __proto__*t + 1',
      'fit',
      'print __proto__',
    ]);
    const r = await runInProcess(['run', path, '--quiet']);
    expect(r.stdout.split('\n')[0]).toBe('1');
  });

  it('--set __proto__ overrides the start of that parameter', async () => {
    const path = script('proto-set.fit', [
      't = linspace(0, 10, 30)',
      'y = 3*t + 1',
      'param __proto__ = 0.5 fixed',
      'model y = __proto__*t + 1',
      'fit',
      'print __proto__',
    ]);
    const r = await runInProcess(['run', path, '--quiet', '--set', '__proto__=2']);
    expect(r.stdout.split('\n')[0]).toBe('2');
  });

  it('a data column named __proto__ is data', async () => {
    writeFileSync(join(dir, 'p.csv'), '__proto__,y\n0,1\n1,3\n2,5\n3,7\n');
    const path = script('col.fit', [
      'data "p.csv"',
      'param a = 1, b = 0',
      'model y = a*__proto__ + b',
      'fit',
      'print a',
    ]);
    const r = await runInProcess(['run', path, '--quiet']);
    expect(r.status).toBe(0);
    expect(Number(r.stdout.split('\n')[0])).toBeCloseTo(2, 9);
  });

  it('spots img constructor=1 is an unknown option, start___proto__ an unknown parameter', async () => {
    const bad = await runInProcess([
      'run',
      script('sp.fit', ['img = zeros([20, 20])', 'spots img constructor=1']),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/sp\.fit:2:11: error: unknown spots option 'constructor'/);
    expect(bad.stderr).not.toMatch(/internal error/);
    const start = await runInProcess([
      'run',
      script('sp2.fit', ['img = zeros([20, 20])', 'spots img start___proto__=1']),
    ]);
    expect(start.status).toBe(2);
    expect(start.stderr).toMatch(/start value for '__proto__': the model has no such parameter/);
  });

  it('colormap="constructor" is an error that lists the colormaps', async () => {
    const r = await runInProcess([
      'run',
      script('cm.fit', ['img = ones([4, 4])', 'save img to "cm.png" colormap="constructor"']),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown colormap "constructor"; known: viridis, grey, gray/);
  });

  it('fit constructor=1 and :help-like tables answer only their own keys', async () => {
    const r = await runInProcess([
      'run',
      script('fitopt.fit', [...DECAY, 'model y = a*exp(-t/k) + c', 'fit constructor=1']),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option 'constructor' for fit/);
  });
});

describe('small ones', () => {
  it('eval knows inf and nan, as eval of an array does', async () => {
    expect((await runInProcess(['eval', 'inf'])).stdout).toBe('inf\n');
    expect((await runInProcess(['eval', '-inf + 1'])).stdout).toBe('-inf\n');
    expect((await runInProcess(['eval', 'nan'])).stdout).toBe('nan\n');
  });

  it('diff accepts an expression that starts with -', async () => {
    const r = await runInProcess(['diff', '-a^2', 'a']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('-2*a\n');
  });

  it('a name given twice to --set or eval is an error', async () => {
    const path = script('twice.fit', [...DECAY, 'param k = 1', 'model y = 3*exp(-t/k) + 1', 'fit']);
    const r = await runInProcess(['run', path, '--set', 'k=1', '--set', 'k=2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--set k=2: 'k' is given twice/);
    const e = await runInProcess(['eval', 'a', 'a=1', 'a=2']);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/argument 'a=2': 'a' is given twice/);
  });

  it('[inf, inf] bounds name the parameter, at its declaration', async () => {
    const path = script('infb.fit', [
      ...DECAY,
      'param k = 1 in [inf, inf]',
      'model y = 3*exp(-t/k) + 1',
      'fit',
    ]);
    const r = await runInProcess(['run', path]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /infb\.fit:3:7: error: parameter 'k': bounds \[Infinity, Infinity\] leave no finite value/,
    );
    expect(r.stderr).not.toMatch(/parameter 0/);
  });

  it('gaussfilter(img, nan) is an error', async () => {
    const r = await runInProcess([
      'run',
      script('gf.fit', ['img = ones([4, 4])', 'b = gaussfilter(img, nan)']),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /gf\.fit:2:5: error: gaussfilter sigma for axis 0 must be a finite number >= 0, got NaN/,
    );
  });
});
