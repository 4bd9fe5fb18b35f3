/**
 * Vector parameters in a fit: which names are vectors (declared in params, multiplied by a data matrix in
 * `dot(B, beta)` / `B @ beta`, or indexed `beta[3]`), their lengths, the elements' parameter inputs, and the
 * model with each `beta[k]` resolved to the element's name.
 */
import type { Expr } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import type { NdArray } from '../data/index.ts';
import {
  declaredLength,
  elementInputs,
  isVectorInput,
  type Model,
  type ParamInput,
  type VectorParamInput,
} from '../model/index.ts';
import { forEachNode, freeSymbols, resolveElements } from '../symbolic/index.ts';

interface VectorSetup {
  /** The model with `beta[k]` resolved to element names. */
  readonly model: Model;
  /** The parameter inputs with each vector's input replaced by its elements' inputs. */
  readonly params: Record<string, ParamInput>;
  /** Vector name → length (undefined: only indexed, as far as its largest index). */
  readonly vectors: ReadonlyMap<string, number | undefined>;
  /** The data matrices of the products (`B` of `dot(B, beta)`). */
  readonly matrices: ReadonlySet<string>;
}

/** A product `dot(B, v)` of the model, with B and v names. */
interface ProductUse {
  readonly matrix: string;
  readonly vector: string;
  readonly node: Expr;
}

/** An error at an operand of a product that is not of the form `dot(data matrix, vector parameter)`. */
function operandError(operand: Expr, which: string, model: Model): ExprfitError {
  return new ExprfitError(
    'type',
    `the ${which} of a matrix product (dot(B, beta), B @ beta) must be ${which === 'first operand' ? 'a data matrix' : 'a vector parameter'}`,
    { span: operand.span, source: model.source },
  );
}

/** Every product of the model, checked: a data matrix times a vector parameter's name. */
function productsOf(model: Model, arrays: ReadonlyMap<string, NdArray>): ProductUse[] {
  const out: ProductUse[] = [];
  for (const eq of model.equations) {
    forEachNode(eq.expanded, (e) => {
      if (e.kind !== 'call' || e.fn !== 'dot' || e.args.length !== 2) return;
      const [b, v] = e.args;
      if (b.kind !== 'sym' || !arrays.has(b.name)) throw operandError(b, 'first operand', model);
      if (v.kind !== 'sym' || arrays.has(v.name)) throw operandError(v, 'second operand', model);
      out.push({ matrix: b.name, vector: v.name, node: e });
    });
  }
  return out;
}

/** Names indexed in the model (`beta[3]`) that are not data. */
function indexedNames(model: Model, arrays: ReadonlyMap<string, NdArray>): Set<string> {
  const out = new Set<string>();
  for (const eq of model.equations) {
    forEachNode(eq.expanded, (e) => {
      if (e.kind === 'index' && e.target.kind === 'sym' && !arrays.has(e.target.name)) out.add(e.target.name);
    });
  }
  return out;
}

/** The number of columns of a product's matrix, checked against the vector's declared length. */
function matrixColumns(use: ProductUse, B: NdArray, declared: number | undefined, model: Model): number {
  const K = B.shape.length ? B.shape[B.shape.length - 1] : 1;
  if (declared !== undefined && declared !== K) {
    throw new ExprfitError(
      'shape',
      `dot(${use.matrix}, ${use.vector}): '${use.matrix}' has shape [${B.shape.join(', ')}], whose last axis (${K}) does not match the ${declared} elements of '${use.vector}'`,
      { span: use.node.span, source: model.source },
    );
  }
  return K;
}

/** Each vector's length: declared, else from the matrix it multiplies, else unknown (indexed only). */
function vectorLengths(
  model: Model,
  arrays: ReadonlyMap<string, NdArray>,
  declared: ReadonlyMap<string, VectorParamInput | readonly number[]>,
): Map<string, number | undefined> {
  const lengths = new Map<string, number | undefined>();
  for (const [name, input] of declared) lengths.set(name, declaredLength(name, input));
  for (const use of productsOf(model, arrays)) {
    const B = arrays.get(use.matrix);
    if (B) lengths.set(use.vector, matrixColumns(use, B, lengths.get(use.vector), model));
  }
  for (const name of indexedNames(model, arrays)) if (!lengths.has(name)) lengths.set(name, undefined);
  for (const [name, len] of lengths) {
    if (len === undefined && declared.has(name)) {
      throw new ExprfitError('value', `parameter '${name}': give its length (no data matrix multiplies it)`);
    }
  }
  return lengths;
}

function resolvedModel(model: Model, vectors: ReadonlyMap<string, number | undefined>): Model {
  if (vectors.size === 0) return model;
  try {
    const equations = model.equations.map((eq) => ({
      ...eq,
      expanded: resolveElements(eq.expanded, vectors),
    }));
    const names = new Set<string>();
    for (const eq of equations) for (const n of freeSymbols(eq.expanded)) names.add(n);
    return { ...model, equations, names };
  } catch (e) {
    throw e instanceof ExprfitError ? e.withSource(model.source) : e;
  }
}

/** See the file comment. */
export function setupVectors(
  model: Model,
  arrays: ReadonlyMap<string, NdArray>,
  paramsIn: Readonly<Record<string, unknown>>,
): VectorSetup {
  const declared = new Map<string, VectorParamInput | readonly number[]>();
  for (const [name, input] of Object.entries(paramsIn)) if (isVectorInput(input)) declared.set(name, input);
  const vectors = vectorLengths(model, arrays, declared);
  const params: Record<string, ParamInput> = Object.create(null) as Record<string, ParamInput>;
  for (const [name, input] of Object.entries(paramsIn)) {
    const d = declared.get(name);
    if (!d) params[name] = input as ParamInput;
    else for (const [el, p] of elementInputs(name, d, vectors.get(name)!)) params[el] = p;
  }
  const matrices = new Set(productsOf(model, arrays).map((u) => u.matrix));
  return { model: resolvedModel(model, vectors), params, vectors, matrices };
}
