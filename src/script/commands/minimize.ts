/**
 * The `minimize` and `maximize` commands: an objective written as an expression, optimised over its parameters
 * (the API's `minimize` / `maximize`, src/fit/minimize.ts). Session arrays in the objective are data (inside
 * `sum(...)`), session numbers are constants, every other name is a parameter (declared with `param`: its
 * start, bounds, fixed or tie; else starting at 1). The `constrain` lines apply. The optimum goes into the
 * parameters (`print x`), and the report is printed.
 */
import { constant, type Expr, printExpr } from '../../ast/index.ts';
import { ExprfitError } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import { maximize, minimize, type MinimizeResult, minimizeSchema } from '../../fit/index.ts';
import type { ParamInput } from '../../model/index.ts';
import { freeSymbols, substitute } from '../../symbolic/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { Checker, CommandDef, InterpreterState, StatementContext } from '../context.ts';
import { rethrowAt, statementOptions } from '../optionArgs.ts';

type Sense = 'minimize' | 'maximize';

/** The objective with session numbers substituted; the session arrays it uses (data). */
function objectiveOf(e: Expr, interp: InterpreterState): { expr: Expr; data: Record<string, NdArray> } {
  const numbers = new Map<string, Expr>();
  const data: Record<string, NdArray> = {};
  for (const name of freeSymbols(e)) {
    const v = interp.variables.get(name);
    if (typeof v === 'number') numbers.set(name, constant(v));
    else if (v instanceof NdArray) data[name] = v;
  }
  return { expr: numbers.size ? substitute(e, numbers) : e, data };
}

/** The declared parameters the objective and constraints use (others start at 1). */
function paramsOf(names: Iterable<string>, interp: InterpreterState): Record<string, ParamInput> {
  const params: Record<string, ParamInput> = {};
  const queue = [...names];
  for (const name of queue) {
    const p = interp.params.get(name);
    if (!p || name in params) continue;
    if (p.tie) queue.push(...freeSymbols(p.tie));
    params[name] = p.tie
      ? { expr: p.tieText!, min: p.min, max: p.max }
      : { value: p.value, min: p.min, max: p.max, fixed: p.fixed };
  }
  return params;
}

/** The optimum into the session's parameters (new names become implicit parameters). */
function storeOptimum(interp: InterpreterState, r: MinimizeResult): void {
  for (const [name, value] of Object.entries(r.values)) {
    let entry = interp.params.get(name);
    if (!entry) {
      entry = { name, value: 1, min: -Infinity, max: Infinity, fixed: false, implicit: true };
      interp.params.set(name, entry);
    }
    entry.fitted = value;
    entry.stderr = NaN;
  }
}

async function runOptimize(s: CommandStatement, ctx: StatementContext, sense: Sense): Promise<void> {
  if (s.args.length !== 1) {
    throw new ExprfitError(
      'value',
      `${sense} takes one expression, the objective (e.g. ${sense} (x - 1)^2 + y^2)`,
      {
        span: s.args[1]?.span ?? s.span,
        source: ctx.source,
      },
    );
  }
  const interp = ctx.interp;
  const options = await statementOptions(minimizeSchema, s.options, ctx, sense);
  const { expr, data } = objectiveOf(s.args[0], interp);
  const constraints = interp.constraints.map((c) => c.text);
  const names = new Set([...freeSymbols(expr)].filter((n) => !(n in data)));
  for (const c of interp.constraints)
    for (const n of c.text.match(/[A-Za-z_][A-Za-z_0-9]*/g) ?? []) names.add(n);
  let r: MinimizeResult;
  try {
    const run = sense === 'maximize' ? maximize : minimize;
    r = run(printExpr(expr), paramsOf(names, interp), { ...options, data, constraints });
  } catch (err) {
    throw rethrowAt(err, ctx, s.span);
  }
  storeOptimum(interp, r);
  interp.out(r.report());
  if (!r.success) interp.warn(`warning: ${sense} did not converge (${r.termination}): ${r.message}`);
}

function checkOptimize(s: CommandStatement, c: Checker, sense: Sense): void {
  if (s.args.length !== 1) throw c.error('value', `${sense} takes one expression, the objective`, s.span);
  c.options(s.options, minimizeSchema, sense);
}

function optimizeCommand(sense: Sense): CommandDef {
  return {
    name: sense,
    summary: `${sense} an expression over its parameters (bounds, constrain lines, sums over data)`,
    help: [
      `${sense} (1 - x)^2 + 100*(y - x^2)^2               parameters x, y (param x = -1.2 in [-2, 2] ...)`,
      `${sense} sum(abs(y - a*x - b)) method=nelder      a sum over the session's arrays x and y`,
      `${sense} -sum(log(pdf)) method=newton              exact gradient and Hessian`,
      'methods: lbfgsb (default), bfgs, newton, nelder, powell, de (differential evolution, finite bounds)',
      'The constrain lines apply (lbfgsb or nelder). The optimum goes into the parameters.',
    ].join('\n'),
    options: minimizeSchema,
    check: (s, c) => checkOptimize(s, c, sense),
    run: (s, ctx) => runOptimize(s, ctx, sense),
  };
}

export const minimizeCommand = optimizeCommand('minimize');
export const maximizeCommand = optimizeCommand('maximize');
