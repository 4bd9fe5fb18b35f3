/**
 * Statements of `.fit` scripts and REPL lines (one grammar for both), and the parsed form of model text.
 * A `kind`-tagged discriminated union; every statement carries the span of its whole text.
 * The parser only records what was written; the interpreter (src/script) gives it meaning, e.g. decides that
 * `param sy = 2*sx` ties `sy` to the parameter `sx`.
 */
import type { CommandName } from '../../grammar/index.ts';
import type { Expr } from '../ast/index.ts';
import type { SourceSpan } from '../core/index.ts';

export type { CommandName };

/** `key=value` after a statement (`fit method=lm maxfev=1000`). A bare word such as `lm` is a `sym` value. */
export interface OptionArg {
  readonly key: string;
  readonly value: Expr;
  /** The whole `key=value`. */
  readonly span: SourceSpan;
  readonly keySpan: SourceSpan;
}

interface StatementBase {
  /** The statement's text, from its first to its last token. */
  readonly span: SourceSpan;
}

/** `data "decay.csv" [key=value ...]`: binds every column of the file by its header name. */
export interface DataStatement extends StatementBase {
  readonly kind: 'data';
  readonly file: string;
  readonly fileSpan: SourceSpan;
  readonly options: readonly OptionArg[];
}

/** `img = load("spots.tif")`, `x, y = grid(img)`. */
export interface AssignStatement extends StatementBase {
  readonly kind: 'assign';
  readonly targets: readonly string[];
  readonly targetSpans: readonly SourceSpan[];
  readonly value: Expr;
}

/**
 * One declaration of a `param` statement: `A = 100 in [0, inf]`, `c = 10 fixed`, `b in [0, 1]`, `sy = 2*sx`.
 * A value that names another declared parameter is a tie; the interpreter decides.
 */
export interface ParamDecl {
  readonly name: string;
  readonly nameSpan: SourceSpan;
  /** The whole declaration. */
  readonly span: SourceSpan;
  readonly value?: Expr;
  readonly min?: Expr;
  readonly max?: Expr;
  readonly fixed: boolean;
  /** `beta[25]`: a vector parameter of that many elements (src/model/vector.ts). */
  readonly length?: Expr;
}

/** `param A = 100 in [0, inf], x0 = 7`. */
export interface ParamStatement extends StatementBase {
  readonly kind: 'param';
  readonly decls: readonly ParamDecl[];
}

/** `model img = A*exp(...) + c`: the data named `lhs` is modelled by `rhs`. */
export interface ModelStatement extends StatementBase {
  readonly kind: 'model';
  readonly lhs: string;
  readonly lhsSpan: SourceSpan;
  readonly rhs: Expr;
}

/** A user function: `g(u, s) = exp(-u^2/(2*s^2))`. Shared by scripts and model text. */
export interface UserFunction {
  readonly name: string;
  readonly nameSpan: SourceSpan;
  readonly params: readonly string[];
  readonly paramSpans: readonly SourceSpan[];
  readonly body: Expr;
  /** The whole definition. */
  readonly span: SourceSpan;
}

export interface FunctionStatement extends StatementBase, UserFunction {
  readonly kind: 'function';
}

/** `fit [key=value ...]`, e.g. `fit method=lm loss=huber f_scale=1 maxfev=1000`. */
export interface FitStatement extends StatementBase {
  readonly kind: 'fit';
  readonly options: readonly OptionArg[];
}

/** `report`, `report brief`, `report key=value ...`. */
export interface ReportStatement extends StatementBase {
  readonly kind: 'report';
  readonly mode?: string;
  readonly options: readonly OptionArg[];
}

/** `print EXPR`. */
export interface PrintStatement extends StatementBase {
  readonly kind: 'print';
  readonly value: Expr;
}

/** `save "result.json"` (the last fit's result) or `save model to "model.npy"` (an array), then options. */
export interface SaveStatement extends StatementBase {
  readonly kind: 'save';
  readonly what?: Expr;
  readonly file: string;
  readonly fileSpan: SourceSpan;
  readonly options: readonly OptionArg[];
}

/** `plot "fit.svg" [key=value ...]`. */
export interface PlotStatement extends StatementBase {
  readonly kind: 'plot';
  readonly file: string;
  readonly fileSpan: SourceSpan;
  readonly options: readonly OptionArg[];
}

/**
 * A generic command `name arg ... key=value ...` for the keywords in `COMMAND_KEYWORDS` (`spots`, `set`).
 * Arguments are separated by spaces (so `spots img -1` has the one argument `img-1`; write `(-1)`).
 */
export interface CommandStatement extends StatementBase {
  readonly kind: 'command';
  readonly name: CommandName;
  readonly nameSpan: SourceSpan;
  readonly args: readonly Expr[];
  readonly options: readonly OptionArg[];
}

/** A bare expression (the REPL prints its value). */
export interface ExprStatement extends StatementBase {
  readonly kind: 'expr';
  readonly value: Expr;
}

/** One equation of an ODE system (`ode` statement or ODE model text); see docs/ode.md. */
export type OdeEquation =
  /** `D(A, t) = -k*A`: the derivative of state `A` with respect to `t`. */
  | {
      readonly kind: 'derivative';
      readonly state: string;
      readonly stateSpan: SourceSpan;
      readonly variable: string;
      readonly variableSpan: SourceSpan;
      readonly rhs: Expr;
      readonly span: SourceSpan;
    }
  /** `A(0) = A0`: the value of state `A` at time `time`. */
  | {
      readonly kind: 'initial';
      readonly state: string;
      readonly stateSpan: SourceSpan;
      readonly time: Expr;
      readonly value: Expr;
      readonly span: SourceSpan;
    }
  /** `y = A + 2*B`: an output of the states, fitted to the data `y`. */
  | {
      readonly kind: 'output';
      readonly lhs: string;
      readonly lhsSpan: SourceSpan;
      readonly rhs: Expr;
      readonly span: SourceSpan;
    };

/** `ode D(A, t) = -k1*A, D(B, t) = k1*A - k2*B, A(0) = A0, B(0) = 0`. */
export interface OdeStatement extends StatementBase {
  readonly kind: 'ode';
  readonly equations: readonly OdeEquation[];
}

export type Statement =
  | DataStatement
  | AssignStatement
  | ParamStatement
  | ModelStatement
  | FunctionStatement
  | FitStatement
  | ReportStatement
  | PrintStatement
  | SaveStatement
  | PlotStatement
  | CommandStatement
  | ExprStatement
  | OdeStatement;
export type StatementKind = Statement['kind'];

/** An equation of model text: `y = expr`. */
export interface Equation {
  readonly lhs: string;
  readonly lhsSpan: SourceSpan;
  readonly rhs: Expr;
  /** The whole equation. */
  readonly span: SourceSpan;
}

/** Parsed model text (`parseModel`): equations and user functions, in source order. */
export interface ModelAst {
  readonly equations: readonly Equation[];
  readonly functions: readonly UserFunction[];
}
