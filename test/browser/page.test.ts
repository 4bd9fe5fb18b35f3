/**
 * The web page in a real browser: `exprfit serve examples/decay.fit` started in-process, the page driven by
 * headless Chromium. A slider redraws the plot, the page's fit agrees with `exprfit run` on the same script,
 * the downloaded .fit script reproduces it, a long fit reports progress and is cancelled, and a bad model shows
 * its positioned error. Screenshots go to
 * test/browser/artifacts/ (gitignored).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { readPng } from '../../src/data/png.ts';
import { loadArray } from '../../src/data/load.ts';
import { startServer, type WebServer } from '../../src/web/server.ts';
import { chromiumPath, launchChromium } from './browser.ts';

const ARTIFACTS = 'test/browser/artifacts';
const chromium = chromiumPath();

interface SavedParams {
  params: Record<string, { value: number; stderr: number | null }>;
  chi2: number;
}

/** `exprfit run FILE --json`: the first fit's result. */
function exprfitRun(file: string): SavedParams {
  const out = execFileSync(process.execPath, ['bin/exprfit.js', 'run', file, '--json', '--quiet'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { fits: SavedParams[] }).fits[0];
}

function expectClose(got: SavedParams, want: SavedParams): void {
  expect(Object.keys(got.params)).toEqual(Object.keys(want.params));
  for (const [name, p] of Object.entries(want.params)) {
    expect(Math.abs(got.params[name].value - p.value)).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(p.value)),
    );
    expect(Math.abs(got.params[name].stderr! - p.stderr!)).toBeLessThanOrEqual(1e-9 * Math.max(1, p.stderr!));
  }
  expect(Math.abs(got.chi2 - want.chi2)).toBeLessThanOrEqual(1e-9 * Math.max(1, want.chi2));
}

async function download(page: Page, button: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return readFileSync((await file.path())!, 'utf8');
}

