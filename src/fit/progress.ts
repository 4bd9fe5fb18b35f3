/**
 * Progress and cancellation of long work: multi-start fits, a single solve (its iterations, open-ended), profile
 * confidence intervals, MCMC. The loops are synchronous, so `signal.aborted` is checked between units of work —
 * a start, an iteration, a profile point, an MCMC step — and an AbortController aborted from a timer cannot fire
 * while one runs; abort from `onProgress` (called after each unit on the same thread), or run the work in a
 * worker. Aborted work is not an error: it returns what was done so far, marked `interrupted: true`.
 */
import { ExprfitError, opt } from '../core/index.ts';

/**
 * `onProgress`: called after each unit of work with (done, total); `total` is `Infinity` for work whose length
 * is not known in advance, e.g. the iterations of one solve (a fit with one start).
 */
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
    doc: 'Called after each unit of work with (done, total); total is Infinity when not known in advance (the iterations of one solve)',
    accept: (v): v is ProgressCallback => typeof v === 'function',
    expected: 'a function (done, total)',
    frontEnds: ['api'],
  }),
};

/**
 * The `threads` option of profiles and MCMC: worker threads, in Node only (`confIntervalThreaded`,
 * `confInterval2dThreaded`, `emceeThreaded` and the script commands); the synchronous functions run on the
 * calling thread and refuse more than one.
 */
export const threadsSpec = {
  threads: opt.integer({
    doc: 'Worker threads (the script commands and the *Threaded functions of the Node entry); results do not depend on it',
    default: 1,
    min: 1,
    max: 256,
  }),
};

/** The synchronous form's refusal of `threads` > 1. */
export function requireOneThread(o: { threads: number }, what: string): void {
  if (o.threads <= 1) return;
  throw new ExprfitError(
    'option',
    `${what} runs on the calling thread: for threads=${o.threads} use ${what}Threaded (Node entry)`,
  );
}

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
