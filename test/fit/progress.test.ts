/**
 * Progress and cancellation of fits (multi-start, or one solve's iterations), profiles and MCMC: an `onProgress`
 * callback that aborts the controller after N units (the loops are synchronous; `signal` is checked between
 * units), and what is returned: the work done so far, marked interrupted, equal to the same work done
 * uninterrupted.
 */
import { describe, expect, it } from 'vitest';
import { confInterval, confInterval2d } from '../../src/fit/confint.ts';
import { fit } from '../../src/fit/fit.ts';
import { loadResult } from '../../src/fit/load.ts';
import { emcee } from '../../src/fit/mcmc.ts';
import { ExprfitError } from '../../src/core/errors.ts';

const x = Array.from({ length: 30 }, (_, i) => i * 0.3);
const y = x.map((t, i) => 2.5 * Math.exp(-t / 1.7) + 0.3 + 0.02 * Math.cos(3 * i));
const model = 'y = A*exp(-t/tau) + c';
const data = { t: x, y };
const params = {
  A: { value: 1, min: 0, max: 10 },
  tau: { value: 1, min: 0.1, max: 10 },
  c: { value: 0, min: -1, max: 1 },
};

/** An onProgress that records its calls and aborts the controller when `done` reaches `after`. */
function abortAfter(after: number) {
  const controller = new AbortController();
  const calls: [number, number][] = [];
  const onProgress = (done: number, total: number): void => {
    calls.push([done, total]);
    if (done === after) controller.abort();
  };
  return { options: { signal: controller.signal, onProgress }, calls };
}

describe('multi-start', () => {
  it('reports each start and, aborted, returns the best of the starts done', () => {
    const a = abortAfter(4);
    const r = fit(model, data, params, { starts: 20, ...a.options });
    expect(a.calls).toEqual([1, 2, 3, 4].map((d) => [d, 20]));
    expect(r.interrupted).toBe(true);
    expect(r.toJSON().interrupted).toBe(true);
    expect(r.message).toMatch(/interrupted after 4 of 20 starts; best of those: start \d/);
    expect(r.chi2).toBeLessThanOrEqual(fit(model, data, params).chi2 * (1 + 1e-12));
    expect(loadResult(r.toJSON()).interrupted).toBe(true);
  });

  it('not aborted: every start, interrupted false; aborted before the call: the given start only', () => {
    const a = abortAfter(-1);
    const r = fit(model, data, params, { starts: 5, ...a.options });
    expect(a.calls).toHaveLength(5);
    expect(r.interrupted).toBe(false);
    expect(r.message).toMatch(/best of 5 starts/);
    const c = new AbortController();
    c.abort();
    const one = fit(model, data, params, { starts: 5, signal: c.signal });
    expect(one.message).toMatch(/interrupted after 1 of 5 starts; best of those: start 0, the given one/);
    expect(one.values).toEqual(fit(model, data, params).values);
  });

  it('bad signal or callback: an option error naming it', () => {
    expect(() => fit(model, data, params, { signal: 5 as never })).toThrow(/'signal' must be an AbortSignal/);
    expect(() => fit(model, data, params, { onProgress: 'x' as never })).toThrow(
      /'onProgress' must be a function/,
    );
    expect(() => fit(model, data, params, { signal: {} as never })).toThrow(ExprfitError);
  });

  it('the options saved with a result hold no signal or callback', () => {
    const a = abortAfter(-1);
    const j = fit(model, data, params, { starts: 2, ...a.options }).toJSON();
    expect(Object.keys(j.options)).not.toContain('signal');
    expect(Object.keys(j.options)).not.toContain('onProgress');
    expect(j.options.starts).toBe(2);
  });
});

/** A signal that reads as aborted from its `after`-th reading on (the solver reads it after each iteration). */
function abortedAtReading(after: number): { signal: AbortSignal; readings: () => number } {
  let n = 0;
  const signal = {
    get aborted() {
      return ++n >= after;
    },
  } as AbortSignal;
  return { signal, readings: () => n };
}

