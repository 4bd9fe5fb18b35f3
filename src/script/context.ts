/**
 * The contracts between the interpreter and the statements of the `.fit` language: what a statement may do to
 * the session ({@link InterpreterState}), what it is given ({@link StatementContext}), and the shape of the
 * registry ({@link StatementTable}: one {@link StatementDef} per statement kind, plus the generic commands).
 * Types only; no statement and no interpreter is imported here, so statements never import the interpreter.
 */
import type { Expr } from '../ast/index.ts';
import type { ExprfitError, OptionsSchema, SourceSpan, SourceText } from '../core/index.ts';
import type { NdArray } from '../data/index.ts';
import type { FitResult } from '../fit/index.ts';
import type { UserFunction } from '../symbolic/index.ts';
import type { CommandStatement, OdeEquation, OptionArg, Statement } from '../syntax/index.ts';
import type { EvalScope, Evaluator } from './evaluate.ts';
import type { Value } from './values.ts';

/** A declared (or, after a fit, implicit) parameter. */
export interface ParamEntry {
  readonly name: string;
  /** Start value. */
  value: number;
  min: number;
  max: number;
  fixed: boolean;
  /** Tie: the expression (in other parameters) and its text as given to the fit. */
  tie?: Expr;
  tieText?: string;
  /** Best-fit value and standard error from the last fit that used it. */
  fitted?: number;
  stderr?: number;
  /** Not declared with `param`: a name the model used that became a parameter in a fit. */
  implicit: boolean;
  /** `param beta[25]`: a vector of that many elements, fitted as `beta[0]` … (their own entries after a fit). */
  length?: number;
  /** A vector's starts or bounds per element (`param beta[3] = [1, 2, 3] in [0, [5, 5, 9]]`); a field not
   * here is `value`, `min` or `max` for every element. */
  perElement?: { value?: Float64Array; min?: Float64Array; max?: Float64Array };
}

/** One `model` line. */
export interface ModelLine {
  readonly lhs: string;
  readonly lhsSpan: SourceSpan;
  readonly rhs: Expr;
  readonly span: SourceSpan;
  readonly source: SourceText;
  /** The line's text after `model`: `img = A*exp(...) + c`. */
  readonly text: string;
}

/** One `constrain` line's constraint: its text as the fit API reads it, and where it was written. */
export interface ConstraintLine {
  readonly text: string;
  readonly span: SourceSpan;
}

/** One equation of an `ode` statement, with the text it came from. */
export interface OdeLine {
  readonly equation: OdeEquation;
  readonly source: SourceText;
}

/** What a fit left behind, for `report`, `save` and `plot`. */
export interface FitRecord {
  readonly result: FitResult;
  /** Per equation: observed data, model values and residuals in the data's shape, and sigma if given. */
  readonly equations: readonly {
    readonly lhs: string;
    /** The model line's text (`y = a*exp(-k*t)`). */
    readonly text: string;
    readonly observed?: NdArray;
    readonly model: NdArray;
    readonly variables: readonly string[];
    readonly sigma?: NdArray | number;
  }[];
  /** The data the fit was given (variables and temporaries), for evaluating the model on new points. */
  readonly data: Readonly<Record<string, NdArray>>;
}

export interface InterpreterOptions {
  /** Folder that relative file names resolve against (default: the current folder). */
  readonly baseDir?: string;
  /** `print`, `report` and REPL values. */
  readonly out?: (text: string) => void;
  /** Notes: fit summaries, files written. */
  readonly info?: (text: string) => void;
  /** Warnings (a fit that did not converge). */
  readonly warn?: (text: string) => void;
  /** `--set name=value`: replaces the start value of a parameter or the value assigned to a variable. */
  readonly overrides?: ReadonlyMap<string, number>;
  /** REPL: `fit` prints its one-line summary on `out`. */
  readonly interactive?: boolean;
  /** `--allow-warnings`: every fit accepts a result with warnings (the fit option allowWarnings). */
  readonly allowWarnings?: boolean;
  /** The statements and commands of the language (default: the built-in table, src/script/statements). */
  readonly statements?: StatementTable;
  /**
   * Progress of long statements (a multi-start fit: unit "starts"; a single solve: "iterations" with total
   * Infinity), after each unit of work; the CLI draws a line on a terminal, the REPL too.
   */
  readonly onProgress?: (unit: string, done: number, total: number) => void;
}

export interface Settings {
  /** Significant digits of printed numbers (undefined: full precision). */
  digits?: number;
}