describe.skipIf(!chromium)('the web page in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ script: 'examples/decay.fit' });
    browser = await launchChromium(chromium!);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('#plot svg');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('opens the script: its model, one slider per parameter, the plot', async () => {
    expect(await page.inputValue('#model')).toBe('y = A*exp(-t/tau) + c');
    expect(await page.locator('#params-body tr').count()).toBe(3);
    expect(await page.inputValue('#p-tau')).toBe('1');
    expect(await page.locator('#plot svg').innerHTML()).toContain('residual');
    expect(await page.locator('#plot svg').innerHTML()).not.toContain('mark-area'); // no band before a fit
  });

  test('keyboard: the model editor is followed by the first slider in tab order', async () => {
    await page.focus('#model');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-A-slider');
  });

  test('moving a slider redraws the model', async () => {
    const before = await page.locator('#plot svg').innerHTML();
    await page.focus('#p-tau-slider');
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
    expect(Number(await page.inputValue('#p-tau'))).toBeGreaterThan(1);
    await expect.poll(() => page.locator('#plot svg').innerHTML()).not.toBe(before);
  });

  test("the page's fit agrees with exprfit run to 1e-9, and its .fit script reproduces it", async () => {
    await page.click('#script-data'); // back to the script's start values
    await page.click('#fit');
    await page.waitForSelector('#values');
    const result = JSON.parse(await download(page, '#download-json')) as SavedParams;
    expectClose(result, exprfitRun('examples/decay.fit'));
    expect(await page.locator('#plot svg').innerHTML()).toContain('mark-area'); // the confidence band
    await page.screenshot({ path: join(ARTIFACTS, 'decay-fit.png'), fullPage: true });
    const script = join(ARTIFACTS, 'decay-session.fit');
    writeFileSync(script, await download(page, '#download-script'));
    expectClose(exprfitRun(script), result);
  });

  test('an image chosen with the file picker: its grey levels, the data, model and residual maps', async () => {
    await page.setInputFiles('#file', 'test/fixtures/data/png/grey8.png');
    await expect.poll(() => page.inputValue('#model')).toMatch(/^img = A\*exp/);
    await expect.poll(() => page.locator('#plot svg').innerHTML()).toContain('residual (data - model)');
    const script = await download(page, '#download-script');
    const img = JSON.parse(/^img = (.*)$/m.exec(script)![1]) as number[][];
    const want = await readPng('test/fixtures/data/png/grey8.png');
    expect(img.flat()).toEqual(Array.from(want.data));
    expect([img.length, img[0].length]).toEqual(want.shape);
  });

  test.each([
    'test/fixtures/data/tiff/pil_lzw_u16.tif',
    'test/fixtures/data/fits/indep_bitpix16.fits',
    'test/fixtures/data/npy/f8_be_F.npy',
  ])('%s chosen with the file picker: the values exprfit reads in Node', async (file) => {
    await page.setInputFiles('#file', file);
    await expect.poll(() => page.textContent('#status')).toBe(`loaded ${basename(file)}`);
    const script = await download(page, '#download-script');
    const img = JSON.parse(
      /^img = (.*)$/m
        .exec(script)![1]
        .replace(/\bnan\b/g, 'null')
        .replace(/\binf\b/g, '1e999'),
    ) as number[][];
    const want = await loadArray(file);
    expect(img.flat()).toEqual(Array.from(want.data, (v) => (Number.isNaN(v) ? null : v)));
  });

  test('a CSV with a sigma column: model, starts, bounds and sigma typed in the page fit as examples/decay.fit', async () => {
    await page.setInputFiles('#file', 'examples/data/decay.csv');
    await expect.poll(() => page.textContent('#status')).toBe('loaded decay.csv');
    await page.fill('#model', 'y = A*exp(-t/tau) + c');
    const set = async (locator: Locator, value: string): Promise<void> => {
      await locator.fill(value);
      await locator.press('Tab'); // commits the value (change event)
    };
    for (const [name, value, min, max] of [
      ['A', '5', '0', ''],
      ['tau', '1', '0', '100'],
      ['c', '0', '', ''],
    ]) {
      await set(page.locator(`#p-${name}`), value);
      await set(page.getByLabel(`${name} lower bound`, { exact: true }), min);
      await set(page.getByLabel(`${name} upper bound`, { exact: true }), max);
    }
    await page.selectOption('#sigma', 'sigma');
    await page.check('#absolute-sigma');
    await page.click('#fit');
    await page.waitForSelector('#values');
    const result = JSON.parse(await download(page, '#download-json')) as SavedParams;
    expectClose(result, exprfitRun('examples/decay.fit'));
  });

  test("a .npy image fitted from the page's own starts agrees with examples/quickstart.fit", async () => {
    await page.setInputFiles('#file', 'examples/data/spot.npy');
    await expect.poll(() => page.textContent('#status')).toBe('loaded spot.npy');
    await page.click('#fit');
    await page.waitForSelector('#values');
    const result = JSON.parse(await download(page, '#download-json')) as SavedParams;
    const want = exprfitRun('examples/quickstart.fit');
    for (const [name, p] of Object.entries(want.params)) {
      expect(result.params[name].value).toBeCloseTo(p.value, 5);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'spot-fit.png'), fullPage: true });
  });

  test('without a script (as on a static host) the page starts empty; a dropped CSV loads', async () => {
    const bare = await startServer();
    const other = await browser.newPage();
    try {
      await other.goto(bare.url);
      await expect.poll(() => other.textContent('#status')).toContain('load a data file');
      const drop = await other.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['u,v\n0,1\n1,3\n2,5.5\n3,7\n'], 'drop.csv', { type: 'text/csv' }));
        return dt;
      });
      await other.dispatchEvent('body', 'drop', { dataTransfer: drop });
      await expect.poll(() => other.textContent('#status')).toBe('loaded drop.csv');
      expect(await other.inputValue('#model')).toBe('v = a*u + b');
      await other.waitForSelector('#plot svg');
    } finally {
      await other.close();
      await bare.close();
    }
  });

  test('a long fit shows its progress and Cancel stops it', async () => {
    const slow = await startServer({ script: 'test/browser/fixtures/slow.fit' });
    const other = await browser.newPage();
    try {
      await other.goto(slow.url);
      await other.waitForSelector('#plot svg');
      await other.click('#fit');
      await expect.poll(() => other.textContent('#status')).toMatch(/fitting: \d+ of 10000/);
      await other.click('#cancel');
      await expect.poll(() => other.textContent('#status')).toBe('fit cancelled');
      expect(await other.isEnabled('#fit')).toBe(true);
      expect(await other.locator('#values').count()).toBe(0);
    } finally {
      await other.close();
      await slow.close();
    }
  });

  test('a bad model shows its error with line, column and a caret', async () => {
    await page.fill('#model', 'y = A*exp(-t/tau + c');
    const message = await page.textContent('#model-error');
    expect(message).toMatch(/1:\d+: error: /);
    expect(message).toContain('^');
    await page.screenshot({ path: join(ARTIFACTS, 'bad-model.png') });
    await page.fill('#model', 'z = A*t');
    await expect
      .poll(() => page.textContent('#plot-error'))
      .toContain("left-hand side 'z' is not in the data");
    expect(errors).toEqual([]);
  });
});
