// Public API of exprfit (the Node entry). Modules add their exports here.
// Everything that runs anywhere: the `exprfit/core` entry (src/portable.ts), re-exported whole.
export * from './portable.ts';
// .fit scripts: run or check a file, or drive an interpreter statement by statement (src/script).
export { formatValue } from './script/index.ts';
export {
  checkScript,
  Evaluator,
  getScriptFunction,
  Interpreter,
  readScript,
  registerCommand,
  registerFunction,
  runScript,
  scriptFunctionNames,
} from './script/node.ts';
export type {
  Checker,
  CommandDef,
  InterpreterOptions,
  InterpreterState,
  ParamEntry,
  StatementContext,
  StatementDef,
  StatementTable,
  Value,
} from './script/index.ts';
export type { RunScriptOptions, RunScriptResult, ScriptFunction } from './script/node.ts';
// Files and plots (src/data; docs/formats.md).
export {
  listFitsHdus,
  readFits,
  readJson,
  readNpy,
  readNpz,
  readTable,
  readTiff,
  writeJson,
  writeNpy,
  writeNpz,
  writeTable,
} from './data/index.ts';
export {
  load,
  loadArray,
  parsePng,
  plotFit,
  plotSpec,
  plotSvg,
  readPng,
  saveArray,
  toArray,
  writeHeatmapPng,
  writePng16,
} from './data/node.ts';
// Numeric solvers on plain callbacks (src/solver; docs/solver.md).
export { validateOptions as validateSolverOptions } from './solver/index.ts';
// Batch fitting, peak finding and spot fitting (src/batch; docs/batch.md).
export {
  BUILTIN_MODELS,
  gaussianSpotCrb,
  momentStart,
  multiSpotModel,
  spotModel,
  spotsOptionsFrom,
  STATUS_NAMES,
} from './batch/index.ts';
export { closeBatchPool, fitMany, fitManySync, overlayPng, runSpots, SPOT_COLUMNS } from './batch/node.ts';
export type {
  BatchEstimator,
  FindPeaksOptions,
  MomentStart,
  Peaks,
  SpotModel,
  SpotRoles,
  SpotsOptions,
  StopOption,
} from './batch/index.ts';
export type {
  FitManyJSON,
  FitManyOptions,
  FitManyResult,
  ManyParamInput,
  OverlayOptions,
  PerFit,
  SpotColumn,
  SpotsJSON,
  SpotsResult,
} from './batch/node.ts';
// Array expressions from code, as in scripts (`I = 1 - (1 - P1)*(1 - P2)`).
export { evaluateArray } from './script/node.ts';
export type { ArrayInput } from './script/node.ts';
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
} from './ast/index.ts';
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
} from './syntax/index.ts';
export type { FitValue, SplineValue, TableValue, TupleValue, Where } from './script/index.ts';
export type { BuiltinSpotModel } from './batch/index.ts';
export type { FitRecord, ModelLine, OdeLine, Settings } from './script/index.ts';
export type { StopRule } from './batch/index.ts';
export type { NumericArray } from './solver/index.ts';
export type { BoundSide, TerminationReason } from './solver/index.ts';
export type { IterationInfo, LossName } from './solver/index.ts';
export type { CheckResult } from './script/node.ts';
export type {
  BindOptions,
  BoundKernel,
  BoundResidualKernel,
  BoundResidualValues,
  BoundValues,
  DataArray,
  Kernel,
  ValuesKernel,
} from './compile/index.ts';
export type { CovarianceOptions, CovarianceResult } from './solver/index.ts';
export type { TriangularFactor } from './solver/index.ts';
export type { CrbResult } from './batch/index.ts';
export type { FitsCard, FitsHdu, FitsImage, FitsValue, ReadFitsOptions } from './data/index.ts';
export type { DataFormat, LoadedData, LoadOptions, SaveArrayOptions } from './data/node.ts';
export type { LbfgsbOptions, MinimizeSummary, ObjectiveWithGradient } from './solver/index.ts';
export type { LikelihoodProblem, NllOptions, NllSummary } from './solver/index.ts';
export type { MultiStartResult, StartControl } from './solver/index.ts';
export type { NpzContents } from './data/index.ts';
export type { ColumnData, ReadTableOptions, Table, WriteTableOptions } from './data/index.ts';
export type {
  ModelBand,
  Plot1DSpec,
  Plot2DSpec,
  PlotCompareSpec,
  PlotOptions,
  PlotSpec,
} from './data/index.ts';
export type { PlotResult } from './data/node.ts';
export type { PlotCornerSpec, PlotRegionSpec } from './data/index.ts';
export type { PreparedEquation, PreparedFit } from './fit/index.ts';
export type { KernelBinder } from './fit/index.ts';
export type { FitInputs } from './fit/index.ts';
export type { JsonData, JsonWriteOptions, NonFinite } from './data/index.ts';
export type { PoissonProblem, PoissonSummary } from './solver/index.ts';
export type { EvalScope } from './script/node.ts';
export type { ModelSpec } from './compile/index.ts';
export type { NelderMeadOptions, Objective } from './solver/index.ts';
export type { MomentOptions } from './batch/index.ts';
export type { SpotColumns } from './batch/node.ts';
export type { ParseOptions } from './syntax/index.ts';
export type { HeatmapOptions, ReadPngOptions } from './data/node.ts';
export type { ReadTiffOptions } from './data/index.ts';
export type { FitResultInit } from './fit/index.ts';
export type { CommandChecker } from './script/index.ts';
export type { FunctionExample } from './functions/index.ts';
export type { CallContext } from './script/node.ts';
export type { Colormap } from './data/index.ts';
export type { NormalizedSpec, Role, SymbolicProgram } from './compile/index.ts';
export type { ValidatedFitOptions } from './fit/index.ts';
export type { ParamSpec } from './model/index.ts';
export type { Mode } from './compile/index.ts';
export type { UserFunctionSignature } from './syntax/index.ts';
// Option schemas: each operation's options declared once (src/core/options.ts; the docs' options tables).
export type {
  AnySpec,
  Bound,
  Declared,
  FrontEnd,
  HasDefault,
  InputOf,
  OptionKind,
  OptionRule,
  OptionsInput,
  OptionsOf,
  OptionSpec,
  OptionSpecs,
  OptionsSchema,
  ResolvedOptions,
  SpecsOf,
  ValueOf,
} from './core/index.ts';
export { type FitOptionsInput, fitSchema, type XScaleByName } from './fit/index.ts';
export { type SolverOptionsInput, solverSchema } from './solver/index.ts';
export { lbfgsbSchema, type MinimizerCallback } from './solver/index.ts';
export { nelderMeadSchema } from './solver/index.ts';
export { nllSchema } from './solver/index.ts';
export { fitManySchema } from './batch/node.ts';
export { findPeaksSchema } from './batch/index.ts';
export { spotsSchema } from './batch/index.ts';
export { type Constraints, crBasisSchema } from './arrays/index.ts';
export { gridSchema } from './arrays/index.ts';
export { smoothingSplineSchema } from './arrays/index.ts';
export { sumOfGaussiansSchema } from './arrays/index.ts';
export type { StatementHelp } from './script/index.ts';
// The web page's server (`exprfit serve`; docs/web.md).
export { startServer } from './web/node.ts';
export type { ServeOptions, WebServer } from './web/node.ts';
export type { SessionJSON, SessionParam } from './web/index.ts';
// Profiles and MCMC on worker threads (the portable entry has the synchronous forms).
export { confInterval2dThreaded, confIntervalThreaded, emceeThreaded } from './batch/node.ts';
// Spots on image stacks frame by frame, and the stack readers (src/batch/spots/stack.ts; docs/spots.md).
export { runSpotsStack, type SpotsStackResult, STACK_COLUMNS, type StackColumn } from './batch/node.ts';
export { type FrameStack, openStack } from './data/node.ts';
export type { ConstraintLine } from './script/index.ts';
