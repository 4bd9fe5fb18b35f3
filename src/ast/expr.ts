/**
 * The one expression tree of exprfit (HyperFormula style): a `kind`-tagged discriminated union.
 * Every consumer switches exhaustively on `kind` (use `assertNever` in the default branch).
 *
 * Scalar model expressions use `num`, `sym`, `unary`, `binary` and `call`. The script language
 * (.fit files, REPL) adds `str`, `array` and `index`; model compilation rejects those with a positioned error.
 */
import type { SourceSpan } from '../core/index.ts';

export type ArithOp = '+' | '-' | '*' | '/' | '^';
export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicalOp = 'and' | 'or';
export type BinaryOp = ArithOp | CompareOp | LogicalOp;
export type UnaryOp = '-' | 'not';

interface Node {
  /** Where the node came from in the source text (absent for nodes built by code). */
  readonly span?: SourceSpan;
}

/** A numeric literal. `value` is the parsed double; it is emitted into code only via number formatting. */
export interface NumNode extends Node {
  readonly kind: 'num';
  readonly value: number;
}
/** A name: parameter, variable, constant (`pi`, `e`) or a function's formal argument. */
export interface SymNode extends Node {
  readonly kind: 'sym';
  readonly name: string;
}
export interface UnaryNode extends Node {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly arg: Expr;
}
export interface BinaryNode extends Node {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}
/** A call of a builtin (see src/functions) or of a user function; `if(c, a, b)` is a builtin call. */
export interface CallNode extends Node {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly Expr[];
  /** Span of the function name alone (for "unknown function" / arity errors). */
  readonly fnSpan?: SourceSpan;
  /** A named model's parameter prefix: `gaussian(x; g1)` has parameters `g1_amplitude`, ... (src/models). */
  readonly prefix?: string;
}
/** Script-only: a string literal such as a file name. */
export interface StrNode extends Node {
  readonly kind: 'str';
  readonly value: string;
}
/** Script-only: an array literal `[1, 2, 3]` (nested literals make higher dimensions). */
export interface ArrayNode extends Node {
  readonly kind: 'array';
  readonly items: readonly Expr[];
}
/** One entry of an index expression: a scalar index, or a slice `start:stop:step` (each part optional). */
export type IndexItem =
  | { readonly kind: 'at'; readonly index: Expr }
  | { readonly kind: 'slice'; readonly start?: Expr; readonly stop?: Expr; readonly step?: Expr };
/** Script-only: indexing / slicing `img[10:20, 5:15]` (0-based, stop exclusive, negative from the end). */
export interface IndexNode extends Node {
  readonly kind: 'index';
  readonly target: Expr;
  readonly items: readonly IndexItem[];
}

export type Expr = NumNode | SymNode | UnaryNode | BinaryNode | CallNode | StrNode | ArrayNode | IndexNode;
export type ExprKind = Expr['kind'];

export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}
