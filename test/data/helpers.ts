/** Shared helpers for the data-layer tests: fixture paths, expected values, exact comparison, temp folders. */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import type { NdArray } from '../../src/data/ndarray.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'data');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export interface Expected {
  shape: number[];
  values: number[];
}

/** Reads an expected.json written by the fixture scripts: non-finite numbers are "nan", "inf", "-inf". */
export function expectedTable(...parts: string[]): Record<string, Expected & Record<string, unknown>> {
  const raw = JSON.parse(readFileSync(fixture(...parts), 'utf8')) as Record<
    string,
    { shape: number[]; values: unknown[] }
  >;
  const out: Record<string, Expected & Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!Array.isArray(v.values)) {
      out[k] = v as unknown as Expected & Record<string, unknown>;
      continue;
    }
    out[k] = {
      ...v,
      values: v.values.map((x) =>
        x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : (x as number),
      ),
    };
  }
  return out;
}

/** Index of the first element that differs (NaN equals NaN), or -1. */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 0): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (tol > 0 && Math.abs(a - b) <= tol) continue;
    return i;
  }
  return -1;
}

/** Asserts shape and values (exact unless `tol`), with a readable message at the first difference. */
export function expectArray(actual: NdArray, expected: Expected, tol = 0): void {
  expect([...actual.shape]).toEqual(expected.shape);
  const i = firstDifference(actual.data, expected.values, tol);
  if (i >= 0) {
    expect.fail(
      `value ${i} differs: got ${actual.data[i]}, expected ${expected.values[i]} (length ${actual.data.length} vs ${expected.values.length})`,
    );
  }
}

/** Runs `f` and returns the ExprfitError it rejects with (fails otherwise). */
export async function rejection(f: () => Promise<unknown>): Promise<ExprfitError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(ExprfitError);
    return err as ExprfitError;
  }
  return expect.fail('expected an ExprfitError');
}

/** A fresh temporary folder and a cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'exprfit-data-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