describe('a single solve', () => {
  const far = { A: { value: 9 }, tau: { value: 0.2, min: 0.05 }, c: { value: 0.9 } };
  const methods = ['lm', 'lbfgsb', 'nelder'] as const;
  it.each(methods)('%s: aborted between iterations, returns where it was, marked interrupted', (method) => {
    const done = fit(model, data, far, { method });
    const s = abortedAtReading(4);
    const r = fit(model, data, far, { method, signal: s.signal });
    expect(r.interrupted).toBe(true);
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/^interrupted by the signal after \d+ iterations$/);
    expect(r.iterations).toBeLessThan(done.iterations);
    expect(r.chi2).toBeGreaterThan(done.chi2);
    expect(r.toJSON().interrupted).toBe(true);
  });

  it.each(methods)('%s: reports its iterations as open-ended progress (total Infinity)', (method) => {
    const calls: [number, number][] = [];
    const r = fit(model, data, far, { method, onProgress: (d, total) => calls.push([d, total]) });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.every(([, total]) => total === Infinity)).toBe(true);
    const counts = calls.map(([d]) => d);
    expect(counts[0]).toBe(1);
    counts.slice(1).forEach((d, i) => expect(d).toBeGreaterThanOrEqual(counts[i]));
    expect(counts.at(-1)).toBe(r.iterations);
    expect(r.values).toEqual(fit(model, data, far, { method }).values);
  });

  it('aborted from onProgress at iteration 3: interrupted there', () => {
    const a = abortAfter(3);
    const r = fit(model, data, far, a.options);
    expect(a.calls).toEqual([1, 2, 3].map((d) => [d, Infinity]));
    expect(r.interrupted).toBe(true);
    expect(r.iterations).toBe(3);
  });

  it('lm: the interrupted solve is the first iterations of the full one', () => {
    const r = fit(model, data, far, { signal: abortedAtReading(4).signal });
    const same = fit(model, data, far, { maxIterations: r.iterations });
    expect(r.values).toEqual(same.values);
    expect(fit(model, data, far, { signal: new AbortController().signal }).interrupted).toBe(false);
  });
});

describe('profiles', () => {
  const r = fit(model, data, params);
  it('confInterval: progress per side; aborted, the finished parameters equal an uninterrupted run', () => {
    const full = confInterval(r, { sigmas: [1, 2] });
    expect(full.interrupted).toBe(false);
    const a = abortAfter(2);
    const part = confInterval(r, { sigmas: [1, 2], ...a.options });
    expect(a.calls).toEqual([
      [1, 6],
      [2, 6],
    ]);
    expect(part.interrupted).toBe(true);
    expect(Object.keys(part.params)).toEqual(['A']);
    expect(part.params.A).toEqual(full.params.A);
  });

  it('confInterval2d: progress per grid point; aborted, the rest of the grid is NaN', () => {
    const full = confInterval2d(r, 'A', 'tau', { nx: 4, ny: 3 });
    const a = abortAfter(5);
    const part = confInterval2d(r, 'A', 'tau', { nx: 4, ny: 3, ...a.options });
    expect(a.calls.at(-1)).toEqual([5, 12]);
    expect(part.interrupted).toBe(true);
    const flat = (g: Float64Array[]) => g.flatMap((row) => Array.from(row));
    expect(flat(part.grid).slice(0, 5)).toEqual(flat(full.grid).slice(0, 5));
    expect(flat(part.grid).slice(5).every(Number.isNaN)).toBe(true);
  });
});

describe('MCMC', () => {
  const r = fit(model, data, params);
  it('emcee: progress per step; aborted, the chain is the first steps of the uninterrupted run', () => {
    const opts = { walkers: 12, steps: 60, seed: 3 };
    const full = emcee(r, opts);
    expect(full.interrupted).toBe(false);
    const a = abortAfter(25);
    const part = emcee(r, { ...opts, ...a.options });
    expect(a.calls).toHaveLength(25);
    expect(a.calls[0]).toEqual([1, 60]);
    expect(part.interrupted).toBe(true);
    expect(part.steps).toBe(25);
    expect(Array.from(part.chain)).toEqual(Array.from(full.chain.subarray(0, 25 * 12 * full.names.length)));
    expect(part.acceptanceFraction).toHaveLength(12);
    expect(Number.isFinite(part.params.A.median)).toBe(true);
  });

  it('emcee aborted during burn-in: no kept samples, NaN summaries, interrupted', () => {
    const a = abortAfter(5);
    const part = emcee(r, { walkers: 12, steps: 60, burn: 10, seed: 3, ...a.options });
    expect(part.interrupted).toBe(true);
    expect(part.steps).toBe(0);
    expect(part.params.A.median).toBeNaN();
  });
});
