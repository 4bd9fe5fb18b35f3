/** `report`, `report brief`, `report json`: the last fit. */
import { defineOptions, ExprfitError, opt } from '../../core/index.ts';
import type { Statement } from '../../syntax/index.ts';
import type { Checker, StatementContext, StatementDef } from '../context.ts';
import { requireFit, statementOptions } from '../optionArgs.ts';

export const reportSchema = defineOptions('report', {
  minCorrelation: opt.number({
    doc: 'the smallest |correlation| listed in the full report',
    default: 0.1,
    min: 0,
    max: 1,
  }),
});

/** The modes of `report` (after the keyword). */
const REPORT_MODES = ['full', 'brief', 'json'];

function unknownMode(s: Extract<Statement, { kind: 'report' }>) {
  return {
    message: `unknown report mode '${s.mode}'`,
    hints: ['write report, report brief or report json'],
  };
}

function checkReport(s: Extract<Statement, { kind: 'report' }>, c: Checker): void {
  c.requireFit(s.span, 'report');
  c.options(s.options, reportSchema, 'report');
  if (s.mode !== undefined && !REPORT_MODES.includes(s.mode)) {
    const { message, hints } = unknownMode(s);
    throw c.error('value', message, s.span, hints);
  }
}

async function runReport(s: Extract<Statement, { kind: 'report' }>, ctx: StatementContext): Promise<void> {
  const last = requireFit(ctx, s.span, 'report');
  const { minCorrelation } = await statementOptions(reportSchema, s.options, ctx, 'report');
  if (s.mode === undefined || s.mode === 'full') ctx.interp.out(last.result.report(minCorrelation));
  else if (s.mode === 'brief') ctx.interp.out(last.result.briefReport());
  else if (s.mode === 'json') ctx.interp.out(JSON.stringify(last.result.toJSON(), null, 2));
  else {
    const { message, hints } = unknownMode(s);
    throw new ExprfitError('value', message, { span: s.span, source: ctx.source, hints });
  }
}

export const reportStatement: StatementDef<'report'> = {
  kind: 'report',
  run: runReport,
  check: checkReport,
  options: reportSchema,
  words: ['brief', 'json'],
  help: {
    summary: 'print the last fit: report (full), report brief, report json',
    usage: 'report\nreport brief\nreport json\nreport min_correlation=0.3',
  },
};
