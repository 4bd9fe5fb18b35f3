/** Batch fitting and spot finding (docs/batch.md). */
export {
  fitMany,
  fitManySync,
  prepareMany,
  runPrepared,
  reduceConstantAxes,
  STATUS_NAMES,
} from './fitMany.ts';
export type {
  FitManyOptions,
  FitManyResult,
  FitManyJSON,
  ManyParamInput,
  PerFit,
  StopOption,
} from './fitMany.ts';
export type { PreparedMany } from './problem.ts';
export { findPeaks, parseThreshold, median, robustStats } from './findPeaks.ts';
export type { FindPeaksOptions, Peaks } from './findPeaks.ts';
export { momentStart } from './moments.ts';
export type { MomentStart, MomentOptions } from './moments.ts';
export { spotModel, multiSpotModel, BUILTIN_MODELS } from './models.ts';
export type { SpotModel, SpotRoles, BuiltinSpotModel } from './models.ts';
export { runSpots, spotsCsv, spotsOptionsFrom, SPOT_COLUMNS } from './spots/index.ts';
export type { SpotsOptions, SpotsResult, SpotsJSON, SpotColumn } from './spots/index.ts';
export { overlayPng, overlayRgba } from './overlay.ts';
export type { OverlayOptions } from './overlay.ts';
export { closeBatchPool } from './pool.ts';
export { GPUFIT_STOP, STRICT_STOP, STATUS } from './lm.ts';
export type { StopRule } from './lm.ts';
export { gaussianSpotCrb } from './crb.ts';
export type { BatchEstimator } from './kernel.ts';
