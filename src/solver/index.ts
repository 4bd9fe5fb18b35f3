/**
 * exprfit's numeric solvers. Knows nothing of expressions: problems are plain callbacks on
 * Float64Arrays. See docs/solver.md.
 */
export { solveLeastSquares } from './lm.ts';
export type { LeastSquaresProblem, LeastSquaresSummary, SolverSummary } from './lm.ts';
export {
  validateOptions,
  DEFAULT_SOLVER_OPTIONS,
  LOSS_NAMES,
  resolveMaxFev,
  resolveMaxIterations,
} from './options.ts';
export type { SolverOptions, SolverOptionsInput, LossName, IterationInfo, XScale } from './options.ts';
export { isConverged } from './summary.ts';
export type { TerminationReason, SummaryBase, BoundSide } from './summary.ts';
export {
  covarianceFromJacobian,
  covarianceFromInformation,
  leastSquaresCovariance,
  correlationFromCovariance,
} from './covariance.ts';
export type { CovarianceOptions, CovarianceResult, LeastSquaresCovarianceOptions } from './covariance.ts';
export type { TriangularFactor } from './linalg.ts';
export { robustCost, scaleForLoss, lossRho, rhoTriple, lossRowScale } from './loss.ts';
export { solvePoisson, devianceResidual, poissonQ } from './poisson.ts';
export type { PoissonProblem, PoissonSummary } from './poisson.ts';
export { minimizeNLL, fdHessian } from './nll.ts';
export type { LikelihoodProblem, NllOptions, NllSummary } from './nll.ts';
export { minimizeLBFGSB, validateLbfgsbOptions, DEFAULT_LBFGSB_OPTIONS } from './lbfgsb.ts';
export type { ObjectiveWithGradient, LbfgsbOptions, MinimizeSummary } from './lbfgsb.ts';
export { minimizeNelderMead, validateNelderMeadOptions, DEFAULT_NELDER_MEAD_OPTIONS } from './neldermead.ts';
export type { Objective, NelderMeadOptions } from './neldermead.ts';
export { multiStart, multiStartPoints, mulberry32 } from './multistart.ts';
export type { MultiStartResult } from './multistart.ts';
export { checkStart } from './bounds.ts';
export { ChunkedQR, jacobiSVD } from './linalg.ts';
export type { NumericArray } from './bounds.ts';
export { minimizeBFGS } from './bfgs.ts';
export { minimizeTrustNewton } from './newton.ts';
export type { HessianFunction } from './newton.ts';
export { minimizePowell } from './powell.ts';
export { differentialEvolution } from './differential.ts';
export type { Polish } from './differential.ts';
export { solveConstrainedLeastSquares, minimizeConstrained } from './augmented.ts';
export type { ConstraintFunctions, ConstrainedSummary } from './augmented.ts';
