/**
 * A progress line on stderr for long work (`exprfit spots`, multi-start fits of `exprfit run`): shown once
 * the work has run `delayMs`, only on a terminal, redrawn in place when the percentage changes and erased when
 * the work ends.
 */

interface Writable {
  write(text: string): unknown;
}

export interface ProgressLine {
  /** `done` of `total` units (named by `unit`, e.g. "starts") of the current work. */
  update(unit: string, done: number, total: number): void;
  /** Erases the line if it is shown. */
  clear(): void;
}

const WIDTH = 30;

/** A progress line on `stream` (see the module comment); the clock is replaceable for tests. */
export function progressLine(stream: Writable, delayMs: number, now: () => number = Date.now): ProgressLine {
  let started = now();
  let shown = -1;
  const clear = (): void => {
    if (shown >= 0) stream.write('\r\x1b[K');
    shown = -1;
  };
  const update = (unit: string, done: number, total: number): void => {
    if (done <= 1) started = now();
    if (total <= 0 || now() - started < delayMs) return;
    if (done >= total) return clear();
    const pct = Math.floor((100 * done) / total);
    if (pct === shown) return;
    shown = pct;
    const fill = Math.round((WIDTH * pct) / 100);
    stream.write(`\r[${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}] ${pct}% of ${total} ${unit}`);
  };
  return { update, clear };
}
