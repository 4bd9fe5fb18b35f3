/**
 * The `mcmc` command: samples the posterior of the last fit's parameters with the affine-invariant ensemble
 * sampler (`emcee`, src/fit/mcmc.ts). It prints the medians and ±1σ quantiles, the integrated autocorrelation
 * times (with a warning when the chain is shorter than 50 τ), the acceptance fraction and the MAP sample, and
 * makes the table `chains` (one column per sampled parameter, one row per kept sample: emcee's flat chain)
 * available: `save chains to "chains.npy"`, `plot "corner.svg" corner=chains`.
 */
import { emcee, emceeOptions, type EmceeOptions, type EmceeResult, type FitResult } from '../../fit/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { CommandDef, StatementContext } from '../context.ts';
import { rethrowAt, sessionProgress, statementOptions, where } from '../optionArgs.ts';
import { refittable } from '../savedResult.ts';
import { makeTable, typeError } from '../values.ts';
import { alignedTable, checkAfterFit, fitOfArgs, formatNumber } from './afterFit.ts';

/** The flat chain as a table: column j is parameter j of every kept sample (step-major, then walker). */
function chainsTable(r: EmceeResult) {
  const k = r.names.length;
  const rows = r.chain.length / k;
  const columns = Object.fromEntries(
    r.names.map((name, j) => [name, Float64Array.from({ length: rows }, (_, i) => r.chain[i * k + j])]),
  );
  return makeTable(columns, { names: r.names });
}

function summary(ctx: StatementContext, r: EmceeResult): string {
  const f = (v: number) => formatNumber(ctx, v);
  const header = ['', 'median', '-1σ', '+1σ', 'τ'];
  const rows = r.names.map((name) => {
    const p = r.params[name];
    return [`${name}:`, f(p.median), f(p.lower - p.median), `+${f(p.upper - p.median)}`, f(p.tau)];
  });
  const acc = Array.from(r.acceptanceFraction);
  const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
  const map = r.names.map((n) => `${n}=${f(r.map.values[n])}`).join(' ');
  return [
    `mcmc: ${r.walkers} walkers, ${r.steps} kept steps (${r.walkers * r.steps} samples); ` +
      `acceptance fraction ${f(mean)} (${f(Math.min(...acc))} to ${f(Math.max(...acc))})`,
    alignedTable([header, ...rows]),
    `MAP: ${map} (ln p = ${f(r.map.lnprob)})`,
  ].join('\n');
}

/** The sampler with its log-posterior on worker threads (loaded on first use). */
async function threaded(result: FitResult, options: EmceeOptions): Promise<EmceeResult> {
  const { emceeThreaded } = await import('../../batch/node.ts');
  return emceeThreaded(result, options);
}

async function runMcmc(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const { fit: chosen, args } = fitOfArgs(s, ctx, 'mcmc');
  const last = refittable(chosen, ctx, s.span, 'mcmc');
  if (args.length) {
    throw typeError('mcmc takes options only, e.g. mcmc walkers=50 steps=2000', where(ctx, args[0].span));
  }
  const o = await statementOptions(emceeOptions, s.options, ctx, 'mcmc');
  let r: EmceeResult;
  try {
    const options = { ...o, ...sessionProgress(ctx, 'steps') };
    r = o.threads > 1 ? await threaded(last.result, options) : emcee(last.result, options);
  } catch (err) {
    throw rethrowAt(err, ctx, s.span);
  }
  ctx.interp.variables.set('chains', chainsTable(r));
  ctx.interp.out(summary(ctx, r));
  if (r.interrupted)
    ctx.interp.warn(`warning: mcmc was interrupted: the summary is of the ${r.steps} kept steps done`);
  for (const w of r.warnings) ctx.interp.warn(`warning: ${w}`);
}

export const mcmcCommand: CommandDef = {
  name: 'mcmc',
  summary: 'sample the posterior of the last fit (emcee): medians, quantiles, τ, MAP; the table chains',
  help: [
    'mcmc                          100 walkers, 1000 steps, seed 1, around the best fit',
    'mcmc walkers=50 steps=3000 burn=500 thin=10 seed=7',
    'mcmc is_weighted=false        also sample the noise scale __lnsigma (data without sigma)',
    'save chains to "chains.npy"   the flat chain [samples, parameters]',
    "mcmc threads=4                each half-step's proposals evaluated on worker threads (same chains)",
    'plot "corner.svg" corner=chains   histograms on the diagonal, scatter and 1σ/2σ contours below',
  ].join('\n'),
  optionsOnly: true,
  options: emceeOptions,
  check: (s, c) => checkAfterFit(s, c, emceeOptions, ['chains']),
  run: runMcmc,
};
