/**
 * The options tables of the docs, generated from the options schemas (src/core/options.ts `markdownTable`).
 * A table sits between `<!-- options: SCHEMA FRONTEND -->` and `<!-- /options -->` in a page of docs/;
 * `updateOptionTables` rewrites every such table. `scripts/gen-options-doc.ts` writes the pages and
 * test/batch/optionsDoc.test.ts checks that they are current.
 */
import { markdownTable, type FrontEnd, type OptionsSchema } from '../src/core/options.ts';
import { findPeaksSchema } from '../src/batch/findPeaks.ts';
import { spotsSchema } from '../src/batch/spots/options.ts';

/** The schemas a table may name. */
const SCHEMAS: Readonly<Record<string, OptionsSchema>> = { spots: spotsSchema, findPeaks: findPeaksSchema };

/** The pages of docs/ that hold generated options tables. */
export const OPTION_PAGES = ['batch.md', 'cli.md'];

const TABLE = /(<!-- options: (\w+) (api|cli|script) -->\n)[\s\S]*?(<!-- \/options -->)/g;

/** The page with every options table between its markers regenerated. */
export function updateOptionTables(page: string): string {
  return page.replace(TABLE, (_m, open: string, name: string, frontEnd: string, close: string) => {
    const schema = SCHEMAS[name];
    if (!schema) throw new Error(`options table of an unknown schema '${name}'`);
    return `${open}${markdownTable(schema, frontEnd as FrontEnd)}${close}`;
  });
}
