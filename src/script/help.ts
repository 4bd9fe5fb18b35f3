/**
 * Help texts of the `.fit` statements, commands and functions, for the REPL's `:help` (and kept in step with
 * docs/cli.md).
 */
import { closestMatches, helpLines, type OptionsSchema } from '../core/index.ts';
import { functionNames, getFunction } from '../functions/index.ts';
import { getNamedModel, modelHelp, namedModels } from '../models/index.ts';
import type { StatementDef, StatementHelp, StatementTable } from './context.ts';
import { getScriptFunction, scriptFunctionNames } from './functions.ts';
import { nameTable } from './nameMap.ts';

/** The statements with help, in the table's order, by keyword. */
function statementHelp(table: StatementTable): Map<string, StatementDef & { help: StatementHelp }> {
  const out = new Map<string, StatementDef & { help: StatementHelp }>();
  for (const def of Object.values(table.statements) as StatementDef[]) {
    if (def.help) out.set(def.kind, def as StatementDef & { help: StatementHelp });
  }
  return out;
}

const KEYWORD_ALIASES: Readonly<Record<string, string>> = nameTable({ function: 'assign', '=': 'assign' });

/** Everything `:help` can show, for completion. */
export function helpTopics(table: StatementTable): string[] {
  return [
    ...statementHelp(table).keys(),
    ...[...table.commands.keys()].sort(),
    ...scriptFunctionNames(),
    ...functionNames(),
    ...namedModels()
      .map((m) => m.name)
      .filter((n) => !getFunction(n)),
  ];
}

export const REPL_COMMANDS: Readonly<Record<string, string>> = nameTable({
  ':help': ':help [name]      help on a statement or function',
  ':vars': ':vars             the variables',
  ':params': ':params           the parameters (start, bounds, fitted values)',
  ':load': ':load FILE.fit    run a script in this session',
  ':reset': ':reset            forget all variables, parameters, models and fits',
  ':quit': ':quit             leave (or Ctrl-D)',
  ':serve': ':serve            the session on a web page: sliders, fit, report (docs/web.md)',
  ':guess': ':guess            start values of the named models (gaussian(x; g1), ...) guessed from the data',
});

/** The overview shown by `:help` with no topic. */
export function overview(table: StatementTable): string {
  const L: string[] = ['Statements:'];
  for (const [k, def] of statementHelp(table)) L.push(`  ${k.padEnd(8)} ${def.help.summary}`);
  for (const c of [...table.commands.keys()].sort()) {
    L.push(`  ${c.padEnd(8)} ${table.commands.get(c)!.summary}`);
  }
  L.push('  EXPR     a bare expression prints its value');
  L.push('', 'Commands:');
  for (const v of Object.values(REPL_COMMANDS)) L.push(`  ${v}`);
  L.push('', `Array functions: ${scriptFunctionNames().join(', ')}`);
  L.push(`Math functions: ${functionNames().join(', ')}`);
  L.push(
    'Constants: pi, e, inf, nan',
    '',
    ':help NAME shows one of them, e.g. :help fit, :help linspace, :help erf',
  );
  return L.join('\n');
}

/** The `Options:` block of a statement's or command's help, from its schema. */
function optionLines(options: OptionsSchema | readonly string[] | undefined): string[] {
  if (!options || Array.isArray(options)) return [];
  return ['Options:', ...helpLines(options as OptionsSchema, 'script')];
}

/** Help on one topic, or undefined (with suggestions in `hint`). */
export function helpOn(topic: string, table: StatementTable): { text?: string; hint?: string } {
  const key = KEYWORD_ALIASES[topic] ?? topic;
  const st = statementHelp(table).get(key);
  if (st) {
    const text = [`${key}: ${st.help.summary}`, st.help.usage, ...optionLines(st.options)];
    return { text: text.join('\n') };
  }
  const cmd = table.commands.get(topic);
  if (cmd) return { text: [`${cmd.name}: ${cmd.summary}`, cmd.help, ...optionLines(cmd.options)].join('\n') };
  const sf = getScriptFunction(topic);
  const def = getFunction(topic);
  const model = getNamedModel(topic);
  if (sf || def || model) {
    const parts: string[] = [];
    if (sf) {
      parts.push(`${sf.signature}\n  ${sf.description}`);
      if (sf.examples?.length) parts.push(`  Examples: ${sf.examples.join('   ')}`);
    }
    if (def) {
      if (sf) parts.push('In models (element-wise):');
      parts.push(`${def.help.signature}\n  ${def.help.description}`);
      if (def.help.nonSmooth) parts.push(`  Derivative at non-smooth points: ${def.help.nonSmooth}`);
      if (def.help.examples.length) {
        parts.push(`  Examples: ${def.help.examples.map((x) => `${x.expr} = ${x.value}`).join('   ')}`);
      }
    }
    if (model) parts.push(...(sf || def ? ['Named model (in model lines):'] : []), ...modelHelp(model));
    return { text: parts.join('\n') };
  }
  const close = closestMatches(topic, [...helpTopics(table), ...Object.keys(REPL_COMMANDS)]);
  return { hint: close.length ? `did you mean '${close[0]}'?` : 'try :help for the list' };
}
