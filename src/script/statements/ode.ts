/** `ode D(A, t) = -k1*A, A(0) = A0`: equations of an ODE system whose states the model lines fit. */
import { ExprfitError } from '../../core/index.ts';
import type { OdeEquation, Statement } from '../../syntax/index.ts';
import type { StatementContext, StatementDef } from '../context.ts';

/** What an equation defines: an equation for the same thing replaces the earlier one. */
function target(e: OdeEquation): string {
  if (e.kind === 'derivative') return `D(${e.state})`;
  return e.kind === 'initial' ? `${e.state}(t0)` : e.lhs;
}

/** Outputs are model lines in scripts (`model y = A + B`), so that `fit` finds their data the usual way. */
function outputHere(e: Extract<OdeEquation, { kind: 'output' }>, ctx: StatementContext): ExprfitError {
  return new ExprfitError('value', `'${e.lhs} = ...' is an output: write it as a model line`, {
    span: e.span,
    source: ctx.source,
    hints: [`model ${ctx.source.text.slice(e.span.start, e.span.end)}`],
  });
}

function runOde(s: Extract<Statement, { kind: 'ode' }>, ctx: StatementContext): void {
  const interp = ctx.interp;
  if (interp.modelClosed) {
    interp.odes = [];
    interp.models = [];
    interp.modelClosed = false;
  }
  for (const equation of s.equations) {
    if (equation.kind === 'output') throw outputHere(equation, ctx);
    const line = { equation, source: ctx.source };
    const i = interp.odes.findIndex((o) => target(o.equation) === target(equation));
    if (i >= 0) interp.odes[i] = line;
    else interp.odes.push(line);
  }
}

export const odeStatement: StatementDef<'ode'> = {
  kind: 'ode',
  run: runOde,
  help: {
    summary: 'ode D(A, t) = EXPR, A(0) = EXPR: an ODE system; model lines then fit its states to data',
    usage: [
      'ode D(A, t) = -k1*A, D(B, t) = k1*A - k2*B, A(0) = A0, B(0) = 0',
      'model yA = A                      the state A at the data times t',
      'model y = A + 2*B                 an output of the states',
      'model yB = B(tB)                  B at other times (data tB): outputs may have unequal lengths',
      'fit rtol=1e-10 atol=1e-12 ode_method=auto|dopri5|rosenbrock max_steps=100000',
      'Initial values are numbers or parameters, all at one time. See docs/ode.md.',
    ].join('\n'),
  },
};
