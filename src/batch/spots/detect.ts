/** Detection: the peaks of the image (findPeaks), or the positions given with `peaks`. */
import { ExprfitError, optionKeys } from '../../core/index.ts';
import type { NdArray } from '../../data/index.ts';
import { findPeaks, findPeaksSchema, type FindPeaksOptions, type Peaks } from '../findPeaks.ts';
import type { ValidSpotsOptions } from './options.ts';
import type { PeakPixels } from './regions.ts';

export interface Detected extends PeakPixels {
  /** Detection: background, noise and threshold (undefined when peaks were given). */
  readonly peaks?: Peaks;
}

/** Given peak positions (pixels, rounded), each inside the W x H image. */
export function peaksFromOption(
  peaks: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> },
  W: number,
  H: number,
): PeakPixels {
  const { x: gx, y: gy } = peaks;
  const px = new Int32Array(gx.length);
  const py = new Int32Array(gx.length);
  for (let i = 0; i < gx.length; i++) {
    const x = Math.round(gx[i]);
    const y = Math.round(gy[i]);
    if (!(x >= 0 && x < W && y >= 0 && y < H)) {
      throw new ExprfitError('value', `peak ${i} at (${gx[i]}, ${gy[i]}) is outside the ${W}x${H} image`);
    }
    px[i] = x;
    py[i] = y;
  }
  return { px, py };
}

/** The options of spots that are findPeaks options. */
function findPeaksOptions(options: ValidSpotsOptions): FindPeaksOptions {
  const o: Readonly<Record<string, unknown>> = options;
  return Object.fromEntries(
    optionKeys(findPeaksSchema).flatMap((k) => (o[k] === undefined ? [] : [[k, o[k]]])),
  );
}

export function detectPeaks(image: NdArray, options: ValidSpotsOptions): Detected {
  if (options.peaks) {
    const [H, W] = image.shape;
    return peaksFromOption(options.peaks, W, H);
  }
  const peaks = findPeaks(image, findPeaksOptions(options));
  return { px: peaks.x, py: peaks.y, peaks };
}
