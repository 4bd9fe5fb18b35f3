/**
 * The `confint` command: profile confidence intervals of the last fit's parameters (`confInterval`,
 * src/fit/confint.ts), printed as lmfit's `ci_report`: per parameter the lower bounds (highest probability
 * first), the best value, then the upper bounds, as offsets from the best value. With `trace=true` the table
 * `trace_NAME` of each profiled parameter holds every refit (the free parameters and the probability).
 */
import type { Expr } from '../../ast/index.ts';
import {
  confInterval,
  confIntervalOptions,
  type ConfIntervalOptions,
  type ConfIntervalResult,
  type FitResult,
} from '../../fit/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { CommandDef, StatementContext } from '../context.ts';
import { rethrowAt, sessionProgress, statementOptions } from '../optionArgs.ts';
import { refittable } from '../savedResult.ts';
import { makeTable } from '../values.ts';
import {
  alignedTable,
  argNames,
  checkAfterFit,
  fitOfArgs,
  formatNumber,
  splitNamesOption,
} from './afterFit.ts';

const percent = (p: number): string => `${(100 * p).toFixed(2)}%`;

/** An offset from the best value with its sign (`+0.0014`, `-0.0028`, `-inf`). */
function offset(ctx: StatementContext, v: number, best: number): string {
  const d = v - best;
  return d >= 0 ? `+${formatNumber(ctx, d)}` : formatNumber(ctx, d);
}

/** lmfit's `ci_report` (with offsets): a header of probabilities, then one row per parameter. */
function confintReport(ctx: StatementContext, ci: ConfIntervalResult): string {
  const first = Object.values(ci.params)[0];
  const probs = first.levels.map((l) => l.probability);
  const header = ['', ...[...probs].reverse().map(percent), '_BEST_', ...probs.map(percent)];
  const rows = Object.entries(ci.params).map(([name, p]) => [
    `${name}:`,
    ...[...p.levels].reverse().map((l) => offset(ctx, l.lower, p.best)),
    formatNumber(ctx, p.best),
    ...p.levels.map((l) => offset(ctx, l.upper, p.best)),
  ]);
  return alignedTable([header, ...rows]);
}

function defineTraces(ctx: StatementContext, ci: ConfIntervalResult): void {
  for (const [name, trace] of Object.entries(ci.trace ?? {})) {
    const columns = Object.fromEntries(Object.entries(trace).map(([k, v]) => [k, Float64Array.from(v)]));
    ctx.interp.variables.set(`trace_${name}`, makeTable(columns));
  }
}

/** For the static check: the tables `trace_NAME` of the parameters named in `confint a b trace=true`. */
function tracedNames(s: CommandStatement): string[] {
  const trace = s.options.find((o) => o.key === 'trace');
  const on = trace && ((trace.value.kind === 'sym' && trace.value.name === 'true') || wordIsOne(trace.value));
  if (!on) return [];
  const named = [...s.args, ...s.options.filter((o) => o.key === 'params').map((o) => o.value)];
  const syms = named.flatMap((e) => (e.kind === 'array' ? e.items : [e]));
  return syms.flatMap((e) => (e.kind === 'sym' ? [`trace_${e.name}`] : []));
}

const wordIsOne = (e: Expr): boolean => e.kind === 'num' && e.value === 1;

/** The profiles on worker threads (loaded on first use: one thread never loads worker_threads). */
async function threaded(result: FitResult, options: ConfIntervalOptions): Promise<ConfIntervalResult> {
  const { confIntervalThreaded } = await import('../../batch/node.ts');
  return confIntervalThreaded(result, options);
}

async function runConfint(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const { fit: chosen, args } = fitOfArgs(s, ctx, 'confint');
  const last = refittable(chosen, ctx, s.span, 'confint');
  const { names, rest } = splitNamesOption(s.options, 'params', ctx);
  const o = await statementOptions(confIntervalOptions, rest, ctx, 'confint');
  const params = [...argNames(args, ctx), ...(names ?? [])];
  let ci: ConfIntervalResult;
  try {
    const options = { ...o, ...(params.length ? { params } : {}), ...sessionProgress(ctx, 'refits') };
    ci = o.threads > 1 ? await threaded(last.result, options) : confInterval(last.result, options);
  } catch (err) {
    throw rethrowAt(err, ctx, s.span);
  }
  if (ci.interrupted)
    ctx.interp.warn('warning: confint was interrupted: only the parameters finished are shown');
  if (!Object.keys(ci.params).length) {
    if (!ci.interrupted) ctx.interp.out('confint: no free parameter to profile');
    return;
  }
  ctx.interp.out(confintReport(ctx, ci));
  for (const w of ci.warnings) ctx.interp.warn(`warning: ${w}`);
  defineTraces(ctx, ci);
}

export const confintCommand: CommandDef = {
  name: 'confint',
  summary:
    'profile confidence intervals of the last fit (lmfit conf_interval): 1, 2, 3σ bounds per parameter',
  help: [
    'confint                       every free parameter at 1, 2 and 3σ (offsets from the best value)',
    'confint a b                   only a and b (or params=[a, b])',
    'confint result a              the fit result named result (result = load "fit.json"; needs its kernels)',
    'confint sigmas=[1, 2]         or probabilities=[0.9, 0.99]',
    'confint a trace=true          also the table trace_a: every refit of the profile and its probability',
    'confint threads=4             each parameter profiled on a worker thread (same numbers)',
  ].join('\n'),
  options: confIntervalOptions,
  check: (s, c) => checkAfterFit(s, c, confIntervalOptions, tracedNames(s), 'params'),
  run: runConfint,
};
