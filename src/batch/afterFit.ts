/**
 * Profiles and MCMC on worker threads (Node only; the browser entry has the synchronous forms):
 * `confIntervalThreaded` profiles each parameter as one job, `confInterval2dThreaded` computes each row of the
 * grid as one job, `emceeThreaded` evaluates each half-step's proposals in one chunk per thread (the stretch
 * move updates half the walkers at a time, and their proposals depend only on the other half). afterFitJob.ts
 * runs the jobs; pool.ts holds the threads. The jobs compute the same numbers as the calling thread would, so
 * the results do not depend on `threads`. Small work stays on the calling thread: starting a worker costs more
 * than a few refits of a small fit, and a message per half-step more than a cheap log-posterior.
 */
import { availableParallelism } from 'node:os';
import {
  confInterval,
  confInterval2d,
  type ConfInterval2dOptions,
  type ConfIntervalOptions,
  type ConfIntervalResult,
  type ConfRegion,
  emcee,
  type EmceeOptions,
  type EmceePlan,
  type EmceeResult,
  type FitResult,
  intervalsOf,
  type ParameterProfile,
  planConfInterval,
  planEmcee,
  planRegion,
  type ProfileBase,
  progressOf,
  sampling,
} from '../fit/index.ts';
import { transferOf, type FitTransfer } from './afterFitJob.ts';
import { missingWorkerEntry, runAfterFitJobs } from './pool.ts';

/** Below this many data points × jobs, work stays on the calling thread (a thread starts in ~0.1 s). */
const SMALL_WORK = 5_000;

/** The threads to use for `jobs` units of work on `ndata` points: 1 for small work. */
function threadsFor(threads: number, jobs: number, ndata: number): number {
  if (threads <= 1 || jobs <= 1 || ndata * jobs < SMALL_WORK || missingWorkerEntry() !== undefined) return 1;
  return Math.min(threads, jobs, availableParallelism());
}

/** The numbers of the result that a profile needs, as plain data for a worker. */
function baseOf(result: FitResult): ProfileBase {
  const params = Object.fromEntries(
    Object.values(result.params).map((p) => [
      p.name,
      { value: p.value, stderr: p.stderr, min: p.min, max: p.max },
    ]),
  );
  const { estimator, ndata, nfree, chi2, nll } = result;
  return { estimator, ndata, nfree, chi2, nll, params };
}

/** The fit's inputs for the workers, when the work is worth threads (else undefined). */
function threadedFit(result: FitResult, threads: number, jobs: number): FitTransfer | undefined {
  if (threadsFor(threads, jobs, result.ndata) <= 1 || !result.setup) return undefined;
  return transferOf(result.setup);
}

/**
 * `confInterval` with each parameter's profile on a worker thread (`threads`): the same result as on one
 * thread. `signal` stops new profiles from starting (the running ones finish); `onProgress` counts sides.
 */
export async function confIntervalThreaded(
  result: FitResult,
  options: ConfIntervalOptions = {},
): Promise<ConfIntervalResult> {
  const plan = planConfInterval(result, options);
  const threads = plan.options.threads;
  const fit = threadedFit(result, threads, plan.names.length);
  if (!fit) return confInterval(result, { ...options, threads: 1 });
  const progress = progressOf(plan.options);
  const base = baseOf(result);
  const { probs, maxIterations } = plan;
  const jobs = plan.names.map((name) => ({
    kind: 'profile' as const,
    fit,
    base,
    name,
    probs,
    maxIterations,
  }));
  const profiles: (ParameterProfile | undefined)[] = [];
  let done = 0;
  await runAfterFitJobs(threadsFor(threads, jobs.length, result.ndata), jobs, {
    stopped: progress.stopped,
    done: (i, value) => {
      profiles[i] = value as ParameterProfile;
      progress.report((done += 2), 2 * jobs.length);
    },
  });
  return intervalsOf(plan, profiles);
}

/**
 * `confInterval2d` with the rows of the grid on worker threads (`threads`): the same grid as on one thread.
 * `signal` stops new rows from starting (rows not computed are NaN); `onProgress` counts grid points.
 */
export async function confInterval2dThreaded(
  result: FitResult,
  x: string,
  y: string,
  options: ConfInterval2dOptions = {},
): Promise<ConfRegion> {
  const plan = planRegion(result, x, y, options);
  const threads = plan.options.threads;
  const fit = threadedFit(result, threads, plan.ys.length);
  if (!fit) return confInterval2d(result, x, y, { ...options, threads: 1 });
  const progress = progressOf(plan.options);
  const base = baseOf(result);
  const { xs, ys } = plan;
  const jobs = Array.from(ys, (yv) => ({ kind: 'region' as const, fit, base, pair: { x, y }, xs, y: yv }));
  const grid: Float64Array[] = Array.from(ys, () => new Float64Array(xs.length).fill(NaN));
  let done = 0;
  let rows = 0;
  await runAfterFitJobs(threadsFor(threads, jobs.length, result.ndata), jobs, {
    stopped: progress.stopped,
    done: (i, value) => {
      grid[i] = value as Float64Array;
      rows++;
      progress.report((done += xs.length), xs.length * ys.length);
    },
  });
  return { x, y, xs, ys, grid, interrupted: rows < ys.length };
}

/** Below this many data points × walkers, MCMC stays on the calling thread (a message per half-step). */
const SMALL_SAMPLING = 200_000;

/** ln p of the rows of `points` in `threads` chunks, one job each, in order. */
async function lnpOnThreads(
  threads: number,
  fit: FitTransfer,
  plan: EmceePlan,
  points: Float64Array,
): Promise<Float64Array> {
  const ndim = plan.names.length;
  const rows = points.length / ndim;
  const per = Math.ceil(rows / threads);
  const jobs = Array.from({ length: Math.ceil(rows / per) }, (_, c) => ({
    kind: 'lnprob' as const,
    fit,
    sampleNoise: plan.sampleNoise,
    ...(plan.options.prior === undefined ? {} : { prior: plan.options.prior }),
    points: points.slice(c * per * ndim, Math.min(rows, (c + 1) * per) * ndim),
    ndim,
  }));
  const out = new Float64Array(rows);
  await runAfterFitJobs(threads, jobs, {
    stopped: () => false,
    done: (i, value) => out.set(value as Float64Array, i * per),
  });
  return out;
}

/**
 * `emcee` with the log-posterior of each half-step's proposals evaluated on worker threads (`threads`): the
 * same chains as on one thread (the random numbers are drawn here, in the same order). `signal` and
 * `onProgress` work per step as in `emcee`.
 */
export async function emceeThreaded(result: FitResult, options: EmceeOptions = {}): Promise<EmceeResult> {
  const plan = planEmcee(result, options);
  const o = plan.options;
  const threads = Math.min(o.threads, Math.ceil(o.walkers / 2), availableParallelism());
  const small = result.ndata * o.walkers < SMALL_SAMPLING || missingWorkerEntry() !== undefined;
  const fit = threads > 1 && !small ? transferOf(plan.setup) : undefined;
  if (!fit) return emcee(result, { ...options, threads: 1 });
  const run = sampling(plan);
  for (let next = run.next(); ;) {
    if (next.done) return next.value;
    next = run.next(await lnpOnThreads(threads, fit, plan, next.value));
  }
}
