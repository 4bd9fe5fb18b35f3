import { describe, expect, it } from 'vitest';
import { Interpreter } from '../../src/script/interpreter.ts';
import type { CommandDef, StatementTable } from '../../src/script/context.ts';
import { STATEMENTS } from '../../src/script/statements/index.ts';
import { helpOn } from '../../src/script/help.ts';

describe('the statement table', () => {
  it('has one definition per statement kind, each naming its kind', () => {
    for (const [kind, def] of Object.entries(STATEMENTS.statements)) expect(def.kind).toBe(kind);
    expect([...STATEMENTS.commands.keys()].sort()).toEqual([
      'band',
      'compare',
      'confint',
      'confint2d',
      'constrain',
      'loadfit',
      'maximize',
      'mcmc',
      'minimize',
      'set',
      'spots',
    ]);
  });

  it('an interpreter runs the table it is given, leaving the built-in one alone', async () => {
    const seen: string[] = [];
    const spots: CommandDef = {
      name: 'spots',
      summary: 'stand-in',
      help: '',
      run(stmt) {
        seen.push(stmt.options.map((o) => o.key).join(','));
      },
    };
    const table: StatementTable = { ...STATEMENTS, commands: new Map([['spots', spots]]) };
    const out: string[] = [];
    const interp = new Interpreter({ statements: table, out: (t) => out.push(t) });
    await interp.runText('img = zeros([2, 2])\nspots img roi=3\nprint 1 + 1');
    expect(seen).toEqual(['roi']);
    expect(out).toEqual(['2']);
    expect(STATEMENTS.commands.get('spots')).not.toBe(spots);
    await expect(interp.runText('set digits=3')).rejects.toThrow(/'set' command is not available/);
  });

  it(':help lists the options of a statement from its schema', () => {
    expect(helpOn('plot', STATEMENTS).text).toMatch(/Options:\n {2}eq=<string>/);
    expect(helpOn('set', STATEMENTS).text).toMatch(/digits=<integer> +significant digits/);
  });
});
