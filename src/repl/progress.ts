/**
 * A progress line on stderr for long work (`exprfit spots`, fits of `exprfit run` and the REPL): shown once the
 * work has run `delayMs`, only on a terminal, and erased when the work ends. Work of known length is a bar,
 * redrawn in place when the percentage changes; open-ended work (`total` Infinity, e.g. the iterations of one
 * solve) is a count, `iteration 37`, redrawn at most every REDRAW_MS.
 */

interface Writable {
  write(text: string): unknown;
}

export interface ProgressLine {
  /** `done` of `total` units (named by `unit`, e.g. "starts") of the current work; `total` Infinity: open-ended. */
  update(unit: string, done: number, total: number): void;
  /** Erases the line if it is shown. */
  clear(): void;
}

const WIDTH = 30;
/** Open-ended progress is redrawn at most this often (a solve may run thousands of iterations a second). */
const REDRAW_MS = 100;

/** A progress line on `stream` (see the module comment); the clock is replaceable for tests. */
export function progressLine(stream: Writable, delayMs: number, now: () => number = Date.now): ProgressLine {
  let started = now();
  let shown = -1;
  let drawnAt = -Infinity;
  const clear = (): void => {
    if (shown >= 0) stream.write('\r\x1b[K');
    shown = -1;
    drawnAt = -Infinity;
  };
  const bar = (unit: string, done: number, total: number): void => {
    if (done >= total) return clear();
    const pct = Math.floor((100 * done) / total);
    if (pct === shown) return;
    shown = pct;
    const fill = Math.round((WIDTH * pct) / 100);
    stream.write(`\r[${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}] ${pct}% of ${total} ${unit}`);
  };
  const count = (unit: string, done: number): void => {
    const t = now();
    if (done === shown || t - drawnAt < REDRAW_MS) return;
    shown = done;
    drawnAt = t;
    stream.write(`\r\x1b[K${singular(unit)} ${done}`);
  };
  const update = (unit: string, done: number, total: number): void => {
    if (done <= 1) started = now();
    if (total <= 0 || now() - started < delayMs) return;
    if (total === Infinity) count(unit, done);
    else bar(unit, done, total);
  };
  return { update, clear };
}

/** The singular of a plural unit ("iterations" → "iteration"), for a count that names the current unit. */
function singular(unit: string): string {
  return unit.endsWith('s') ? unit.slice(0, -1) : unit;
}
