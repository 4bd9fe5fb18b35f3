/**
 * Progress and cancellation of long after-fit work (multi-start fits, profile confidence intervals, MCMC). The
 * loops are synchronous, so `signal.aborted` is checked between units of work — a start, a profile point, an
 * MCMC step — and an AbortController aborted from a timer cannot fire while one runs; abort from `onProgress`
 * (called after each unit on the same thread), or run the work in a worker. Aborted work is not an error: it
 * returns what was done so far, marked `interrupted: true`.
 */
import { opt } from '../core/index.ts';

/** `onProgress`: called after each unit of work. */
export type ProgressCallback = (done: number, total: number) => void;

const isAbortSignal = (v: unknown): v is AbortSignal =>
  v !== null && typeof v === 'object' && typeof (v as { aborted?: unknown }).aborted === 'boolean';

/** The two API-only options of every long operation (spread into its schema's specs). */
export const progressSpecs = {
  signal: opt.custom<AbortSignal>({
    doc: 'An AbortSignal, checked between units of work: when aborted, the work done so far is returned, marked interrupted',
    accept: isAbortSignal,
    expected: 'an AbortSignal',
    frontEnds: ['api'],
  }),
  onProgress: opt.custom<ProgressCallback>({
    doc: 'Called after each unit of work with (done, total)',
    accept: (v): v is ProgressCallback => typeof v === 'function',
    expected: 'a function (done, total)',
    frontEnds: ['api'],
  }),
};

/** What a loop asks between units of work. */
export interface Progress {
  /** Whether the signal has been aborted. */
  stopped(): boolean;
  /** Reports `done` of `total` units. */
  report(done: number, total: number): void;
}

/** The progress of validated options with `signal` and `onProgress`. */
export function progressOf(o: { signal?: AbortSignal; onProgress?: ProgressCallback }): Progress {
  const { signal, onProgress } = o;
  return {
    stopped: () => signal?.aborted === true,
    report: (done, total) => onProgress?.(done, total),
  };
}
