/**
 * The spot pipeline: find peaks (detect.ts), estimate start values from moments (starts.ts), group crowded
 * spots (group.ts, regions.ts), fit every group — one spot, or several jointly as a sum of Gaussians over their
 * merged region with one background — with `fitMany` (fit.ts), split blends and add residual peaks
 * (refine.ts), and report one row per spot (report.ts). Options: options.ts. See docs/batch.md.
 */
import { ExprfitError, validateOptions } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import { checkSpotImage } from '../findPeaks.ts';
import { detectPeaks } from './detect.ts';
import { fitPass } from './fit.ts';
import { spotModel } from '../models.ts';
import {
  checkStartValues,
  spotsSchema,
  type SpotsContext,
  type SpotsOptions,
  type ValidSpotsOptions,
} from './options.ts';
import { hasNonFinite } from '../finite.ts';
import { passCounter, refineSpots, totalPasses } from './refine.ts';
import { makeResult, type SpotsResult } from './report.ts';

export { SPOT_COLUMNS, spotsCsv } from './report.ts';
export type { SpotColumn, SpotsJSON, SpotsResult } from './report.ts';
export { spotsOptionsFrom } from './options.ts';
export type { SpotsOptions } from './options.ts';

function spotsContext(image: NdArray, options: ValidSpotsOptions): SpotsContext {
  const [H, W] = image.shape;
  const model = spotModel(options.model);
  return {
    img: image.data,
    hasNaN: hasNonFinite(image.data),
    W,
    H,
    half: options.roi,
    model,
    estimator: options.estimator,
    joint: options.joint,
    maxGroup: options.maxGroupSize,
    splitBlends: options.splitBlends ?? (options.joint && model.roles.sigma !== undefined),
    options,
  };
}

function checkImage(image: NdArray): void {
  if (!(image instanceof NdArray) || image.ndim !== 2) {
    const shape = image instanceof NdArray ? `, got shape [${image.shape.join(', ')}]` : '';
    throw new ExprfitError('shape', `spots needs a 2-D image [rows, cols]${shape}`);
  }
  checkSpotImage(image);
}

/** Finds and fits the spots of a 2-D image. */
export async function runSpots(image: NdArray, options: SpotsOptions = {}): Promise<SpotsResult> {
  const t0 = performance.now();
  checkImage(image);
  const ctx = spotsContext(image, validateOptions(spotsSchema, options));
  checkStartValues(ctx.model, ctx.options.start ?? {});
  const detected = detectPeaks(image, ctx.options);
  const counter = passCounter(totalPasses(ctx));
  const first = await fitPass(ctx, detected, { index: counter.next(), total: counter.total });
  const refined = await refineSpots(ctx, { ...detected, pass: first }, counter);
  // The refinement may end before its last possible pass: the progress ends at 100%.
  ctx.options.onProgress?.(detected.px.length, detected.px.length);
  return makeResult(image, refined.final.pass, refined, {
    model: ctx.model,
    t0,
    ...(detected.peaks ? { peaks: detected.peaks } : {}),
    ...(ctx.options.overlayScale !== undefined ? { overlayScale: ctx.options.overlayScale } : {}),
  });
}
