// Public API of exprfit (the Node entry). Modules add their exports here.
// Everything that runs anywhere: the `exprfit/core` entry (src/portable.ts), re-exported whole.
export * from './portable.ts';
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
  StatementTable,
  StatementDef,
  StatementContext,
  InterpreterState,
  Checker,
} from './script/index.ts';
// Files and plots (src/data; docs/formats.md).
export {
  load,
  loadArray,
  toArray,
  saveArray,
  readTable,
  writeTable,
  readJson,
  writeJson,
  readNpy,
  writeNpy,
  readNpz,
  writeNpz,
  readPng,
  parsePng,
  writeHeatmapPng,
  writePng16,
  readTiff,
  readFits,
  listFitsHdus,
  plotFit,
  plotSvg,
  plotSpec,
} from './data/index.ts';
// Numeric solvers on plain callbacks (src/solver; docs/solver.md).
export { validateOptions as validateSolverOptions } from './solver/index.ts';
// Batch fitting, peak finding and spot fitting (src/batch; docs/batch.md).
export {
  fitMany,
  fitManySync,
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
  FitManyJSON,
  ManyParamInput,
  PerFit,
  StopOption,
  FindPeaksOptions,
  Peaks,
  SpotsOptions,
  SpotsResult,
  SpotsJSON,
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
// Types that appear in the signatures above (TypeDoc's notExported check keeps this list complete).
export type {
  ArithOp,
  ArrayNode,
  BinaryNode,
  BinaryOp,
  CallNode,
  CompareOp,
  IndexItem,
  IndexNode,
  LogicalOp,
  NumNode,
  StrNode,
  SymNode,
  UnaryNode,
  UnaryOp,
} from './ast/expr.ts';
export type {
  AssignStatement,
  CommandStatement,
  DataStatement,
  Equation as EquationAst,
  ExprStatement,
  FitStatement,
  FunctionStatement,
  ModelStatement,
  OdeEquation,
  OdeStatement,
  OptionArg,
  ParamDecl,
  ParamStatement,
  PlotStatement,
  PrintStatement,
  ReportStatement,
  SaveStatement,
  UserFunction as UserFunctionAst,
} from './syntax/statements.ts';
export type { FitValue, SplineValue, TableValue, TupleValue, Where } from './script/values.ts';
export type { BuiltinSpotModel } from './batch/models.ts';
export type { FitRecord, ModelLine, OdeLine, Settings } from './script/context.ts';
export type { StopRule } from './batch/lm.ts';
export type { NumericArray } from './solver/bounds.ts';
export type { BoundSide, TerminationReason } from './solver/summary.ts';
export type { IterationInfo, LossName } from './solver/options.ts';
export type { CheckResult } from './script/check.ts';
export type {
  BindOptions,
  BoundKernel,
  BoundResidualKernel,
  BoundResidualValues,
  BoundValues,
  DataArray,
  Kernel,
  ValuesKernel,
} from './compile/kernel.ts';
export type { CovarianceOptions, CovarianceResult } from './solver/covariance.ts';
export type { TriangularFactor } from './solver/linalg.ts';
export type { CrbResult } from './batch/crb.ts';
export type { FitsCard, FitsHdu, FitsImage, FitsValue, ReadFitsOptions } from './data/fits.ts';
export type { DataFormat, LoadOptions, LoadedData, SaveArrayOptions } from './data/load.ts';
export type { LbfgsbOptions, MinimizeSummary, ObjectiveWithGradient } from './solver/lbfgsb.ts';
export type { LikelihoodProblem, NllOptions, NllSummary } from './solver/nll.ts';
export type { MultiStartResult, StartControl } from './solver/multistart.ts';
export type { NpzContents } from './data/npy.ts';
export type { ColumnData, ReadTableOptions, Table, WriteTableOptions } from './data/table.ts';
export type {
  ModelBand,
  Plot1DSpec,
  Plot2DSpec,
  PlotCompareSpec,
  PlotOptions,
  PlotResult,
  PlotSpec,
} from './data/plot.ts';
export type { PlotCornerSpec, PlotRegionSpec } from './data/plotPosterior.ts';
export type { PreparedEquation, PreparedFit } from './fit/prepared.ts';
export type { KernelBinder } from './fit/setup.ts';
export type { FitInputs } from './fit/setup.ts';
export type { JsonData, JsonWriteOptions, NonFinite } from './data/json.ts';
export type { PoissonProblem, PoissonSummary } from './solver/poisson.ts';
export type { EvalScope } from './script/evaluate.ts';
export type { ModelSpec } from './compile/program.ts';
export type { NelderMeadOptions, Objective } from './solver/neldermead.ts';
export type { MomentOptions } from './batch/moments.ts';
export type { SpotColumns } from './batch/overlay.ts';
export type { ParseOptions } from './syntax/parse.ts';
export type { HeatmapOptions, ReadPngOptions } from './data/png.ts';
export type { ReadTiffOptions } from './data/tiff.ts';
export type { FitResultInit } from './fit/result.ts';
export type { CommandChecker } from './script/context.ts';
export type { FunctionExample } from './functions/types.ts';
export type { CallContext } from './script/functions.ts';
export type { Colormap } from './data/colormap.ts';
export type { NormalizedSpec, Role, SymbolicProgram } from './compile/roles.ts';
export type { ValidatedFitOptions } from './fit/options.ts';
export type { ParamSpec } from './model/params.ts';
export type { Mode } from './compile/plan.ts';
export type { UserFunctionSignature } from './syntax/check-calls.ts';
// Option schemas: each operation's options declared once (src/core/options.ts; the docs' options tables).
export type {
  AnySpec,
  Bound,
  Declared,
  FrontEnd,
  HasDefault,
  OptionKind,
  ValueOf,
  InputOf,
  OptionRule,
  OptionSpec,
  OptionSpecs,
  OptionsInput,
  OptionsOf,
  OptionsSchema,
  ResolvedOptions,
  SpecsOf,
} from './core/options.ts';
export { fitSchema, type FitOptionsInput, type XScaleByName } from './fit/options.ts';
export { solverSchema, type SolverOptionsInput } from './solver/options.ts';
export { lbfgsbSchema, type MinimizerCallback } from './solver/lbfgsb.ts';
export { nelderMeadSchema } from './solver/neldermead.ts';
export { nllSchema } from './solver/nll.ts';
export { fitManySchema } from './batch/fitMany.ts';
export { findPeaksSchema } from './batch/findPeaks.ts';
export { spotsSchema } from './batch/spots/options.ts';
export { crBasisSchema, type Constraints } from './arrays/crbasis.ts';
export { gridSchema } from './arrays/basic.ts';
export { smoothingSplineSchema } from './arrays/spline.ts';
export { sumOfGaussiansSchema } from './arrays/gaussian.ts';
export type { StatementHelp } from './script/context.ts';
// The web page's server (`exprfit serve`; docs/web.md).
export { startServer } from './web/server.ts';
export type { ServeOptions, WebServer } from './web/server.ts';
export type { SessionJSON, SessionParam } from './web/protocol.ts';
// Profiles and MCMC on worker threads (the portable entry has the synchronous forms).
export { confIntervalThreaded, confInterval2dThreaded, emceeThreaded } from './batch/afterFit.ts';
// Spots on image stacks frame by frame, and the stack readers (src/batch/spots/stack.ts; docs/spots.md).
export {
  runSpotsStack,
  STACK_COLUMNS,
  type SpotsStackResult,
  type StackColumn,
} from './batch/spots/stack.ts';
export { openStack, type FrameStack } from './data/stack.ts';
