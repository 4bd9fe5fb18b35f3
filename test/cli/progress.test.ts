/** The progress line of long CLI work (src/cli/progress.ts) and its use by `exprfit run` on a terminal. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { progressLine } from '../../src/repl/progress.ts';

describe('progressLine', () => {
  it('shows after the delay, redraws when the percentage changes, erases at the end', () => {
    let t = 0;
    const out: string[] = [];
    const bar = progressLine({ write: (s: string) => out.push(s) }, 1000, () => t);
    bar.update('starts', 1, 4);
    expect(out).toEqual([]);
    t = 1500;
    bar.update('starts', 2, 4);
    bar.update('starts', 2, 4);
    bar.update('starts', 3, 4);
    bar.update('starts', 4, 4);
    expect(out).toEqual([
      `\r[${'#'.repeat(15)}${'.'.repeat(15)}] 50% of 4 starts`,
      `\r[${'#'.repeat(23)}${'.'.repeat(7)}] 75% of 4 starts`,
      '\r\x1b[K',
    ]);
    bar.clear();
    expect(out).toHaveLength(3);
  });

  it('open-ended work (total Infinity): a count without a bar, at most every 100 ms, erased by clear', () => {
    let t = 0;
    const out: string[] = [];
    const bar = progressLine({ write: (s: string) => out.push(s) }, 1000, () => t);
    bar.update('iterations', 1, Infinity);
    t = 999;
    bar.update('iterations', 2, Infinity);
    t = 1000;
    bar.update('iterations', 3, Infinity);
    t = 1050;
    bar.update('iterations', 4, Infinity);
    t = 1100;
    bar.update('iterations', 5, Infinity);
    expect(out).toEqual(['\r\x1b[Kiteration 3', '\r\x1b[Kiteration 5']);
    bar.clear();
    expect(out.at(-1)).toBe('\r\x1b[K');
    bar.clear();
    expect(out).toHaveLength(3);
  });

  it('work shorter than the delay shows nothing', () => {
    const out: string[] = [];
    const bar = progressLine({ write: (s: string) => out.push(s) }, 1000, () => 0);
    for (let i = 1; i <= 10; i++) bar.update('steps', i, 10);
    bar.clear();
    expect(out).toEqual([]);
  });
});

describe('exprfit run on a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exprfit-progress-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a multi-start fit reports its starts to the progress line (erased before the summary)', async () => {
    const file = join(dir, 'starts.fit');
    writeFileSync(
      file,
      'x = linspace(0, 4, 30)\ny = 2*exp(-x/1.5) + 0.1\nparam A = 1 in [0, 5]\nparam tau = 1 in [0.1, 10]\nparam c = 0 in [-1, 1]\nmodel y = A*exp(-x/tau) + c\nfit starts=40\n',
    );
    const err: string[] = [];
    const out: string[] = [];
    const stream = (sink: string[], isTTY: boolean) => ({
      isTTY,
      write: (s: string) => (sink.push(s), true),
    });
    const realNow = Date.now;
    let t = 0;
    Date.now = () => (t += 100); // every call 0.1 s later: the run "takes" longer than 1 s
    try {
      await main(['run', file], { stdout: stream(out, false) as never, stderr: stream(err, true) as never });
    } finally {
      Date.now = realNow;
    }
    const text = err.join('');
    expect(text).toMatch(/\] \d+% of 40 starts/);
    expect(text).not.toMatch(/iteration \d/); // the starts' own solves report nothing
    expect(text.indexOf('\r\x1b[K')).toBeLessThan(text.indexOf('fit 1: converged'));
  });

  it('a single-start fit reports its iterations, without a bar (erased before the summary)', async () => {
    const file = join(dir, 'one.fit');
    writeFileSync(
      file,
      'x = linspace(0, 4, 30)\ny = 2*exp(-x/1.5) + 0.1\nparam A = 9, tau = 0.2, c = 0.9\nmodel y = A*exp(-x/tau) + c\nfit\n',
    );
    const err: string[] = [];
    const stream = (sink: string[], isTTY: boolean) => ({
      isTTY,
      write: (s: string) => (sink.push(s), true),
    });
    const realNow = Date.now;
    let t = 0;
    Date.now = () => (t += 400); // every call 0.4 s later
    try {
      await main(['run', file], { stdout: stream([], false) as never, stderr: stream(err, true) as never });
    } finally {
      Date.now = realNow;
    }
    const text = err.join('').replaceAll('\r\x1b[K', '|'); // | for each erase of the line
    expect(text).toMatch(/^\|iteration \d+\|iteration \d+/);
    expect(text).not.toContain('%');
    expect(text).toMatch(/\|iteration \d+\|fit 1: converged/);
  });
});
