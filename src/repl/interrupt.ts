/**
 * Ctrl-C for long statements. A fit is synchronous CPU work: the event loop is blocked, so neither readline
 * nor a `process.on('SIGINT')` listener runs until it ends. Node's own REPL interrupts such code by running it
 * through `vm` with `breakOnSigint` (a watchdog thread catches the signal and terminates the running
 * JavaScript); so does this module.
 *
 * A statement is an async function, and most of its work runs in promise continuations, after the vm call
 * would have returned. So the statement is started inside the vm call and the microtask queue is drained there
 * too (`process._tickCallback`, the function Node itself drains it with): every continuation that is ready
 * runs inside the watchdog's scope. Work that resumes after real I/O (reading a file) runs outside it; a
 * Ctrl-C then is ignored (`withCtrlC` in repl.ts keeps it from ending the process).
 */
import vm from 'node:vm';

const ENTRY = Symbol.for('exprfit.repl.interruptible');
const entryScript = new vm.Script(`globalThis[Symbol.for('exprfit.repl.interruptible')]();`, {
  filename: 'exprfit-repl-interrupt',
});

/** Runs the ready microtasks (and process.nextTick callbacks) now. */
function drainMicrotasks(): void {
  (process as unknown as { _tickCallback?: () => void })._tickCallback?.();
}

/**
 * Where async hooks are on (node:repl loads `domain`, which enables them), every promise continuation pushes an
 * async context and pops it when it ends; a continuation stopped by the watchdog never pops. Node empties that
 * stack itself after an uncaught exception, with `clearAsyncIdStack` of its async_wrap binding; this is that
 * function, or undefined where it cannot be reached (then microtasks are not run under the watchdog, and only
 * the synchronous start of a statement can be interrupted).
 */
const clearAsyncIdStack = ((): (() => void) | undefined => {
  const proc = process as unknown as {
    binding(name: string): { clearAsyncIdStack?: unknown };
    noDeprecation?: boolean;
  };
  // process.binding warns (DEP0111); the warning would name an internal of this module, not a user's mistake
  const quiet = proc.noDeprecation;
  proc.noDeprecation = true;
  try {
    const binding = proc.binding('async_wrap');
    const clear = binding.clearAsyncIdStack;
    return typeof clear === 'function' ? () => clear.call(binding) : undefined;
  } catch {
    return undefined;
  } finally {
    proc.noDeprecation = quiet;
  }
})();

/** The stopped continuations never left the domain node:repl runs them in: leave it (at most a few levels). */
function leaveDomains(): void {
  const proc = process as unknown as { domain?: { exit(): void } | null };
  for (let i = 0; i < 100 && proc.domain; i++) proc.domain.exit();
}

function isSigintInterruption(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

/**
 * Runs `start()` so that a SIGINT stops it: resolves with `{ value }`, or 'interrupted' (the statement's
 * remaining work is dropped).
 */
export async function runInterruptible<T>(start: () => Promise<T>): Promise<{ value: T } | 'interrupted'> {
  const running = await new Promise<{ promise: Promise<T> } | 'interrupted'>((resolve, reject) => {
    // in a macrotask of its own: microtasks cannot be drained from inside one
    setImmediate(() => {
      try {
        resolve({ promise: startInWatchdog(start) });
      } catch (e) {
        if (!isSigintInterruption(e)) reject(e);
        clearAsyncIdStack?.();
        leaveDomains();
        resolve('interrupted');
      }
    });
  });
  return running === 'interrupted' ? running : { value: await running.promise };
}

/** Starts `start()` and runs the microtasks that follow, all under `breakOnSigint`. */
function startInWatchdog<T>(start: () => Promise<T>): Promise<T> {
  const global = globalThis as unknown as Record<symbol, (() => void) | undefined>;
  let running: Promise<T> | undefined;
  global[ENTRY] = () => {
    running = start();
    // handled: the caller awaits it below (draining would report a rejection as unhandled)
    running.catch(() => {});
    if (clearAsyncIdStack) drainMicrotasks();
  };
  try {
    entryScript.runInThisContext({ breakOnSigint: true });
  } finally {
    global[ENTRY] = undefined;
  }
  return running!;
}
