/**
 * Runs a fit in a Web Worker: `fitInWorker(request, { signal, onProgress })`. Aborting the signal terminates
 * the worker (the fit inside is synchronous) and rejects with an AbortError; the next fit starts a new one.
 */
import type { FitRequest, WorkerReply } from '../protocol.ts';

export type FitDone = Extract<WorkerReply, { kind: 'done' }>;

interface FitRun {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export function fitInWorker(url: string | URL, request: FitRequest, run: FitRun = {}): Promise<FitDone> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { type: 'module' });
    const stop = (): void => {
      worker.terminate();
      reject(new DOMException('the fit was cancelled', 'AbortError'));
    };
    if (run.signal?.aborted) return stop();
    run.signal?.addEventListener('abort', stop, { once: true });
    const finish = (): void => {
      run.signal?.removeEventListener('abort', stop);
      worker.terminate();
    };
    worker.onmessage = (e: MessageEvent<WorkerReply>): void => {
      const reply = e.data;
      if (reply.kind === 'progress') return run.onProgress?.(reply.done, reply.total);
      finish();
      if (reply.kind === 'done') resolve(reply);
      else reject(new Error(reply.message));
    };
    worker.onerror = (e: ErrorEvent): void => {
      finish();
      reject(new Error(e.message || 'the fit worker failed to start'));
    };
    worker.postMessage(request);
  });
}
