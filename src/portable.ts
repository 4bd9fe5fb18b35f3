/**
 * `exprfit/core`: the part of exprfit that runs anywhere (browsers, workers, Deno, Node): parsing, the symbolic
 * layer, compiled kernels, fitting, the solvers, arrays and the in-memory readers. No `node:` import is reachable
 * from here (test/package/core.test.ts bundles it with esbuild for the browser); file I/O, threads, plots, scripts
 * and the CLI are in the Node entry, `exprfit`.
 */
export { ExprfitError } from './core/index.ts';
export type { ErrorCode, SourceSpan, SourceText } from './core/index.ts';
export { broadcastShapes, NdArray } from './data/index.ts';
export type { NdArrayJSON } from './data/index.ts';
export type { Expr } from './ast/index.ts';
export { build } from './ast/index.ts';
export { printExpr } from './ast/index.ts';
export { exprEquals, hashExpr } from './ast/index.ts';
export { CONSTANTS, functionNames, getFunction } from './functions/index.ts';
export type { FunctionDef } from './functions/index.ts';
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
export { fit, prepareFit } from './fit/index.ts';
export { FitResult } from './fit/index.ts';
export { loadResult } from './fit/index.ts';
export type { FitCurves } from './fit/index.ts';
export type { ProgressCallback } from './fit/index.ts';
export { akaikeWeights, bicWeights, fTest, likelihoodRatioTest } from './fit/index.ts';
export { fitOde, type OdeFitOptions, odeModel } from './ode/index.ts';
export {
  integrate,
  type OdeMethod,
  type OdeOptions,
  type OdeOptionsInput,
  odeSchema,
  type OdeSolution,
  type OdeStatus,
  validateOdeOptions,
} from './ode/index.ts';
export type { OdeFunctions } from './ode/index.ts';
export type { OdeOutput, OdeSystem } from './ode/index.ts';
export type { ComparedFit, ModelWeights, NestedTest } from './fit/index.ts';
export type {
  EquationData,
  EquationStats,
  FitResultJSON,
  NamedMatrix,
  SavedFitOptions,
} from './fit/index.ts';
export type {
  DataInput,
  Estimator,
  FitOptions,
  Loss,
  Method,
  ParamResult,
  Termination,
} from './fit/index.ts';
export type { ParamInput, ParamsInput } from './model/index.ts';
export { parseModelText as model } from './model/index.ts';
export type { Equation, Model } from './model/index.ts';
export { compileModel, compileValues } from './compile/index.ts';
export { clearCompileCache } from './compile/index.ts';
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
export { formatTable, parseTable } from './data/index.ts';
export { formatJson, jsonToData, parseJsonText } from './data/index.ts';
export { encodeNpy, parseNpy, parseNpz } from './data/index.ts';
export { parseTiff } from './data/index.ts';
export { parseFits } from './data/index.ts';
export { findPeaks } from './batch/index.ts';
// Objectives without data, custom objectives and constraints (src/fit/minimize.ts; docs/constraints.md).
export { maximize, minimize, minimizeSchema } from './fit/index.ts';
export type { MinimizeOptions, Minimizer, MinimizeResult } from './fit/index.ts';
export type { ConstraintResult } from './fit/index.ts';
// Trust warnings of a fit (src/fit/trust.ts).
export type { FitWarning, FitWarningCode } from './fit/index.ts';
// After the fit: bands, profile confidence intervals, MCMC (src/fit/bands.ts, confint.ts, mcmc.ts).
export { bandOptions } from './fit/index.ts';
export type { BandOptions, BandSource } from './fit/index.ts';
export { confInterval, confInterval2d, confInterval2dOptions, confIntervalOptions } from './fit/index.ts';
export type {
  ConfInterval2dOptions,
  ConfIntervalOptions,
  ConfIntervalResult,
  ConfRegion,
  IntervalLevel,
  ParamInterval,
  ProfileTrace,
} from './fit/index.ts';
export { emcee, emceeOptions } from './fit/index.ts';
export type { EmceeOptions, EmceeResult, PosteriorSummary } from './fit/index.ts';

// Named models (gaussian(x; g1), ...: src/models) and their start guesses (src/fit/guess.ts).
export { guess } from './fit/index.ts';
export { getNamedModel, namedModels } from './models/index.ts';
export type { GuessRule, NamedModelDef, ParamHint, PeakFeatures } from './models/index.ts';
export type { EquationModelUse } from './model/index.ts';
export type { NamedModelUse } from './model/index.ts';

// Types and schemas that public signatures use (TypeDoc's notExported check).
export type { ErrorDetail, ExprfitErrorOptions, Subject } from './core/index.ts';
export type { AugmentedOptionsInput, ConstrainedSummary, ConstraintFunctions } from './solver/index.ts';
export { bfgsSchema } from './solver/index.ts';
export { differentialSchema } from './solver/index.ts';
export { powellSchema } from './solver/index.ts';
export { type HessianFunction, trustNewtonSchema } from './solver/index.ts';
export { MINIMIZERS } from './fit/index.ts';
export type { PreparedConstraint } from './fit/index.ts';
export type { VectorParamInput } from './model/index.ts';
export { augmentedSchema } from './solver/index.ts';
export type { Polish } from './solver/index.ts';
export type { PerElement } from './model/index.ts';
