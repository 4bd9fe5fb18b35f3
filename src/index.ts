// Public API of exprfit. Modules add their exports here.
export { ExprfitError } from './syntax/span.ts';
export type { SourceSpan } from './syntax/span.ts';
export { NdArray, broadcastShapes } from './data/ndarray.ts';
export type { Expr } from './ast/expr.ts';
// Expressions: builders, printing, structural equality; builtins; the symbolic layer.
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
// .fit scripts: run or check a file, or drive an interpreter statement by statement (src/script).
export {
  runScript,
  checkScript,
  readScript,
  Interpreter,
  Evaluator,
  registerCommand,
  registerFunction,
  getScriptFunction,
  scriptFunctionNames,
  formatValue,
} from './script/index.ts';
export type {
  RunScriptOptions,
  RunScriptResult,
  InterpreterOptions,
  ParamEntry,
  CommandDef,
  ScriptFunction,
  Value,
} from './script/index.ts';
// Fitting: fit(model, data, params?, options?) → FitResult (src/fit; docs/fitting.md).
export { fit } from './fit/fit.ts';
export { FitResult } from './fit/result.ts';
export type { FitResultJSON, EquationStats, NamedMatrix } from './fit/result.ts';
export type {
  FitOptions,
  DataInput,
  Method,
  Loss,
  Estimator,
  ParamResult,
  FitWarning,
  FitWarningCode,
  Termination,
} from './fit/types.ts';
export type { ParamInput, ParamsInput } from './model/params.ts';
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
// Parsing (src/syntax; docs/language.md).
export { parseExpr, parseModel, parseScript, parseStatement, isIncomplete } from './syntax/index.ts';
export type { Statement, ModelAst, SourceText } from './syntax/index.ts';
// Array tools (src/arrays; docs/arrays.md): the common ones by name, everything as `arrays`.
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
  gaussfilter,
  rbfkernel,
  gaussian2d,
  sumOfGaussians,
  smoothingSpline,
  crBasis,
} from './arrays/index.ts';
export * as arrays from './arrays/index.ts';
// Files and plots (src/data; docs/formats.md).
export {
  load,
  loadArray,
  saveArray,
  readTable,
  writeTable,
  readJson,
  writeJson,
  readNpy,
  writeNpy,
  readNpz,
  readPng,
  writeHeatmapPng,
  writePng16,
  readTiff,
  readFits,
  plotFit,
} from './data/index.ts';
// Models and compiled kernels: parse once, fit many times (src/model, src/compile; docs/compile.md).
export { parseModelText as model } from './model/model.ts';
export type { Model, Equation } from './model/model.ts';
export { prepareFit } from './fit/fit.ts';
export { compileModel, compileValues } from './compile/index.ts';
// Numeric solvers on plain callbacks (src/solver; docs/solver.md).
export {
  solveLeastSquares,
  solvePoisson,
  minimizeNLL,
  minimizeLBFGSB,
  minimizeNelderMead,
  multiStart,
  covarianceFromJacobian,
  validateOptions as validateSolverOptions,
} from './solver/index.ts';
export type { LeastSquaresProblem, LeastSquaresSummary, SolverOptions } from './solver/index.ts';
// Batch fitting, peak finding and spot fitting (src/batch; docs/batch.md).
export {
  fitMany,
  fitManySync,
  findPeaks,
  runSpots,
  spotsOptionsFrom,
  spotModel,
  multiSpotModel,
  momentStart,
  gaussianSpotCrb,
  overlayPng,
  closeBatchPool,
  SPOT_COLUMNS,
  STATUS_NAMES,
  BUILTIN_MODELS,
} from './batch/index.ts';
export type {
  FitManyOptions,
  FitManyResult,
  ManyParamInput,
  PerFit,
  StopOption,
  FindPeaksOptions,
  Peaks,
  SpotsOptions,
  SpotsResult,
  SpotColumn,
  SpotModel,
  SpotRoles,
  MomentStart,
  OverlayOptions,
  BatchEstimator,
} from './batch/index.ts';
// Array expressions from code, as in scripts (`I = 1 - (1 - P1)*(1 - P2)`).
export { evaluateArray } from './script/arrayExpr.ts';
export type { ArrayInput } from './script/arrayExpr.ts';
