/** A generic command (`set digits=6`, `spots img roi=7`): looked up in the table's commands and run. */
import { ExprfitError, type OptionsSchema } from '../../core/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { Checker, StatementContext, StatementDef } from '../context.ts';

function notAvailable(s: CommandStatement): string {
  return `the '${s.name}' command is not available in this version`;
}

async function runCommand(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const def = ctx.table.commands.get(s.name);
  if (!def) throw new ExprfitError('usage', notAvailable(s), { span: s.nameSpan, source: ctx.source });
  await def.run(s, ctx);
}

/** The command's own check; without one, the arguments that name known things and a schema's options. */
function checkCommand(s: CommandStatement, c: Checker): void {
  const def = c.table.commands.get(s.name);
  if (!def) throw c.error('usage', notAvailable(s), s.nameSpan);
  if (def.check) return def.check(s, c);
  for (const a of s.args) if (a.kind !== 'sym' || c.has(a.name)) c.expr(a);
  if (def.options && !Array.isArray(def.options)) c.options(s.options, def.options as OptionsSchema, s.name);
}

export const commandStatement: StatementDef<'command'> = {
  kind: 'command',
  run: runCommand,
  check: checkCommand,
};
