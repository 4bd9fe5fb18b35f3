/**
 * The statements of the `.fit` language: the table {@link STATEMENTS}, one definition per statement kind (one
 * file each in this folder) and the generic commands (src/script/commands). The interpreter, the static check,
 * `:help` and completion receive this table; no statement imports them.
 */
import type { CommandDef, StatementHandlers, StatementTable } from '../context.ts';
import { bandCommand } from '../commands/band.ts';
import { confintCommand } from '../commands/confint.ts';
import { confint2dCommand } from '../commands/confint2d.ts';
import { mcmcCommand } from '../commands/mcmc.ts';
import { compareCommand } from '../commands/compare.ts';
import { loadfitCommand } from '../commands/loadfit.ts';
import { setCommand } from '../commands/set.ts';
import { spotsCommand } from '../commands/spots.ts';
import { constrainCommand } from '../commands/constrain.ts';
import { maximizeCommand, minimizeCommand } from '../commands/minimize.ts';
import { assignStatement } from './assign.ts';
import { commandStatement } from './command.ts';
import { dataStatement } from './data.ts';
import { exprStatement } from './expr.ts';
import { fitStatement } from './fit.ts';
import { functionStatement } from './function.ts';
import { modelStatement } from './model.ts';
import { paramStatement } from './param.ts';
import { plotStatement } from './plot.ts';
import { printStatement } from './print.ts';
import { reportStatement } from './report.ts';
import { saveStatement } from './save.ts';
import { odeStatement } from './ode.ts';

/** The built-in statements and commands. Add a statement kind here (and to the grammar). */
export const STATEMENTS: StatementTable = {
  statements: {
    data: dataStatement,
    assign: assignStatement,
    param: paramStatement,
    model: modelStatement,
    function: functionStatement,
    fit: fitStatement,
    report: reportStatement,
    print: printStatement,
    save: saveStatement,
    plot: plotStatement,
    command: commandStatement,
    expr: exprStatement,
    ode: odeStatement,
  },
  commands: new Map<string, CommandDef>([
    [setCommand.name, setCommand],
    [spotsCommand.name, spotsCommand],
    [bandCommand.name, bandCommand],
    [confintCommand.name, confintCommand],
    [confint2dCommand.name, confint2dCommand],
    [mcmcCommand.name, mcmcCommand],
    [compareCommand.name, compareCommand],
    [loadfitCommand.name, loadfitCommand],
    [constrainCommand.name, constrainCommand],
    [minimizeCommand.name, minimizeCommand],
    [maximizeCommand.name, maximizeCommand],
  ]),
};

/**
 * Registers (or replaces) a command of the built-in table. The keyword must be in the grammar's
 * COMMAND_KEYWORDS (grammar/tokens.ts) to parse; e.g. `spots img roi=7 ...` is the command `spots`.
 */
export function registerCommand(def: CommandDef): void {
  STATEMENTS.commands.set(def.name, def);
}

export function getCommand(name: string): CommandDef | undefined {
  return STATEMENTS.commands.get(name);
}

export function commandNames(): string[] {
  return [...STATEMENTS.commands.keys()].sort();
}

/** The run function of each statement kind (kept for code written before statements had definitions). */
export const STATEMENT_HANDLERS = Object.fromEntries(
  Object.values(STATEMENTS.statements).map((d) => [d.kind, d.run]),
) as StatementHandlers;
