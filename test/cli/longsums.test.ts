import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup } from './helpers.ts';
import { runInProcess } from './inProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-longsums-'));
afterAll(() => cleanup(dir));

describe('long sums and huge orders on the command line', () => {
  it('eval of an 8,000-term sum', async () => {
    const r = await runInProcess(['eval', Array(8000).fill('x').join('+'), 'x=0.5']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('4000');
  });

  it('run of a script that prints a 3,000-term sum', async () => {
    const file = join(dir, 'long.fit');
    writeFileSync(file, `x = 2\nprint ${Array(3000).fill('x').join(' + ')}\n`);
    const r = await runInProcess(['run', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('6000');
  });

  it('eval of polygamma at a huge order returns at once', async () => {
    const r = await runInProcess(['eval', 'polygamma(1e9, 1)']);
    expect(r.stdout.trim()).toBe('-inf');
  });
});
