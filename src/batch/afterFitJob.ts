/**
 * After-fit work on worker threads: the profile of one parameter (confint) or one row of a 2-D confidence
 * region (confint2d). A job carries the fit's inputs (model, data as plain arrays, parameters, options without
 * callbacks), the best-fit values and the statistics a profile needs; the worker prepares the same fit again
 * (the same kernels, so the same refits as on the calling thread: results do not depend on the thread count),
 * keeps the few latest setups, and answers with plain numbers.
 */
import { NdArray } from '../data/ndarray.ts';
import type { ParameterProfile, ProfileBase } from '../fit/confint.ts';
import { profileParameter, regionPoint } from '../fit/confint.ts';
import { prepareFit } from '../fit/fit.ts';
import type { FitInputs, FitSetup } from '../fit/setup.ts';
import { setupOf } from '../fit/solve.ts';
import type { DataInput, FitOptions } from '../fit/types.ts';

/** An array as a worker gets it (structured clone keeps typed arrays, not classes). */
type PlainData = number | { readonly data: Float64Array; readonly shape: readonly number[] };

/** A fit's inputs as a worker gets them; `id` names it in the worker's cache. */
export interface FitTransfer {
  readonly id: number;
  readonly model: FitInputs['model'];
  readonly data: Readonly<Record<string, PlainData>>;
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
  const { sigma, ...options } = fit.options;
  const withSigma = sigma ? { ...options, sigma: fromPlain(sigma as Record<string, PlainData>) } : options;
  const prep = prepareFit(fit.model, fromPlain(fit.data), fit.params, withSigma);
  const setup = setupOf(prep, fit.x);
  setups.set(fit.id, setup);
  while (setups.size > 4) setups.delete(setups.keys().next().value!);
  return setup;
}

const NEVER_STOPPED = { stopped: () => false, report: () => {} };

/** Runs one job on this thread: a parameter's profile, or a row of probabilities. */
export function runAfterFitJob(job: AfterFitJob): ParameterProfile | Float64Array {
  const setup = setupFor(job.fit);
  if (job.kind === 'profile') return profileParameter(job.base, setup, job.name, job, NEVER_STOPPED);
  return Float64Array.from(job.xs, (xv) => regionPoint(job.base, setup, job.pair, xv, job.y));
}
