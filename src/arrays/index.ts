/**
 * exprfit array tools (layer 12): grids and constructors, reductions and shape operations, Gaussian
 * kernels, densities, filters, kernel matrices, heatmaps, smoothing splines and spline bases.
 * Everything takes and returns `NdArray` (or plain numbers / arrays where noted) and reports user mistakes
 * as `ExprfitError`. See docs/arrays.md.
 */
export {
  linspace,
  arange,
  zeros,
  ones,
  full,
  grid,
  meshgrid,
  sum,
  mean,
  min,
  max,
  std,
  reshape,
  ravel,
  transpose,
  slice,
  concat,
} from './basic.ts';
export type { GridOptions, ReduceOptions, StdOptions, SliceSpec, SliceItem } from './basic.ts';
export {
  gausskernel,
  gausskernel1d,
  mvnpdf,
  mvnpdf2,
  gaussian2d,
  gaussianUnion,
  sumOfGaussians,
  probUnion,
  broadcastTo,
  cholesky,
} from './gaussian.ts';
export type { KernelMode, Gaussian2dParams, SumOfGaussiansOptions } from './gaussian.ts';
export { gaussfilter, gaussianWeights } from './filter.ts';
export type { FilterMode } from './filter.ts';
export { rbfkernel } from './rbf.ts';
export { smoothingSpline, fminbound } from './spline.ts';
export type { SmoothingSpline, SmoothingSplineOptions } from './spline.ts';
export { crBasis, makeCrBasis } from './crbasis.ts';
export type { CrBasis, CrBasisOptions } from './crbasis.ts';
export { erf, erfc, normCdf } from './special.ts';
