/** The `minimize` and `maximize` commands of `.fit` scripts and the REPL (src/script/commands/minimize.ts). */
import { describe, expect, it } from 'vitest';
import { errorOf, exec, freshSessions } from './helpers.ts';

const fresh = freshSessions();

describe('minimize / maximize', () => {
  it('minimizes Rosenbrock from declared starts and stores the optimum in the parameters', async () => {
    const run = fresh();
    await exec(run, 'param x = -1.2, y = 1\nminimize (1 - x)^2 + 100*(y - x^2)^2 method=newton\nprint x');
    expect(run.out[0]).toMatch(/\[\[Minimize\]\][\s\S]*success {16}= true/);
    expect(Number(run.out[1])).toBeCloseTo(1, 9);
  });

  it('maximizes with the constrain lines (symfit: x = y = 1)', async () => {
    const run = fresh();
    await exec(run, 'param x = -1, y = 1\nconstrain y - 1 >= 0 x^3 == y\nmaximize 2*x*y + 2*x - x^2 - 2*y^2');
    expect(run.interp.params.get('x')!.fitted).toBeCloseTo(1, 8);
    expect(run.out[0]).toMatch(/maximum {16}= 1\b/);
    expect(run.out[0]).toMatch(/\[\[Constraints\]\]/);
  });

  it('sums over session arrays; session numbers are constants', async () => {
    const run = fresh();
    await exec(run, 't = [0.3, 1.2, 0.7, 2.5]\nk = 1\nminimize -sum(log(exp(-t/tau)/tau)) * k\nprint tau');
    expect(Number(run.out[1])).toBeCloseTo((0.3 + 1.2 + 0.7 + 2.5) / 4, 8);
  });

  it('differential evolution over declared bounds, with a seed', async () => {
    const run = fresh();
    await exec(
      run,
      'param x in [-5, 5], y in [-5, 5]\nminimize (x^2 + y - 11)^2 + (x + y^2 - 7)^2 method=de seed=3',
    );
    const x = run.interp.params.get('x')!.fitted!;
    const y = run.interp.params.get('y')!.fitted!;
    expect((x * x + y - 11) ** 2 + (x + y * y - 7) ** 2).toBeLessThan(1e-20);
  });

  it('mistakes are errors at the statement', async () => {
    const run = fresh();
    const err = await errorOf(() => exec(run, 'minimize (x - 1)^2 method=newtn'));
    expect(err.message).toMatch(/method/);
    const err2 = await errorOf(() => exec(run, 'x = [1, 2]\nminimize a*x'));
    expect(err2.message).toMatch(/outside sum/);
    expect(err2.span?.line).toBe(2);
  });
});
