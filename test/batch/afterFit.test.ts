/**
 * Profiles on worker threads (src/batch/afterFit.ts): the same numbers as on the calling thread, a stop that
 * starts no new job, small work kept on the calling thread, and the synchronous forms' refusal of threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { confIntervalThreaded, confInterval2dThreaded, emceeThreaded } from '../../src/batch/afterFit.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { confInterval, confInterval2d } from '../../src/fit/confint.ts';
import { fit } from '../../src/fit/fit.ts';
import { emcee } from '../../src/fit/mcmc.ts';
import { Interpreter } from '../../src/script/interpreter.ts';

afterAll(async () => {
  await closeBatchPool();
});

const n = 2000;
const t = Array.from({ length: n }, (_, i) => (i * 10) / n);
const y = t.map((v, i) => 2.5 * Math.exp(-v / 1.7) + 0.3 + 0.05 * Math.cos(37 * i));
const model = 'y = A*exp(-t/tau) + c';
const r = fit(model, { t, y: new Float64Array(y) }, { A: 1, tau: { value: 1, min: 0.1 }, c: 0 });

describe('profiles on worker threads', () => {
  it('confInterval and confInterval2d: identical with 1 and 2 threads', async () => {
    const one = confInterval(r, { sigmas: [1], trace: true });
    const two = await confIntervalThreaded(r, { sigmas: [1], trace: true, threads: 2 });
    expect(two).toEqual(one);
    const g1 = confInterval2d(r, 'A', 'tau', { nx: 3, ny: 3 });
    const calls: number[] = [];
    const g2 = await confInterval2dThreaded(r, 'A', 'tau', {
      nx: 3,
      ny: 3,
      threads: 2,
      onProgress: (done) => calls.push(done),
    });
    expect(g2).toEqual(g1);
    expect(calls.sort((a, b) => a - b)).toEqual([3, 6, 9]);
  });

  it('aborted: no new profile starts; the finished ones are those of one thread', async () => {
    const controller = new AbortController();
    const part = await confIntervalThreaded(r, {
      sigmas: [1],
      threads: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(part.interrupted).toBe(true);
    const done = Object.keys(part.params);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(3);
    const full = confInterval(r, { sigmas: [1] });
    for (const name of done) expect(part.params[name]).toEqual(full.params[name]);
  });

  it('a script: confint threads=2 prints what one thread prints; small work stays here', async () => {
    const run = async (line: string): Promise<string[]> => {
      const out: string[] = [];
      const interp = new Interpreter({ out: (x) => out.push(x), info: () => {}, warn: () => {} });
      interp.variables.set('t', Float64Array.from(t) as never);
      await interp.runText(
        `t = linspace(0, 9.995, ${n})\ny = 2.5*exp(-t/1.7) + 0.3 + 0.05*cos(37*linspace(0, ${n - 1}, ${n}))\nmodel ${model}\nfit\n${line}`,
      );
      return out;
    };
    expect(await run('confint sigmas=[1] threads=2')).toEqual(await run('confint sigmas=[1]'));
    const small = fit(model, { t: t.slice(0, 40), y: y.slice(0, 40) }, { A: 1, tau: 1, c: 0 });
    expect(await confIntervalThreaded(small, { threads: 2 })).toEqual(confInterval(small));
  });

  it('emcee: the same chains with 1 and 2 threads (the fit sent once per worker); small work stays here', async () => {
    const opts = { walkers: 100, steps: 3, seed: 5 };
    const one = emcee(r, opts);
    const two = await emceeThreaded(r, { ...opts, threads: 2 });
    expect(Array.from(two.chain)).toEqual(Array.from(one.chain));
    expect(two.params).toEqual(one.params);
    expect(Array.from(two.acceptanceFraction)).toEqual(Array.from(one.acceptanceFraction));
    const small = { walkers: 8, steps: 5, seed: 2 };
    expect(Array.from((await emceeThreaded(r, { ...small, threads: 2 })).chain)).toEqual(
      Array.from(emcee(r, small).chain),
    );
  });

  it('the synchronous forms refuse threads > 1, naming the threaded ones', () => {
    expect(() => confInterval(r, { threads: 2 })).toThrow(
      /confInterval runs on the calling thread: for threads=2 use confIntervalThreaded/,
    );
    expect(() => confInterval2d(r, 'A', 'c', { threads: 3 })).toThrow(/confInterval2dThreaded/);
    expect(() => emcee(r, { threads: 2 })).toThrow(/emceeThreaded/);
  });
});
