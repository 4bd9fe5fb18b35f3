/**
 * MCMC: `emcee` on the bounded exponential decay of test/fixtures/lmfit/emcee.json (3 parameters and
 * `__lnsigma`, 50 walkers × 3000 steps, burn 500), against lmfit's `Minimizer.emcee(is_weighted=False)` on the
 * same model, walkers and steps in the same run when Debian's /usr/bin/python3 has lmfit and emcee.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fit } from '../src/fit/fit.ts';
import { emcee } from '../src/fit/mcmc.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/lmfit/emcee.json');

const LMFIT = `
import json, sys, time, numpy as np, lmfit
d = json.load(open(sys.argv[1]))['decay']
x, y = np.array(d['x']), np.array(d['y'])
p = lmfit.Parameters()
p.add('A', value=2.0, min=0, max=10); p.add('tau', value=1.0, min=0.1, max=20); p.add('c', value=0.0, min=-2, max=2)
mini = lmfit.Minimizer(lambda p, x, d: p['A'] * np.exp(-x / p['tau']) + p['c'] - d, p, fcn_args=(x, y))
best = mini.minimize(method='leastsq')
ts = []
for i in range(3):
    t0 = time.perf_counter()
    mini.emcee(params=best.params, nwalkers=50, steps=3000, burn=500, is_weighted=False, seed=1, progress=False)
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[1] * 1000)
`;

export async function run(): Promise<BenchRow[]> {
  const fx = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { decay: Record<string, never> }).decay;
  const r = fit(fx.model, { x: fx.x, y: fx.y }, fx.start);
  const ms = timeMedian(
    () => emcee(r, { walkers: 50, steps: 3000, burn: 500, isWeighted: false, seed: 1 }),
    5,
    1,
  );
  const res = spawnSync('/usr/bin/python3', ['-c', LMFIT, FIXTURE], { encoding: 'utf8', timeout: 300_000 });
  const baselineMs = res.status === 0 ? Number(res.stdout.trim().split('\n').at(-1)) : NaN;
  return [
    {
      name: 'emcee 50 walkers x 3000 steps, exponential decay + __lnsigma',
      ms,
      baselineMs,
      ratio: ms / baselineMs,
      note: res.status === 0 ? 'lmfit Minimizer.emcee' : 'lmfit not installed: no baseline',
    },
  ];
}
