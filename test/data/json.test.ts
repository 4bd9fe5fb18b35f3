import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readJson,
  writeJson,
  toJsonValue,
  formatJson,
  jsonToData,
  parseJsonText,
} from '../../src/data/json.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { fixture, rejection, tempDir } from './helpers.ts';

describe('readJson on fixtures', () => {
  it('a nested array -> one array', async () => {
    const d = await readJson(fixture('json', 'matrix.json'));
    expect(d.kind).toBe('array');
    if (d.kind !== 'array') return;
    expect([...d.array.shape]).toEqual([2, 3]);
    expect(Array.from(d.array.data)).toEqual([1, 2.5, -3, 4, 5, 0.006]);
  });
  it('an object of equal-length 1-D arrays -> a table (null -> NaN, "Infinity")', async () => {
    const d = await readJson(fixture('json', 'columns.json'));
    expect(d.kind).toBe('table');
    if (d.kind !== 'table') return;
    expect(d.names).toEqual(['x', 'y']);
    expect(Array.from(d.columns.y.data)).toEqual([1.5, NaN, 2.5, Infinity]);
  });
  it('an object of arrays of different shapes -> named arrays', async () => {
    const d = await readJson(fixture('json', 'arrays.json'));
    expect(d.kind).toBe('arrays');
    if (d.kind !== 'arrays') return;
    expect([...d.arrays.image.shape]).toEqual([3, 2]);
    expect(Array.from(d.arrays.weights.data)).toEqual([0.5, 0.25]);
  });
  it('key picks one member', async () => {
    const d = await readJson(fixture('json', 'arrays.json'), { key: 'image' });
    expect(d.kind === 'array' && Array.from(d.array.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('a string cell is an io error naming file and position', async () => {
    const err = await rejection(() => readJson(fixture('json', 'bad.json')));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/bad\.json: x\[2\] is "\\"three\\"", not a number/);
  });
  it('invalid JSON names the line and column', () => {
    expect(() => parseJsonText('{"a": [1, 2,\n  3,, 4]}', 'x.json')).toThrow(
      /^x\.json: invalid JSON at line 2, column 5: unexpected ","$/,
    );
  });
  it('a bare string is not data', () => {
    expect(() => jsonToData('hello', 'x.json')).toThrow(/x\.json: expected a number, an array/);
  });
  it('ragged arrays', () => {
    expect(() => jsonToData([[1, 2], [3]], 'r.json')).toThrow(/r\.json: data is not rectangular/);
  });
});

describe('JSON writing', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const value = {
    params: { A: { value: 1.5, stderr: Infinity }, B: { value: NaN, stderr: -Infinity } },
    chi2: 0.25,
    model: new NdArray(Float64Array.of(1, NaN, 3, 4), [2, 2]),
    typed: Float32Array.of(0.5, Infinity),
    skipped: undefined,
  };
  it('non-finite -> null by default', () => {
    expect(toJsonValue(value)).toEqual({
      params: { A: { value: 1.5, stderr: null }, B: { value: null, stderr: null } },
      chi2: 0.25,
      model: [
        [1, null],
        [3, 4],
      ],
      typed: [0.5, null],
    });
  });
  it("non-finite -> strings with nonFinite: 'string'", () => {
    const v = toJsonValue(value, 'string') as { params: { B: unknown } };
    expect(v.params.B).toEqual({ value: 'NaN', stderr: '-Infinity' });
  });
  it.each(['null', 'string'] as const)('round trip of arrays (%s mode)', async (mode) => {
    const file = join(dir, `a-${mode}.json`);
    await writeJson(file, { a: [1, NaN, -Infinity], b: [4, 5, 6] }, { nonFinite: mode });
    const d = await readJson(file);
    expect(d.kind).toBe('table');
    if (d.kind !== 'table') return;
    expect(Array.from(d.columns.a.data)).toEqual(mode === 'null' ? [1, NaN, NaN] : [1, NaN, -Infinity]);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  });
  it('compact output with indent 0', () => {
    expect(formatJson({ a: [1, 2] }, { indent: 0 })).toBe('{"a":[1,2]}\n');
  });
  it('circular structures are an io error', async () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    const err = await rejection(() => writeJson(join(dir, 'c.json'), o));
    expect(err.message).toMatch(/c\.json: cannot write as JSON/);
  });
});
