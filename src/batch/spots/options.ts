/**
 * The options of the spot pipeline, declared once (`spotsSchema`): the API type `SpotsOptions`, validation,
 * the CLI flags of `exprfit spots`, the options of the `spots` statement, completion, help and the options
 * table of docs/batch.md all come from it. Also the settings of one run (`SpotsContext`) and the checks of
 * start values against the model.
 */
import type { Expr } from '../../ast/index.ts';
import {
  defineOptions,
  didYouMean,
  ExprfitError,
  type FrontEnd,
  opt,
  optionKeyOf,
  type OptionsInput,
  type OptionsOf,
  parseOptions,
} from '../../core/index.ts';
import { findPeaksSchema } from '../findPeaks.ts';
import type { BatchEstimator } from '../kernel.ts';
import type { BuiltinSpotModel, SpotModel } from '../models.ts';
import { stopSpec } from '../lm.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function isModel(v: unknown): v is string | Expr {
  return typeof v === 'string' || (isRecord(v) && typeof v.kind === 'string');
}

function isLengthed(v: unknown): v is ArrayLike<number> {
  return (Array.isArray(v) || ArrayBuffer.isView(v)) && typeof (v as ArrayLike<number>).length === 'number';
}

function isPeaks(v: unknown): v is { x: ArrayLike<number>; y: ArrayLike<number> } {
  return isRecord(v) && isLengthed(v.x) && isLengthed(v.y) && v.x.length === v.y.length;
}

export const spotsSchema = defineOptions('spots', {
  model: opt.custom<string | Expr, true>({
    doc: "'symmetric' (5 parameters), 'elliptical' (6), 'rotated' (7) or an expression in x and y",
    default: 'symmetric',
    accept: isModel,
    expected: "'symmetric', 'elliptical', 'rotated' or an expression in x and y",
    words: ['symmetric', 'elliptical', 'rotated'] satisfies readonly BuiltinSpotModel[],
  }),
  roi: opt.integer({
    doc: 'half-width of the fitted region: (2·roi + 1)² pixels, clipped at the image edge',
    default: 7,
    min: 1,
  }),
  ...findPeaksSchema.specs,
  estimator: opt.enum(['lse', 'poisson'], {
    doc: 'least squares or poisson (maximum likelihood for counts)',
    default: 'lse',
    valueAliases: { lsq: 'lse', mle: 'poisson' },
  }),
  threads: opt.integer({
    doc: 'worker threads for the fits (for a stack: frames fitted in parallel)',
    default: 1,
    min: 1,
    max: 256,
  }),
  stop: stopSpec(
    "stopping rule of the fits: 'gpufit' (relative chi2 change < 1e-4, 20 iterations) or 'strict'",
  ),
  joint: opt.boolean({ doc: 'fit crowded spots (closer than the group distance) jointly', default: true }),
  groupDistance: opt.number({
    doc: 'peaks closer than this (pixels) form one group (default 6·σ, σ the width of isolated spots)',
    min: 0,
  }),
  maxGroupSize: opt.integer({
    doc: 'groups with more spots are fitted spot by spot, each in its Voronoi cell',
    default: 25,
    min: 1,
    aliases: ['maxGroup'],
  }),
  sharedWidth: opt.boolean({
    doc: 'joint fits: one width (and angle) for all spots of a group',
    default: false,
  }),
  residualPasses: opt.integer({
    doc: 'passes of residual detection: peaks of the residual significance become new spots',
    default: 0,
    min: 0,
  }),
  splitBlends: opt.boolean({
    doc: 'refit a spot fitted much wider than the others as two (default with joint fits of a symmetric model)',
  }),
  overlayScale: opt.integer({
    doc: 'upscaling of the overlay image (default: the largest of 1..8 that keeps it within about 1000 pixels)',
    min: 1,
    max: 64,
  }),
  start: opt.custom<Readonly<Record<string, number>>>({
    doc: 'start values of user-model parameters that spots does not estimate (e.g. a Moffat exponent)',
    accept: (v): v is Readonly<Record<string, number>> => isRecord(v),
    expected: 'an object { name: value }',
    frontEnds: ['api'],
  }),
  peaks: opt.custom<{ x: ArrayLike<number>; y: ArrayLike<number> }>({
    doc: 'fit at these peak positions (pixels) instead of detecting peaks',
    accept: isPeaks,
    expected: '{ x, y } arrays of equal length',
    frontEnds: ['api'],
  }),
  onProgress: opt.custom<(done: number, total: number) => void>({
    doc: 'progress of the fits: spots done, total (for a stack: frames done, frames)',
    accept: (v): v is (done: number, total: number) => void => typeof v === 'function',
    expected: 'a function',
    frontEnds: ['api'],
  }),
});

