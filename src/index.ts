// Public API of exprfit. Modules add their exports here.
export { ExprfitError } from './syntax/span.ts';
export type { SourceSpan } from './syntax/span.ts';
export { NdArray, broadcastShapes } from './data/ndarray.ts';
export type { Expr } from './ast/expr.ts';