/** What a statement may read and change in the session (the Interpreter implements it). */
export interface InterpreterState {
  readonly variables: Map<string, Value>;
  readonly params: Map<string, ParamEntry>;
  readonly functions: Map<string, UserFunction & { readonly span?: SourceSpan }>;
  /** Model lines of the model being built; the first `model` after a `fit` starts a new model. */
  models: ModelLine[];
  modelClosed: boolean;
  /** Equations of the ODE system (`ode` statements); when there are any, `fit` fits the model lines as its outputs. */
  odes: OdeLine[];
  /** `param auto` was given: undeclared model names become parameters even when others are declared. */
  autoParams: boolean;
  /** The constraints of the `constrain` lines, used by every later `fit` until `constrain clear`. */
  readonly constraints: ConstraintLine[];
  /** Every fit of the session, in order. */
  readonly fits: FitResult[];
  lastFit?: FitRecord;
  /**
   * Aborted to stop the running statement's long work (the REPL's Ctrl-C while it waits for worker threads):
   * given to fits, profiles and MCMC as their `signal`.
   */
  signal?: AbortSignal;
  /** Fits that ended without converging. */
  unconverged: number;
  /** Fits that converged to a result with warnings the user did not accept (not `ok`). */
  untrusted: number;
  readonly settings: Settings;
  readonly overrides: ReadonlyMap<string, number>;
  readonly usedOverrides: Set<string>;
  readonly options: InterpreterOptions;
  baseDir: string;
  out(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  /** Whether undeclared model names are an error: parameters were declared and `param auto` was not given. */
  requiresDeclaredParams(): boolean;
  /** Every name an expression can use (for hints and completion). */
  knownNames(): string[];
  /** The value of a name in expressions: a variable, else a parameter's fitted (or start) value. */
  lookup(name: string): Value | undefined;
  /** The scope seen by expressions in a statement from `baseDir`. */
  scope(baseDir: string): EvalScope;
}

/** Where the statement being executed came from, and the session it runs in. */
export interface StatementContext {
  readonly interp: InterpreterState;
  readonly source: SourceText;
  /** Folder for relative file names. */
  readonly baseDir: string;
  readonly evaluator: Evaluator;
  /** The statements and commands of the language (a command statement looks its command up here). */
  readonly table: StatementTable;
}

/** What a static check can do (`exprfit check`, src/script/check.ts gives it). */
export interface Checker {
  /** Checks the names and calls of an expression (unknown names are errors). */
  expr(e: Expr): void;
  /** Whether a name is defined at this point of the script. */
  has(name: string): boolean;
  /** Records that the statement defines variable `name` (e.g. the table `spots`). */
  define(name: string, span: SourceSpan): void;
  /** An error unless a fit ran before this point (`report`, `save`, `plot` need one). */
  requireFit(span: SourceSpan, what: string): void;
  /** Checks options against a schema: known keys, words and literal numbers; value expressions' names. */
  options(opts: readonly OptionArg[], schema: OptionsSchema, what: string): void;
  /** The statements and commands of the language. */
  readonly table: StatementTable;
  /** An error positioned in the script. */
  error(
    code: ExprfitError['code'],
    message: string,
    span: SourceSpan | undefined,
    hints?: string[],
  ): ExprfitError;
  /** An error of a lower layer positioned in the script, its code, message, hints and detail kept. */
  place(err: ExprfitError, span: SourceSpan | undefined): ExprfitError;
}

/** The checker given to commands (the name it had before statements had checks too). */
export type CommandChecker = Checker;

/** `:help` of a statement: one line, then usage and examples. */
export interface StatementHelp {
  readonly summary: string;
  readonly usage: string;
}

/** One statement kind of the language. */
export interface StatementDef<K extends Statement['kind'] = Statement['kind']> {
  readonly kind: K;
  run(stmt: Extract<Statement, { kind: K }>, ctx: StatementContext): void | Promise<void>;
  /**
   * Its part of `exprfit check` (before anything runs): names, options, what must come first. Without it,
   * check.ts follows the statement itself (data, assign, param, model, function, fit: the flow of names).
   */
  check?(stmt: Extract<Statement, { kind: K }>, checker: Checker): void;
  /** Options (`key=value`) of the statement, for run, check, `:help` and completion. */
  readonly options?: OptionsSchema;
  /** Words completed after the statement keyword besides its options (`report brief`). */
  readonly words?: readonly string[];
  readonly help?: StatementHelp;
}

/** A generic command `name arg ... key=value ...` (the grammar's COMMAND_KEYWORDS). */
export interface CommandDef {
  readonly name: string;
  /** One line for `:help`. */
  readonly summary: string;
  /** Full help text (usage and examples). */
  readonly help: string;
  /** The options: a schema (declared once), or their names (for completion and checks). */
  readonly options?: OptionsSchema | readonly string[];
  /** It takes no arguments: its options complete right after the keyword (`mcmc walkers=`). */
  readonly optionsOnly?: boolean;
  /** The words some options take (`estimator`: `lse`, `poisson`), for completion (a schema has its own). */
  readonly words?: Readonly<Record<string, readonly string[]>>;
  /**
   * Static check before a script runs (`exprfit check`): the names the arguments use, the options, the names
   * the command defines. Without it, arguments that name known variables are checked.
   */
  check?(stmt: CommandStatement, checker: Checker): void;
  run(stmt: CommandStatement, ctx: StatementContext): void | Promise<void>;
}

/** The registry of the language: one definition per statement kind, and the commands by name. */
export interface StatementTable {
  readonly statements: { readonly [K in Statement['kind']]: StatementDef<K> };
  readonly commands: Map<string, CommandDef>;
}

/** A statement's run function. */
export type StatementHandler<S extends Statement = Statement> = (
  stmt: S,
  ctx: StatementContext,
) => void | Promise<void>;
export type StatementHandlers = {
  [K in Statement['kind']]: StatementHandler<Extract<Statement, { kind: K }>>;
};
