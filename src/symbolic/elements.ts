/**
 * Elements of vector parameters: `beta[3]` in a model is the scalar parameter named `beta[3]` (what reports,
 * kernels and the solver see). `elementName` spells the name; `resolveElements` turns each such index node
 * into that name.
 */
import { constantValue, type Expr, sym } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { mapChildren } from './transform.ts';

/** The name of element `k` of vector `name`: `beta[3]`. */
export function elementName(name: string, k: number): string {
  return `${name}[${k}]`;
}

/** The integer index of `beta[k]` (a literal k >= 0), or an error at the index. */
function literalIndex(e: Expr & { kind: 'index' }, length: number | undefined): number {
  const item = e.items[0];
  const at = item.kind === 'at' ? item.index : undefined;
  const k = at ? constantValue(at) : undefined;
  if (e.items.length !== 1 || k === undefined || !Number.isInteger(k) || k < 0) {
    throw new ExprfitError(
      'value',
      'an element of a vector parameter is written with one literal index >= 0, e.g. beta[3]',
      {
        span: at?.span ?? e.span,
      },
    );
  }
  if (length !== undefined && k >= length) {
    const name = (e.target as { name: string }).name;
    throw new ExprfitError(
      'value',
      `index ${k} is out of range for '${name}', which has ${length} elements (0 to ${length - 1})`,
      {
        span: at?.span ?? e.span,
      },
    );
  }
  return k;
}

/**
 * `v[k]` → the name `v[k]` for every vector `v` (name → length; a length of undefined accepts any index).
 * Index nodes on other targets are left for the caller to reject.
 */
export function resolveElements(expr: Expr, vectors: ReadonlyMap<string, number | undefined>): Expr {
  const walk = (e: Expr): Expr => {
    if (e.kind === 'index' && e.target.kind === 'sym' && vectors.has(e.target.name)) {
      const name = e.target.name;
      return sym(elementName(name, literalIndex(e, vectors.get(name))), e.span);
    }
    return mapChildren(e, walk);
  };
  return walk(expr);
}
