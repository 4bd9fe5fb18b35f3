import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const FIXTURES = fileURLToPath(new URL('../fixtures/arrays/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fixture(name: string): any {
  return JSON.parse(readFileSync(FIXTURES + name, 'utf8'));
}

/**
 * Elementwise closeness: |a - e| <= tol * (mode === 'rel' ? max(|e|, floor) : 1). Reports the worst index.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  mode: 'abs' | 'rel' = 'abs',
  floor = 1e-300,
): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const scale = mode === 'rel' ? Math.max(Math.abs(e), floor) : 1;
    const err = Math.abs(a - e) / scale;
    if (!(err <= worst) || Number.isNaN(a)) {
      worst = Number.isNaN(a) ? Infinity : err;
      at = i;
    }
  }
  if (worst > tol) {
    throw new Error(
      `max ${mode} error ${worst} > ${tol} at index ${at}: got ${actual[at]}, expected ${expected[at]}`,
    );
  }
}