/** The options of `runSpots` as a user passes them. */
export type SpotsOptions = OptionsInput<typeof spotsSchema>;
/** The options after validation (defaults filled in). */
export type ValidSpotsOptions = OptionsOf<typeof spotsSchema>;

/** The settings of one run: the image, the model and the validated options. */
export interface SpotsContext {
  readonly img: Float64Array;
  /** Whether some pixel of the image is NaN or infinite. */
  readonly hasNaN: boolean;
  readonly W: number;
  readonly H: number;
  /** Half-width of the fitted regions (`roi`). */
  readonly half: number;
  readonly model: SpotModel;
  readonly estimator: BatchEstimator;
  readonly joint: boolean;
  readonly maxGroup: number;
  readonly splitBlends: boolean;
  readonly options: ValidSpotsOptions;
}

/** A file-name option of the front ends (`out`, `overlay`): a string, or an error naming it. */
function fileName(key: string, v: unknown): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  throw new ExprfitError('option', `spots option '${key}' must be a file name, got ${String(v)}`);
}

/**
 * Options of the `spots` command and statement from loose key/value pairs (kebab-case, snake_case or
 * camelCase keys; strings or numbers): only the options given, with the file names `out` and `overlay` (the
 * front ends' own options) returned separately.
 */
export function spotsOptionsFrom(raw: Readonly<Record<string, unknown>>): {
  options: SpotsOptions;
  out?: string;
  overlay?: string;
} {
  const { out, overlay, ...rest } = raw;
  const given = new Set(Object.keys(rest).filter((k) => rest[k] !== undefined));
  const all: Readonly<Record<string, unknown>> = parseOptions(spotsSchema, rest, 'script');
  const keys = new Set([...given].map((k) => optionKeyOf(spotsSchema, k, 'script')));
  const options = Object.fromEntries(Object.entries(all).filter(([k]) => keys.has(k))) as SpotsOptions;
  const files = { out: fileName('out', out), overlay: fileName('overlay', overlay) };
  return {
    options,
    ...(files.out !== undefined ? { out: files.out } : {}),
    ...(files.overlay !== undefined ? { overlay: files.overlay } : {}),
  };
}

/** How a user of `frontEnd` gives the start value of `p`. */
function startSpelling(p: string, frontEnd: FrontEnd): string {
  if (frontEnd === 'cli') return `--start ${p}=...`;
  if (frontEnd === 'script') return `start_${p}=...`;
  return `start: { ${p}: ... }`;
}

/** A start value of a model parameter that has no role (spots estimates the others itself). */
export function checkStartValue(model: SpotModel, name: string, v: unknown): void {
  const roleParams = new Set(Object.values(model.roles));
  if (!model.params.includes(name)) {
    const g = didYouMean(name, model.params);
    throw new ExprfitError(
      'value',
      `start value for '${name}': the model has no such parameter (its parameters: ${model.params.join(', ')})`,
      g ? { hints: [g] } : {},
    );
  }
  if (roleParams.has(name)) {
    throw new ExprfitError(
      'value',
      `start value for '${name}': spots estimates this parameter itself (amplitude, centre, widths, angle and background); start values are for the model's other parameters`,
    );
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ExprfitError('value', `start value for '${name}' must be a finite number, got ${String(v)}`);
  }
}

/** Every parameter without a role has a start value (the hint spelled for `frontEnd`). */
export function checkMissingStarts(
  model: SpotModel,
  start: Readonly<Record<string, number>>,
  frontEnd: FrontEnd,
): void {
  const roleParams = new Set(Object.values(model.roles));
  const p = model.params.find((q) => !roleParams.has(q) && !Object.hasOwn(start, q));
  if (p === undefined) return;
  throw new ExprfitError('value', `no start value for the model parameter '${p}'`, {
    hints: [
      `give one with ${startSpelling(p, frontEnd)} (spots finds starts for amplitude, x0, y0, sigma..., theta, background)`,
    ],
  });
}

/** All start values: each known and finite, none missing. */
export function checkStartValues(
  model: SpotModel,
  start: Readonly<Record<string, number>>,
  frontEnd: FrontEnd = 'api',
): void {
  for (const [name, v] of Object.entries(start)) checkStartValue(model, name, v);
  checkMissingStarts(model, start, frontEnd);
}
