/**
 * `exprfit/core`: the part of exprfit that runs anywhere (browsers, workers, Deno, Node): parsing, the symbolic
 * layer, compiled kernels, fitting, the solvers, arrays and the in-memory readers. No `node:` import is reachable
 * from here (test/package/core.test.ts bundles it with esbuild for the browser); file I/O, threads, plots, scripts
 * and the CLI are in the Node entry, `exprfit`.
 */
export { ExprfitError } from './core/errors.ts';
export type { SourceSpan, SourceText, ErrorCode } from './core/errors.ts';
export { NdArray, broadcastShapes } from './data/ndarray.ts';
export type { NdArrayJSON } from './data/ndarray.ts';
export type { Expr } from './ast/expr.ts';
export * as build from './ast/build.ts';
export { printExpr } from './ast/print.ts';
export { exprEquals, hashExpr } from './ast/hash.ts';
export { getFunction, functionNames, CONSTANTS } from './functions/registry.ts';
export type { FunctionDef } from './functions/types.ts';
export {
  evaluate,
  differentiate,
  gradient,
  simplify,
  cse,
  inline,
  substitute,
  freeSymbols,
  dependsOn,
} from './symbolic/index.ts';
export type { UserFunction, UserFunctions, CseResult } from './symbolic/index.ts';
export { parseExpr, parseModel, parseScript, parseStatement, isIncomplete } from './syntax/index.ts';
export type { Statement, ModelAst } from './syntax/index.ts';
export { fit, prepareFit } from './fit/fit.ts';
export { FitResult } from './fit/result.ts';
export { loadResult } from './fit/load.ts';
export type { FitCurves } from './fit/curves.ts';
export type { ProgressCallback } from './fit/progress.ts';
export { akaikeWeights, bicWeights, fTest, likelihoodRatioTest } from './fit/compare.ts';
export { fitOde, odeModel, type OdeFitOptions } from './ode/fit.ts';
export {
  integrate,
  odeSchema,
  validateOdeOptions,
  type OdeMethod,
  type OdeOptions,
  type OdeOptionsInput,
  type OdeSolution,
  type OdeStatus,
} from './ode/integrate.ts';
export type { OdeFunctions } from './ode/steppers.ts';
export type { OdeOutput, OdeSystem } from './ode/system.ts';
export type { ComparedFit, ModelWeights, NestedTest } from './fit/compare.ts';
export type {
  FitResultJSON,
  EquationStats,
  EquationData,
  NamedMatrix,
  SavedFitOptions,
} from './fit/result.ts';
export type {
  FitOptions,
  DataInput,
  Method,
  Loss,
  Estimator,
  ParamResult,
  Termination,
} from './fit/types.ts';
export type { ParamInput, ParamsInput } from './model/params.ts';
export { parseModelText as model } from './model/model.ts';
export type { Model, Equation } from './model/model.ts';
export { compileModel, compileValues } from './compile/index.ts';
export { clearCompileCache } from './compile/cache.ts';
export {
  solveLeastSquares,
  solvePoisson,
  minimizeNLL,
  minimizeLBFGSB,
  minimizeNelderMead,
  multiStart,
  covarianceFromJacobian,
  minimizeBFGS,
  minimizeTrustNewton,
  minimizePowell,
  differentialEvolution,
  solveConstrainedLeastSquares,
  minimizeConstrained,
} from './solver/index.ts';
export type { LeastSquaresProblem, LeastSquaresSummary, SolverOptions, XScale } from './solver/index.ts';
export * as arrays from './arrays/index.ts';
export {
  linspace,
  arange,
  zeros,
  ones,
  full,
  grid,
  meshgrid,
  reshape,
  ravel,
  transpose,
  slice,
  concat,
  gausskernel,
  mvnpdf,
  mvnpdf2,
  gaussianUnion,
  probUnion,
  gaussfilter,
  rbfkernel,
  gaussian2d,
  sumOfGaussians,
  smoothingSpline,
  crBasis,
  makeCrBasis,
} from './arrays/index.ts';
// In-memory readers and encoders: bytes or text in, arrays out (no file system).
export { parseTable, formatTable } from './data/table.ts';
export { parseJsonText, jsonToData, formatJson } from './data/json.ts';
export { parseNpy, parseNpz, encodeNpy } from './data/npy.ts';
export { parseTiff } from './data/tiff.ts';
export { parseFits } from './data/fits.ts';
export { findPeaks } from './batch/findPeaks.ts';
// Objectives without data, custom objectives and constraints (src/fit/minimize.ts; docs/constraints.md).
export { minimize, maximize, minimizeSchema } from './fit/minimize.ts';
export type { MinimizeOptions, MinimizeResult, Minimizer } from './fit/minimize.ts';
export type { ConstraintResult } from './fit/constraints.ts';
// Trust warnings of a fit (src/fit/trust.ts).
export type { FitWarning, FitWarningCode } from './fit/types.ts';
// After the fit: bands, profile confidence intervals, MCMC (src/fit/bands.ts, confint.ts, mcmc.ts).
export { bandOptions } from './fit/bands.ts';
export type { BandOptions, BandSource } from './fit/bands.ts';
export { confInterval, confInterval2d, confIntervalOptions, confInterval2dOptions } from './fit/confint.ts';
export type {
  ConfIntervalOptions,
  ConfInterval2dOptions,
  ConfIntervalResult,
  ParamInterval,
  IntervalLevel,
  ProfileTrace,
  ConfRegion,
} from './fit/confint.ts';
export { emcee, emceeOptions } from './fit/mcmc.ts';
export type { EmceeOptions, EmceeResult, PosteriorSummary } from './fit/mcmc.ts';

// Named models (gaussian(x; g1), ...: src/models) and their start guesses (src/fit/guess.ts).
export { guess } from './fit/guess.ts';
export { namedModels, getNamedModel } from './models/registry.ts';
export type { NamedModelDef, ParamHint, GuessRule, PeakFeatures } from './models/types.ts';
export type { EquationModelUse } from './model/model.ts';
export type { NamedModelUse } from './model/named.ts';
