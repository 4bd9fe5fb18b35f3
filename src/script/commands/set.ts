/** The `set` command: session settings (`set digits=6`). */
import { defineOptions, opt } from '../../core/index.ts';
import type { CommandDef } from '../context.ts';
import { statementOptions, where } from '../optionArgs.ts';
import { typeError } from '../values.ts';

export const setSchema = defineOptions('set', {
  digits: opt.integer({
    doc: 'significant digits of printed numbers (0: full precision)',
    min: 0,
    max: 17,
  }),
});

export const setCommand: CommandDef = {
  name: 'set',
  summary: 'session settings: set digits=6 (significant digits of printed numbers; 0 = full precision)',
  help: 'set                show the settings\nset digits=6       print numbers with 6 significant digits (0: full precision)',
  options: setSchema,
  async run(stmt, ctx) {
    const interp = ctx.interp;
    if (stmt.args.length) {
      throw typeError('set takes settings as key=value, e.g. set digits=6', where(ctx, stmt.args[0].span));
    }
    if (!stmt.options.length) {
      interp.out(`digits = ${interp.settings.digits ?? 0}`);
      return;
    }
    const { digits } = await statementOptions(setSchema, stmt.options, ctx, 'set');
    if (digits === 0) delete interp.settings.digits;
    else if (digits !== undefined) interp.settings.digits = digits;
  },
};
