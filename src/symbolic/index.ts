/** The symbolic layer: evaluation, differentiation, simplification and CSE. */
export { evaluate } from './evaluate.ts';
export { differentiate, gradient, rawDerivative } from './differentiate.ts';
export { simplify, productForm, sumForm, buildProduct, buildSum, negatedForm } from './simplify.ts';
export type { Factor, ProductForm, SumForm, Term } from './simplify.ts';
export { cse } from './cse.ts';
export type { CseResult } from './cse.ts';
export { dependsOn, forEachNode, freeSymbols, inline, mapChildren, substitute } from './transform.ts';
export type { UserFunction, UserFunctions } from './transform.ts';
export { RULES, RING_RULES, match, instantiate, patternRule } from './rules.ts';
export type { Rule, RuleContext, Bindings } from './rules.ts';
