/** `model y = a*exp(-k*t) + c`: a line of the model to fit. */
import type { Statement } from '../../syntax/index.ts';
import type { StatementContext, StatementDef } from '../context.ts';

function runModel(s: Extract<Statement, { kind: 'model' }>, ctx: StatementContext): void {
  const interp = ctx.interp;
  if (interp.modelClosed) {
    interp.models = [];
    interp.modelClosed = false;
  }
  // one line of text for reports and plot titles (continuation lines joined)
  const text = ctx.source.text
    .slice(s.lhsSpan.start, s.span.end)
    .replace(/\s*\\?[ \t]*(#[^\n]*)?\r?\n\s*/g, ' ')
    .trim();
  const line = { lhs: s.lhs, lhsSpan: s.lhsSpan, rhs: s.rhs, span: s.span, source: ctx.source, text };
  const i = interp.models.findIndex((m) => m.lhs === s.lhs);
  if (i >= 0) interp.models[i] = line;
  else interp.models.push(line);
}

export const modelStatement: StatementDef<'model'> = {
  kind: 'model',
  run: runModel,
  help: {
    summary: 'model DATA = EXPR: the data named on the left is modelled by the expression',
    usage: [
      'model img = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + c',
      'model z = a*x + b                several model lines are fitted together (shared parameters)',
      'Other names become parameters (start 1) when no parameter is declared, or after param auto;',
      'once parameters are declared, an undeclared name is an error (a typo: did you mean ...?).',
      'The first model line after a fit starts a new model; a line for the same data replaces it.',
    ].join('\n'),
  },
};
