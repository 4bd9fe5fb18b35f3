/**
 * After-fit work on worker threads: the profile of one parameter (confint), one row of a 2-D confidence
 * region (confint2d), or the log-posterior of a chunk of MCMC proposals (mcmc). A job carries the fit's inputs (model, data as plain arrays, parameters, options without
 * callbacks), the best-fit values and the statistics a profile needs; the worker prepares the same fit again
 * (the same kernels, so the same refits as on the calling thread: results do not depend on the thread count),
 * keeps the few latest setups, and answers with plain numbers.
 */
import { NdArray } from '../data/index.ts';
import {
  type DataInput,
  type FitInputs,
  type FitOptions,
  type FitSetup,
  lnpOfRows,
  logPosterior,
  type ParameterProfile,
  prepareFit,
  type ProfileBase,
  profileParameter,
  regionPoint,
  setupOf,
} from '../fit/index.ts';

/** An array as a worker gets it (structured clone keeps typed arrays, not classes). */
type PlainData = number | { readonly data: Float64Array; readonly shape: readonly number[] };

/**
 * A fit's inputs as a worker gets them; `id` names it in the worker's cache (the pool leaves out `model` and
 * `data` for a worker that has the fit already).
 */
export interface FitTransfer {
  readonly id: number;
  readonly model?: FitInputs['model'];
  readonly data?: Readonly<Record<string, PlainData>>;
  readonly params: FitInputs['params'];
  readonly options: FitOptions;
  /** The best-fit values of the free parameters. */
  readonly x: Float64Array;
}

export type AfterFitJob =
  | {
      readonly kind: 'profile';
      readonly fit: FitTransfer;
      readonly base: ProfileBase;
      readonly name: string;
      readonly probs: readonly number[];
      readonly maxIterations: number;
    }
  | {
      readonly kind: 'region';
      readonly fit: FitTransfer;
      readonly base: ProfileBase;
      readonly pair: { readonly x: string; readonly y: string };
      readonly xs: Float64Array;
      readonly y: number;
    }
  | {
      readonly kind: 'lnprob';
      readonly fit: FitTransfer;
      readonly sampleNoise: boolean;
      readonly prior?: string;
      /** Rows of sampled vectors (`ndim` wide). */
      readonly points: Float64Array;
      readonly ndim: number;
    };

const plainData = (v: DataInput, name: string): PlainData => {
  if (typeof v === 'number') return v;
  const a = NdArray.from(v, name);
  return { data: a.data, shape: [...a.shape] };
};

const plainRecord = (r: Readonly<Record<string, DataInput>>): Record<string, PlainData> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plainData(v, k)]));

const fromPlain = (r: Readonly<Record<string, PlainData>>): Record<string, DataInput> =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? v : new NdArray(v.data, [...v.shape])]),
  );

/** The fit options a worker can get: no signal or callback; sigma arrays as plain arrays. */
function plainOptions(o: FitOptions): FitOptions {
  const { signal: _s, onProgress: _p, sigma, ...rest } = o;
  return sigma ? { ...rest, sigma: plainRecord(sigma) as Record<string, DataInput> } : rest;
}

const ids = new WeakMap<FitSetup, number>();
let nextId = 1;

/** The fit behind `setup` as a job carries it, or undefined when the setup has no inputs. */
export function transferOf(setup: FitSetup): FitTransfer | undefined {
  const inputs = setup.inputs;
  if (!inputs) return undefined;
  let id = ids.get(setup);
  if (id === undefined) ids.set(setup, (id = nextId++));
  return {
    id,
    model: inputs.model,
    data: plainRecord(inputs.data),
    params: inputs.params,
    options: plainOptions(inputs.options),
    x: setup.x,
  };
}

/** The setups this worker has prepared (the latest few). */
const setups = new Map<number, FitSetup>();

function setupFor(fit: FitTransfer): FitSetup {
  const hit = setups.get(fit.id);
  if (hit) return hit;
  if (!fit.model || !fit.data) throw new Error(`fit ${fit.id} is unknown to this worker`);
  const { sigma, ...options } = fit.options;
  const withSigma = sigma ? { ...options, sigma: fromPlain(sigma as Record<string, PlainData>) } : options;
  const prep = prepareFit(fit.model, fromPlain(fit.data), fit.params, withSigma);
  const setup = setupOf(prep, fit.x);
  setups.set(fit.id, setup);
  while (setups.size > 4) setups.delete(setups.keys().next().value!);
  return setup;
}

const NEVER_STOPPED = { stopped: () => false, report: () => {} };

/** The log-posteriors of the fits this worker has seen, by fit, noise scale sampled or not, and prior. */
const posteriors = new WeakMap<FitSetup, Map<string, (x: Float64Array) => number>>();

function posteriorFor(setup: FitSetup, sampleNoise: boolean, prior?: string): (x: Float64Array) => number {
  let own = posteriors.get(setup);
  if (!own) posteriors.set(setup, (own = new Map()));
  const key = `${sampleNoise} ${prior ?? ''}`;
  let lnp = own.get(key);
  if (!lnp) own.set(key, (lnp = logPosterior(setup, sampleNoise, prior)));
  return lnp;
}

/** Runs one job on this thread: a parameter's profile, a row of probabilities, or ln p of MCMC proposals. */
export function runAfterFitJob(job: AfterFitJob): ParameterProfile | Float64Array {
  const setup = setupFor(job.fit);
  if (job.kind === 'profile') return profileParameter(job.base, setup, job.name, job, NEVER_STOPPED);
  if (job.kind === 'lnprob') {
    return lnpOfRows(posteriorFor(setup, job.sampleNoise, job.prior), job.points, job.ndim);
  }
  return Float64Array.from(job.xs, (xv) => regionPoint(job.base, setup, job.pair, xv, job.y));
}

/** The job without the fit's model and data (for a worker that has the fit). */
export function withoutFitData(job: AfterFitJob): AfterFitJob {
  const { model: _m, data: _d, ...fit } = job.fit;
  return { ...job, fit };
}
