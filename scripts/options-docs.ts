/**
 * The options tables of the docs, generated from the option schemas: each table sits between
 * `<!-- options:NAME -->` and `<!-- /options:NAME -->` in its page and is rewritten by
 * `npx tsx scripts/gen-options-docs.ts`; test/core/options-docs.test.ts fails while a table is stale.
 */
import { markdownTable, type OptionsSchema } from '../src/core/options.ts';
import { gridSchema } from '../src/arrays/basic.ts';
import { crBasisSchema } from '../src/arrays/crbasis.ts';
import { sumOfGaussiansSchema } from '../src/arrays/gaussian.ts';
import { smoothingSplineSchema } from '../src/arrays/spline.ts';
import { fitSchema } from '../src/fit/options.ts';
import { lbfgsbSchema } from '../src/solver/lbfgsb.ts';
import { nelderMeadSchema } from '../src/solver/neldermead.ts';
import { nllSchema } from '../src/solver/nll.ts';
import { solverSchema } from '../src/solver/options.ts';

/** Each docs page (under docs/) and the schemas whose tables it holds, by marker name. */
export const OPTION_TABLES: Readonly<Record<string, Readonly<Record<string, OptionsSchema>>>> = {
  'fitting.md': { fit: fitSchema },
  'solver.md': {
    solver: solverSchema,
    likelihood: nllSchema,
    lbfgsb: lbfgsbSchema,
    nelderMead: nelderMeadSchema,
  },
  'arrays.md': {
    grid: gridSchema,
    sumOfGaussians: sumOfGaussiansSchema,
    smoothingSpline: smoothingSplineSchema,
    crBasis: crBasisSchema,
  },
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with the table between each pair of `options:NAME` markers regenerated. */
export function withOptionTables(page: string, text: string): string {
  let out = text;
  for (const [name, schema] of Object.entries(OPTION_TABLES[page] ?? {})) {
    const open = `<!-- options:${name} -->`;
    const close = `<!-- /options:${name} -->`;
    const block = new RegExp(`${escapeRegExp(open)}\\n[\\s\\S]*?${escapeRegExp(close)}`);
    if (!block.test(out)) throw new Error(`docs/${page}: no ${open} ... ${close} block`);
    out = out.replace(block, () => `${open}\n${markdownTable(schema, 'api')}${close}`);
  }
  return out;
}
