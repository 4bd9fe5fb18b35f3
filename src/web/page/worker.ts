/**
 * The fit worker: fits a {@link FitRequest} with exprfit's core and posts the result JSON, the report and (for a
 * 1-D fit) the confidence band at the curve's points. Progress is posted as the fit reports it; the page
 * cancels by terminating the worker (a fit is synchronous: no message reaches it while it runs).
 */
import { NdArray } from '../../data/index.ts';
import { fit } from '../../fit/index.ts';
import type { FitRequest, WorkerReply } from '../protocol.ts';
import { apiFitOptions, apiParams } from './fitOptions.ts';

const post = (reply: WorkerReply): void => (self as unknown as Worker).postMessage(reply);

function runFit(req: FitRequest): WorkerReply {
  const data = Object.fromEntries(
    Object.entries(req.data).map(([n, a]) => [n, new NdArray(a.data, a.shape)]),
  );
  const options = {
    ...apiFitOptions(req.options),
    onProgress: (done: number, total: number) => post({ kind: 'progress', done, total }),
  };
  const result = fit(req.model, data, apiParams(req.params), options);
  const at = req.bandAt;
  const band =
    at && result.success
      ? bandAt(() => result.evalUncertainty({ at: { [at.variable]: at.values } }).data)
      : undefined;
  return { kind: 'done', result: result.toJSON(), report: result.report(), ...(band ? { band } : {}) };
}

/** The band, or none when the fit has no covariance to give one (the report says why). */
function bandAt(compute: () => Float64Array): Float64Array | undefined {
  try {
    return compute();
  } catch {
    return undefined;
  }
}

self.onmessage = (e: MessageEvent<FitRequest>): void => {
  try {
    post(runFit(e.data));
  } catch (err) {
    post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
