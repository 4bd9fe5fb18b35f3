/**
 * The options tables of the docs, generated from the options schemas (src/core/options.ts `markdownTable`).
 * A table sits between `<!-- options: SCHEMA FRONTEND -->` and `<!-- /options -->` in a page of docs/
 * (FRONTEND: api, cli or script, the spelling of the keys); `updateOptionTables` rewrites every such table.
 * `npx tsx scripts/gen-options-docs.ts` writes the pages; test/core/options-docs.test.ts fails while a table
 * is stale.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { markdownTable, type FrontEnd, type OptionsSchema } from '../src/core/options.ts';
import { gridSchema } from '../src/arrays/basic.ts';
import { crBasisSchema } from '../src/arrays/crbasis.ts';
import { sumOfGaussiansSchema } from '../src/arrays/gaussian.ts';
import { smoothingSplineSchema } from '../src/arrays/spline.ts';
import { fitManySchema } from '../src/batch/fitMany.ts';
import { findPeaksSchema } from '../src/batch/findPeaks.ts';
import { spotsSchema } from '../src/batch/spots/options.ts';
import { bandOptions } from '../src/fit/bands.ts';
import { confInterval2dOptions, confIntervalOptions } from '../src/fit/confint.ts';
import { emceeOptions } from '../src/fit/mcmc.ts';
import { fitSchema } from '../src/fit/options.ts';
import { lbfgsbSchema } from '../src/solver/lbfgsb.ts';
import { nelderMeadSchema } from '../src/solver/neldermead.ts';
import { nllSchema } from '../src/solver/nll.ts';
import { solverSchema } from '../src/solver/options.ts';
import { minimizeSchema } from '../src/fit/minimize.ts';
import { augmentedSchema } from '../src/solver/augmented.ts';
import { bfgsSchema } from '../src/solver/bfgs.ts';
import { trustNewtonSchema } from '../src/solver/newton.ts';
import { powellSchema } from '../src/solver/powell.ts';
import { differentialSchema } from '../src/solver/differential.ts';
import { odeSchema } from '../src/ode/integrate.ts';

/** The schemas a table may name. */
const SCHEMAS: Readonly<Record<string, OptionsSchema>> = {
  fit: fitSchema,
  solver: solverSchema,
  likelihood: nllSchema,
  lbfgsb: lbfgsbSchema,
  nelderMead: nelderMeadSchema,
  grid: gridSchema,
  sumOfGaussians: sumOfGaussiansSchema,
  smoothingSpline: smoothingSplineSchema,
  crBasis: crBasisSchema,
  fitMany: fitManySchema,
  findPeaks: findPeaksSchema,
  spots: spotsSchema,
  minimize: minimizeSchema,
  constraints: augmentedSchema,
  bfgs: bfgsSchema,
  trustNewton: trustNewtonSchema,
  powell: powellSchema,
  differentialEvolution: differentialSchema,
  band: bandOptions,
  confint: confIntervalOptions,
  confint2d: confInterval2dOptions,
  mcmc: emceeOptions,
  ode: odeSchema,
};

export const DOCS_DIR = fileURLToPath(new URL('../docs/', import.meta.url));

/** The pages of docs/ (every markdown page; those without markers are left as they are). */
export const OPTION_PAGES = readdirSync(DOCS_DIR).filter((f) => f.endsWith('.md'));

const TABLE = /(<!-- options: (\w+) (api|cli|script) -->\n)[\s\S]*?(<!-- \/options -->)/g;

/** The page with every options table between its markers regenerated. */
export function updateOptionTables(page: string): string {
  return page.replace(TABLE, (_m, open: string, name: string, frontEnd: string, close: string) => {
    const schema = SCHEMAS[name];
    if (!schema) throw new Error(`options table of an unknown schema '${name}'`);
    return `${open}${markdownTable(schema, frontEnd as FrontEnd)}${close}`;
  });
}
