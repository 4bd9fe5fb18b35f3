/**
 * The `confint2d` command: the 2-D confidence region of a pair of the last fit's parameters
 * (`confInterval2d`, src/fit/confint.ts): the probability of every grid point being excluded, the other
 * parameters refitted. It makes the table `confint2d` (columns: the two parameters and `prob`, one row per grid
 * point) available; `plot "region.svg" contour=confint2d` draws it.
 */
import {
  confInterval2d,
  confInterval2dOptions,
  type ConfInterval2dOptions,
  type ConfRegion,
  type FitResult,
} from '../../fit/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { CommandDef, StatementContext } from '../context.ts';
import { rethrowAt, sessionProgress, statementOptions, where } from '../optionArgs.ts';
import { refittable } from '../savedResult.ts';
import { makeTable, typeError } from '../values.ts';
import { argNames, checkAfterFit, fitOfArgs, formatNumber } from './afterFit.ts';

/** The grid as a table of rows (x, y, prob), x running fastest. */
function regionTable(r: ConfRegion) {
  const n = r.xs.length * r.ys.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const prob = new Float64Array(n);
  r.ys.forEach((yv, i) =>
    r.xs.forEach((xv, j) => {
      const k = i * r.xs.length + j;
      x[k] = xv;
      y[k] = yv;
      prob[k] = r.grid[i][j];
    }),
  );
  return makeTable({ [r.x]: x, [r.y]: y, prob }, { names: [r.x, r.y, 'prob'] });
}

/** The grid's rows on worker threads (loaded on first use: one thread never loads worker_threads). */
async function threaded(
  result: FitResult,
  x: string,
  y: string,
  options: ConfInterval2dOptions,
): Promise<ConfRegion> {
  const { confInterval2dThreaded } = await import('../../batch/node.ts');
  return confInterval2dThreaded(result, x, y, options);
}

async function runConfint2d(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const { fit: chosen, args } = fitOfArgs(s, ctx, 'confint2d');
  const last = refittable(chosen, ctx, s.span, 'confint2d');
  const names = argNames(args, ctx);
  if (names.length !== 2) {
    throw typeError(
      `confint2d takes two parameter names, e.g. confint2d a b; got ${names.length}`,
      where(ctx, args[2]?.span ?? s.span),
    );
  }
  const o = await statementOptions(confInterval2dOptions, s.options, ctx, 'confint2d');
  let r: ConfRegion;
  try {
    const options = { ...o, ...sessionProgress(ctx, 'grid points') };
    r =
      o.threads > 1
        ? await threaded(last.result, names[0], names[1], options)
        : confInterval2d(last.result, names[0], names[1], options);
  } catch (err) {
    throw rethrowAt(err, ctx, s.span);
  }
  ctx.interp.variables.set('confint2d', regionTable(r));
  if (r.interrupted) ctx.interp.warn('warning: confint2d was interrupted: the points not computed are NaN');
  const range = (v: Float64Array) => `[${formatNumber(ctx, v[0])}, ${formatNumber(ctx, v[v.length - 1])}]`;
  ctx.interp.out(
    `confint2d: ${r.xs.length}x${r.ys.length} grid, ${r.x} in ${range(r.xs)}, ${r.y} in ${range(r.ys)} ` +
      `(the table confint2d: ${r.x}, ${r.y}, prob; plot "region.svg" contour=confint2d)`,
  );
}

export const confint2dCommand: CommandDef = {
  name: 'confint2d',
  summary: 'the 2-D confidence region of two parameters of the last fit (lmfit conf_interval2d)',
  help: [
    'confint2d a b                 a 10x10 grid over best ± 5 stderr: the table confint2d (a, b, prob)',
    'confint2d a b nx=30 ny=30 x_limits=[1, 2] y_limits=[0, 0.5]',
    'plot "region.svg" contour=confint2d   the probability map with its 1, 2, 3σ contours',
  ].join('\n'),
  options: confInterval2dOptions,
  check: (s, c) => checkAfterFit(s, c, confInterval2dOptions, ['confint2d']),
  run: runConfint2d,
};
