/**
 * The contract between fit preparation (fit.ts: model, data and parameters checked and bound to kernels) and
 * the solver stage (solve.ts): what a prepared fit holds.
 */
import type { Expr } from '../ast/index.ts';
import type { compileModel } from '../compile/index.ts';
import type { Model, ParamSpec } from '../model/index.ts';
import type { PreparedConstraint } from './constraints.ts';
import type { ValidatedFitOptions } from './options.ts';
import type { KernelBinder } from './setup.ts';
import type { FitInputs } from './setup.ts';

/** One equation ready to fit: its kernel bound to (possibly NaN-filtered) data. */
export interface PreparedEquation {
  readonly lhs: string;
  /** Expanded right-hand side with tied parameters substituted (a function of parameters and variables). */
  readonly expr: Expr;
  readonly variables: readonly string[];
  /** Observed data, flattened in the broadcast order of the model values. */
  readonly observed: Float64Array | null;
  /** 1/sigma per point (null: all ones). */
  readonly weights: Float64Array | null;
  readonly kernel: ReturnType<ReturnType<typeof compileModel>['bind']>;
  readonly size: number;
  readonly shape: readonly number[];
}

/** Everything the solver stage needs, and everything the result needs to report. */
export interface PreparedFit {
  readonly model: Model;
  readonly params: ReadonlyMap<string, ParamSpec>;
  /** Parameter names in report order. */
  readonly order: readonly string[];
  readonly free: readonly string[];
  /** Parameters passed to the kernels as values but not varied (fixed, or used only by skipped equations). */
  readonly held: readonly string[];
  /** Tied parameters: name → expression in terms of free and held parameters (ties resolved transitively). */
  readonly ties: ReadonlyMap<string, Expr>;
  readonly equations: readonly PreparedEquation[];
  /** Equations with no data, skipped. */
  readonly skipped: readonly string[];
  /** Every equation (skipped ones too), tie-substituted, with its data variables: for `result.eval`. */
  readonly evaluable: ReadonlyMap<string, { expr: Expr; variables: readonly string[] }>;
  readonly ndata: number;
  readonly options: ValidatedFitOptions;
  /** The constraints (the `constraints` option and the bounds of tied parameters), compiled; may be empty. */
  readonly constraints: readonly PreparedConstraint[];
  /** Equations without an expression in `evaluable` (ODE outputs): their binders to new data. */
  readonly binders?: ReadonlyMap<string, KernelBinder>;
  /** What `fit` was given, for preparing the same fit again on a worker thread (src/fit/setup.ts). */
  readonly inputs?: FitInputs;
}
