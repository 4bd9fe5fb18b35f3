/**
 * Ctrl-C in the REPL: a SIGINT stops a long, synchronous fit; the session says "interrupted" and goes on.
 * The signal comes from a worker thread of this process (the main thread is blocked by the fit), repeated
 * until the statement ends, so that one that lands before the fit starts does not matter.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/repl/session.ts';

const SIGNALLER = `
const { workerData: flag } = require('node:worker_threads');
while (Atomics.load(flag, 0) === 0) {
  Atomics.wait(flag, 0, 0, 200);
  if (Atomics.load(flag, 0) === 0) process.kill(process.pid, 'SIGINT');
}
`;

describe('Ctrl-C in a REPL session', () => {
  it('interrupts a long fit, says so, and the session goes on', async () => {
    const out: string[] = [];
    const warnings: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({
      out: (t) => out.push(t),
      warn: (t) => warnings.push(t),
      error: (e) => errors.push(e),
      interruptible: true,
    });
    expect(
      await s.handle(
        'x = linspace(0, 10, 200000); y = 3*exp(-x/2) + 1 + 0.1*sin(50*x); model y = A*exp(-x/tau) + c',
      ),
    ).toBe('ok');
    // Without the interruption this fit runs for ~40 s (and the signals wait for it, in this listener).
    const ignored = (): void => {};
    process.on('SIGINT', ignored);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const signaller = new Worker(SIGNALLER, { eval: true, workerData: flag });
    let outcome;
    try {
      outcome = await s.handle('fit starts=200');
    } finally {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await new Promise((done) => signaller.once('exit', done));
      process.off('SIGINT', ignored);
    }
    expect(errors.map(String)).toEqual([]);
    expect(outcome).toBe('interrupted');
    expect(warnings).toEqual(['interrupted']);
    expect(errors).toEqual([]);
    expect(await s.handle('print 1 + 1')).toBe('ok');
    expect(out[out.length - 1]).toBe('2');
    // an error is reported once, as an error (not also as an unhandled rejection, which fails a vitest run)
    expect(await s.handle('b = exq(2)')).toBe('error');
    expect(errors.map(String)).toEqual(["ExprfitError: unknown function 'exq'"]);
  });
});
