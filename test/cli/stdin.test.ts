import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runInProcess } from './inProcess.ts';

describe('exprfit run - (the script from stdin)', () => {
  it('runs it, with data paths relative to the working folder', async () => {
    const script = [
      'data "test/cli/fixtures/line.csv"',
      'param A = 1 in [0, inf], k = 1, c = 0',
      'model y = A*exp(-k*x) + c',
      'fit sigma=s',
      'print k',
    ].join('\n');
    const r = await runInProcess(['run', '-', '-q'], script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^0\.7\d+\n$/);
  });

  it('names <stdin> with line and column in an error', async () => {
    const r = await runInProcess(['run', '-'], 'x = 1\ny = (2 +\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>:2:\d+: /m);
  });

  it('stops reading an endless stdin (exprfit run - < /dev/zero) with an error, not a hang', async () => {
    function* zeros(): Generator<Uint8Array> {
      for (;;) yield new Uint8Array(1 << 16);
    }
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
      stdin: zeros(),
    };
    const before = process.exitCode;
    await main(['run', '-'], io);
    expect(process.exitCode).toBe(2);
    process.exitCode = before;
    expect(stderr).toMatch(/^error: <stdin>: more than 8000000 bytes: not a \.fit script/);
  });
});
