/** A generic command (`set digits=6`, `spots img roi=7`): looked up in the table's commands and run. */
import { ExprfitError } from '../../syntax/span.ts';
import type { CommandStatement } from '../../syntax/statements.ts';
import type { StatementContext, StatementDef } from '../context.ts';

async function runCommand(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const def = ctx.table.commands.get(s.name);
  if (!def) {
    throw new ExprfitError('usage', `the '${s.name}' command is not available in this version`, {
      span: s.nameSpan,
      source: ctx.source,
    });
  }
  await def.run(s, ctx);
}

export const commandStatement: StatementDef<'command'> = { kind: 'command', run: runCommand };
