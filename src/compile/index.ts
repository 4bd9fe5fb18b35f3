/** Compiled kernels (docs/compile.md). */
export { compileModel, compileValues, collapse } from './kernel.ts';
export type {
  BindOptions,
  BoundKernel,
  BoundResidualKernel,
  BoundResidualValues,
  BoundValues,
  DataArray,
  Kernel,
  ModelSpec,
  Mode,
  ValuesKernel,
} from './kernel.ts';
export { compileProgram, emitPointFragments } from './fragments.ts';
export type { FragmentBindings, PointFragments } from './fragments.ts';
export type { SymbolicProgram } from './roles.ts';
export { Block, Code, Name, NameScope, _, buildFunction, join, numLit, MATH, RUNTIME } from './codegen.ts';
export type { CodeArg, BuiltFunction } from './codegen.ts';
