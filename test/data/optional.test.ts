import { describe, expect, it } from 'vitest';
import { importPlotPackage } from '../../src/data/optional.ts';
import { ExprfitError } from '../../src/core/errors.ts';

describe('importPlotPackage', () => {
  it('names the optional packages and the install command when one is missing', async () => {
    const missing = 'exprfit-no-such-package';
    const err = await importPlotPackage(missing, () => import(missing)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as Error).message).toContain(
      'plotting needs the optional packages vega, vega-lite and @resvg/resvg-js',
    );
    expect((err as Error).message).toContain('npm install vega vega-lite @resvg/resvg-js');
  });

  it('passes other errors through', async () => {
    const boom = new TypeError('boom');
    await expect(importPlotPackage('vega', () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('returns the module when it is installed', async () => {
    const vega = await importPlotPackage('vega', () => import('vega'));
    expect(typeof vega.View).toBe('function');
  });
});
