/** The matrix product `dot(B, beta)` (`B @ beta`); for two scalars, their product. */
import type { FunctionDef } from '../types.ts';
import { fn, plus } from '../dsl.ts';

export const dot: FunctionDef = {
  name: 'dot',
  arity: [2, 2],
  evaluate: (a, b) => a * b,
  derivative: (args, dargs) => plus(fn('dot', dargs[0], args[1]), fn('dot', args[0], dargs[1])),
  emit: (a) => `(${a[0]}*${a[1]})`,
  help: {
    signature: 'dot(B, beta)',
    description:
      'The matrix product `B @ beta` of a data matrix B [..., K] and a vector parameter beta of K elements (`param beta[K]`), per point the sum of B[..., k]*beta[k], computed in one fused loop; for two scalars, their product. See docs/vector-params.md.',
    examples: [
      { expr: 'dot(2, 3)', value: 6 },
      { expr: 'dot(-1.5, 4)', value: -6 },
    ],
  },
  category: 'Matrix products',
};
