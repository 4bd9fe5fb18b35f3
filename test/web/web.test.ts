/**
 * `exprfit serve` without a browser: the session a script hands the page, the server's routes, the CLI's
 * errors, and the page's pure parts (parameters, slider ranges, the .fit script it writes).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import type { FitResult } from '../../src/fit/result.ts';
import { parseModelText } from '../../src/model/model.ts';
import { runScript } from '../../src/script/node.ts';
import { scriptSession } from '../../src/web/session.ts';
import { startServer, type WebServer } from '../../src/web/server.ts';
import { readDataFile } from '../../src/web/page/files.ts';
import { previewSpecs } from '../../src/web/page/preview.ts';
import { SCRIPT_SIGMA, sigmaChoices, withSigma } from '../../src/web/page/sigma.ts';
import { apiFitOptions, apiParams } from '../../src/web/page/fitOptions.ts';
import { arrayLiteral, sessionScript } from '../../src/web/page/script.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import {
  fitRequest,
  modelParams,
  paramValues,
  sessionParams,
  sliderRange,
  stateFromSession,
  syncParams,
  tryParseModel,
} from '../../src/web/page/state.ts';
import { runInProcess } from '../cli/inProcess.ts';
import { Session } from '../../src/repl/session.ts';
import type { SessionJSON } from '../../src/web/protocol.ts';

const quiet = { out: () => {}, info: () => {}, warn: () => {} };

describe('the session of a script', () => {
  test('decay.fit: its model, data, parameters and fit options as its fit statement has them', async () => {
    const s = await scriptSession('examples/decay.fit');
    expect(s.model).toBe('y = A*exp(-t/tau) + c');
    expect(Object.keys(s.data).sort()).toEqual(['t', 'y']);
    expect(s.data.t.shape).toEqual([50]);
    expect(s.params).toEqual({
      A: { value: 5, min: 0, max: null, fixed: false },
      tau: { value: 1, min: 0, max: 100, fixed: false },
      c: { value: 0, min: null, max: null, fixed: false },
    });
    expect(s.options.absoluteSigma).toBe(true);
    expect((s.options.sigma as { y: { shape: number[] } }).y.shape).toEqual([50]);
  });

  test('array parts of a model line become data the page can name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exprfit-web-'));
    const script = 'x = linspace(0, 1, 5)\nB = [x, 2*x]\nmodel y = a*B[0] + b\ny = 3*x + 1\nfit\n';
    writeFileSync(join(dir, 'parts.fit'), script);
    const s = await scriptSession(join(dir, 'parts.fit'));
    expect(s.model).toBe('y = a*m0 + b');
    expect(Object.keys(s.data).sort()).toEqual(['m0', 'y']);
    expect(s.data.m0.data).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  test('a script without a model line is an error that says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exprfit-web-'));
    writeFileSync(join(dir, 'empty.fit'), 'x = 1\n');
    await expect(scriptSession(join(dir, 'empty.fit'))).rejects.toThrow(/no model to fit/);
  });
});

describe('the server', () => {
  let server: WebServer;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'exprfit-web-root-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({ script: 'examples/decay.fit', root });
  });
  afterAll(() => server.close());

  test('listens on 127.0.0.1, serves the page and the session, nothing outside its folder', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    const session = (await (await fetch(`${server.url}session.json`)).json()) as { model: string };
    expect(session.model).toBe('y = A*exp(-t/tau) + c');
    expect((await fetch(`${server.url}..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}nothing.js`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  test('a request for another host name (DNS rebinding) gets nothing', async () => {
    const status = await new Promise<number>((done, fail) => {
      const req = request(`${server.url}session.json`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on('error', fail);
      req.end();
    });
    expect(status).toBe(403);
  });

  test('a port in use is an error that names it', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startServer({ root, port })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
    );
  });

  test('a page folder without index.html: an error that says how to build the page', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'exprfit-web-empty-'));
    await expect(startServer({ root: empty })).rejects.toThrow(/the web page is not built/);
  });

  test('exprfit serve: a bad port and a missing script are errors (status 2)', async () => {
    const port = await runInProcess(['serve', '--port', 'abc']);
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port abc: not a port number');
    const missing = await runInProcess(['serve', 'no-such-script.fit']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no-such-script\.fit/);
  });
});

describe('the REPL: :serve', () => {
  test("serves the session's model, data and parameters; without a model it says what is missing", async () => {
    const out: string[] = [];
    const errors: unknown[] = [];
    const session = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), warn: () => {} });
    try {
      expect(await session.handle(':serve')).toBe('error');
      expect(String(errors[0])).toContain('the session has no model line');
      for (const line of [
        't = linspace(0, 1, 5)',
        'y = 2*t + 1',
        'param a = 3, b = 0',
        'model y = a*t + b',
      ]) {
        expect(await session.handle(line)).toBe('ok');
      }
      expect(await session.handle(':serve')).toBe('ok');
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out.join('\n'))![0];
      const json = (await (await fetch(`${url}session.json`)).json()) as SessionJSON;
      expect(json.model).toBe('y = a*t + b');
      expect(json.params.a.value).toBe(3);
      expect(json.data.t.data).toEqual([0, 0.25, 0.5, 0.75, 1]);
    } finally {
      await session.close();
    }
  });
});

describe("the page's parts", () => {
  test('parameters: the names of the model that are neither data nor constants, new ones at 1', () => {
    const model = parseModelText('y = A*exp(-t/tau) + c*pi');
    const names = modelParams(model, { t: 1, y: 1 });
    expect(names.sort()).toEqual(['A', 'c', 'tau']);
    const kept = syncParams(new Map([['A', { value: 5, min: 0, max: Infinity, fixed: false }]]), names);
    expect(kept.get('A')!.value).toBe(5);
    expect(kept.get('tau')).toEqual({ value: 1, min: -Infinity, max: Infinity, fixed: false });
    expect(sessionParams(kept).A).toEqual({ value: 5, min: 0, max: null, fixed: false });
  });

  test('a bad model: the positioned error', () => {
    const r = tryParseModel('y = A*exp(-t');
    expect('error' in r && (r.error as Error).message).toBeTruthy();
    expect('error' in r && (r.error as { span?: { line: number } }).span?.line).toBe(1);
  });

  test.each([
    [{ value: 2, min: 0, max: 10 }, [0, 10]],
    [{ value: 2, min: -Infinity, max: Infinity }, [-2, 6]],
    [{ value: 0, min: -Infinity, max: Infinity }, [-1, 1]],
    [{ value: 5, min: 0, max: Infinity }, [0, 15]],
    [{ value: -3, min: -Infinity, max: 0 }, [-9, 0]],
  ])('slider range of %o: %o', (p, range) => {
    expect(sliderRange({ ...p, fixed: false })).toEqual(range);
  });

  test('many data values: the script reads them from the data file, or the page says why it cannot', async () => {
    const loaded = await readDataFile('spot.npy', readFileSync('examples/data/spot.npy'));
    expect(loaded.load).toEqual(['img = load("spot.npy")', 'x, y = grid(img)']);
    expect(loaded.starts).toMatchObject({ x0: 9, y0: 11, s: 2.1 }); // the brightest pixel, a tenth of 21
    const big = { img: new NdArray(new Float64Array(60_000), [200, 300]) };
    const state = { data: big, source: 'big.npy', model: 'img = c', params: new Map(), options: {} };
    expect(sessionScript({ ...state, load: loaded.load })).toContain(
      '\nimg = load("spot.npy")\nx, y = grid(img)\n',
    );
    expect(() => sessionScript(state)).toThrow(/60000 data values are too many to write into a script/);
  });

  test('array literals keep every value exactly', () => {
    const a = new NdArray(Float64Array.of(0.1 + 0.2, -1e-300, NaN, Infinity, 1e21, 2), [2, 3]);
    expect(arrayLiteral(a)).toBe('[[0.30000000000000004, -1e-300, nan], [inf, 1e+21, 2]]');
  });

  /** The script's first fit, run without its save and plot lines. */
  async function scriptFit(file: string): Promise<FitResult> {
    const text = readFileSync(file, 'utf8').replace(/^(save|plot) .*$/gm, '');
    return (await runScript(file, { ...quiet, source: { text, file } })).fits[0];
  }

  function expectSameFit(got: FitResult, want: FitResult): void {
    expect(Object.keys(got.params)).toEqual(Object.keys(want.params));
    for (const [name, p] of Object.entries(want.params)) {
      expect(got.params[name].value).toBeCloseTo(p.value, 9);
      if (Number.isFinite(p.stderr)) expect(got.params[name].stderr).toBeCloseTo(p.stderr, 9);
    }
  }

  test.each(['examples/decay.fit', 'examples/gauss2d.fit'])(
    "%s: the page's fit is the script's, and the session's .fit script reproduces it (to 1e-9)",
    async (file) => {
      const state = stateFromSession(await scriptSession(file));
      const params = apiParams(sessionParams(state.params));
      const page = fit(state.model, state.data, params, apiFitOptions(state.options));
      expectSameFit(page, await scriptFit(file));
      const dir = mkdtempSync(join(tmpdir(), 'exprfit-web-script-'));
      writeFileSync(join(dir, 'session.fit'), sessionScript(state));
      expectSameFit((await runScript(join(dir, 'session.fit'), quiet)).fits[0], page);
    },
  );

  test.each([
    ['examples/decay.fit', '1d'],
    ['examples/gauss2d.fit', 'compare'],
    ['examples/quickstart.fit', '2d'],
  ])('%s previews as a %s plot with the model at the sliders', async (file, kind) => {
    const state = stateFromSession(await scriptSession(file));
    const model = parseModelText(state.model);
    const [spec] = previewSpecs(model, state, paramValues(state.params));
    expect(spec.kind).toBe(kind);
    if (spec.kind === '1d') {
      expect([spec.xLabel, spec.yLabel, spec.curveX!.length]).toEqual(['t', 'y', 400]);
      expect(spec.sigma).toHaveLength(50);
      expect(spec.model[0]).toBeCloseTo(5, 12); // A*exp(-0/tau) + c at the starts A=5, c=0
    }
  });

  test("the fit gets the data the model uses, not a table's other columns", () => {
    const t = new NdArray(Float64Array.of(0, 1, 2, 3));
    const data = { t, y: t, sigma: t };
    const state = { data, source: 'd.csv', model: 'y = a*t + b', params: new Map(), options: {} };
    expect(Object.keys(fitRequest(state, parseModelText(state.model)).data).sort()).toEqual(['t', 'y']);
  });

  test('sigma from a column of the data, from the script, or none', () => {
    const t = new NdArray(Float64Array.of(0, 1, 2));
    const s = new NdArray(Float64Array.of(0.1, 0.2, 0.3));
    const state = {
      data: { t, y: t, s },
      source: 'd.csv',
      model: '',
      params: new Map(),
      options: { sigma: 1 },
    };
    const model = parseModelText('y = a*t');
    expect(sigmaChoices(state, undefined).map(([v]) => v)).toEqual(['', 't', 'y', 's']);
    expect(withSigma(state, model, 's', undefined)).toEqual({
      sigma: { y: { shape: [3], data: [0.1, 0.2, 0.3] } },
    });
    expect(withSigma(state, model, '', undefined)).toEqual({});
    expect(withSigma(state, model, SCRIPT_SIGMA, { y: 2 })).toEqual({ sigma: { y: 2 } });
  });

  test('a tied parameter: the session keeps the tie, the preview evaluates it', async () => {
    const state = stateFromSession(await scriptSession('examples/gauss2d.fit'));
    expect(state.params.get('sy')!.expr).toBe('1.5*sx');
    expect(paramValues(state.params).sy).toBe(3);
  });
});
