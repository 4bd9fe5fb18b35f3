/**
 * The Moré–Garbow–Hillstrom test set (35 problems, 43 with the extra dimensions, from x0, 10·x0 and
 * 100·x0: 129 runs) with default options. A run is solved when F = Σr² ends within 1e-4 (relative)
 * of a known minimum; a false success is a run that reports success without being solved. The
 * counts are recorded, with scipy's, in bench/README.md.
 */
import { describe, expect, it } from 'vitest';
import { solveLeastSquares, type LeastSquaresSummary } from '../../src/solver/lm.ts';
import { isKnownMinimum, MGH_PROBLEMS, MGH_START_FACTORS, type MghProblem } from './mgh/problems.ts';

function run(p: MghProblem, factor: number, xScale: 'jac' | 'unit' = 'jac'): LeastSquaresSummary {
  const problem = { n: p.n, m: p.m, residuals: p.residuals, jacobian: p.jacobian };
  return solveLeastSquares(
    problem,
    p.x0.map((v) => v * factor),
    xScale === 'jac' ? {} : { xScale },
  );
}

/** Solved count and the false successes of all 129 runs. */
function tally(xScale: 'jac' | 'unit'): { solved: number; falseSuccesses: string[] } {
  let solved = 0;
  const falseSuccesses: string[] = [];
  for (const p of MGH_PROBLEMS) {
    for (const k of MGH_START_FACTORS) {
      const s = run(p, k, xScale);
      if (isKnownMinimum(p, 2 * s.cost)) solved++;
      else if (s.success) falseSuccesses.push(`${p.name} from ${k}·x0`);
    }
  }
  return { solved, falseSuccesses };
}

function problem(name: string): MghProblem {
  const p = MGH_PROBLEMS.find((q) => q.name === name);
  if (!p) throw new Error(`no MGH problem ${name}`);
  return p;
}

describe('MGH test set', () => {
  it('has 35 problems and 129 runs', () => {
    expect(new Set(MGH_PROBLEMS.map((p) => p.id)).size).toBe(35);
    expect(MGH_PROBLEMS.length * MGH_START_FACTORS.length).toBe(129);
  });

  it('the analytic Jacobians agree with central differences', () => {
    for (const p of MGH_PROBLEMS) {
      const x = Float64Array.from(p.x0, (v, j) => v + 0.1 * (j + 1) + 0.05);
      const J = new Float64Array(p.m * p.n);
      p.jacobian(x, J);
      const fp = new Float64Array(p.m);
      const fm = new Float64Array(p.m);
      for (let j = 0; j < p.n; j++) {
        const h = 1e-6 * Math.max(1, Math.abs(x[j]));
        const xp = Float64Array.from(x);
        const xm = Float64Array.from(x);
        xp[j] += h;
        xm[j] -= h;
        p.residuals(xp, fp);
        p.residuals(xm, fm);
        for (let i = 0; i < p.m; i++) {
          const fd = (fp[i] - fm[i]) / (2 * h);
          expect(Math.abs(fd - J[i * p.n + j]), `${p.name} J[${i}][${j}]`).toBeLessThanOrEqual(
            1e-4 * Math.max(1, Math.abs(fd)),
          );
        }
      }
    }
  });

  it('no false success, and at least the measured number of runs solved', () => {
    const { solved, falseSuccesses } = tally('jac');
    expect(falseSuccesses).toEqual([]);
    expect(solved).toBeGreaterThanOrEqual(SOLVED_FLOOR);
  });

  it("xScale 'unit': the counts docs/solver.md §1.5 gives against the default", () => {
    const { solved, falseSuccesses } = tally('unit');
    expect(solved).toBe(121);
    expect(falseSuccesses).toEqual(['Bard from 100·x0', 'Box three-dimensional from 100·x0']);
  });
});

/** Measured on 2026-12-07 with the default options (see bench/README.md). */
const SOLVED_FLOOR = 110;

describe('MGH defects (issue 10)', () => {
  it('a sum of squares that overflows at the start is a non-finite start, not a converged fit', () => {
    // Jennrich–Sampson from 100·x0: residuals ~ -e^400 are finite, their squares are not
    const s = run(problem('Jennrich and Sampson'), 100);
    expect(s.termination).toBe('non-finite');
    expect(s.success).toBe(false);
    expect(s.message).toMatch(/overflows/);
  });

  it.each(['Powell badly scaled', 'Box three-dimensional'])(
    '%s from 100·x0: a collapsed trust region ends as stalled, not ftol',
    (name) => {
      const s = run(problem(name), 100);
      expect(s.termination).toBe('stalled');
      expect(s.success).toBe(false);
      expect(s.message).toMatch(/trust region collapsed/);
    },
  );

  it.each([
    ['Gulf research and development', 100],
    ['Jennrich and Sampson', 10],
    ['Box three-dimensional', 10],
    ['Biggs EXP6', 100],
    ['Osborne 2', 10],
    ['Osborne 2', 100],
  ] as const)('%s from %i·x0: an underflow plateau is reported as undetermined', (name, k) => {
    const s = run(problem(name), k);
    expect(s.termination).toBe('undetermined');
    expect(s.success).toBe(false);
    expect(s.undetermined.length).toBeGreaterThan(0);
    expect(s.rankDeficient).toBe(true);
    expect(s.message).toMatch(/not determined by the data/);
  });

  it('an over-parametrised model at its minimum succeeds and is flagged rank-deficient', () => {
    // r_i = a·b·t_i − y_i: only the product a·b is determined
    const t = [1, 2, 3, 4];
    const y = [2.1, 3.9, 6.2, 7.8];
    const s = solveLeastSquares(
      {
        n: 2,
        m: 4,
        residuals: (x, r) => t.forEach((ti, i) => (r[i] = x[0] * x[1] * ti - y[i])),
        jacobian: (x, J) => t.forEach((ti, i) => J.set([x[1] * ti, x[0] * ti], 2 * i)),
      },
      [1, 1],
    );
    expect(s.success).toBe(true);
    expect(s.rankDeficient).toBe(true);
    expect(s.undetermined).toEqual([]);
    expect(s.conditionNumber).toBeGreaterThan(1e12);
    const rosenbrock = run(problem('Rosenbrock'), 1);
    expect(rosenbrock.rankDeficient).toBe(false);
    expect(rosenbrock.conditionNumber).toBeLessThan(1e3);
  });

  it('a decay fit that runs off to tau → −∞ (A and c cancelling) is flagged rank-deficient', () => {
    const t = Array.from({ length: 30 }, (_, i) => i * 0.5);
    const y = t.map((v, i) => 5 * Math.exp(-v / 3) + 1 + 0.01 * Math.sin(7 * i));
    const decay = {
      n: 3,
      m: 30,
      residuals: (x: Float64Array, r: Float64Array) =>
        t.forEach((ti, i) => (r[i] = x[0] * Math.exp(-ti / x[1]) + x[2] - y[i])),
      jacobian: (x: Float64Array, J: Float64Array) =>
        t.forEach((ti, i) => {
          const e = Math.exp(-ti / x[1]);
          J.set([e, (x[0] * e * ti) / (x[1] * x[1]), 1], 3 * i);
        }),
    };
    const good = solveLeastSquares(decay, [1, 3, 0]);
    expect(good.rankDeficient).toBe(false);
    expect(good.conditionNumber).toBeLessThan(100);
    const away = solveLeastSquares(decay, [1, 1000, 0]);
    expect(away.x[1]).toBeLessThan(-1e6);
    expect(away.rankDeficient).toBe(true);
    expect(away.conditionNumber).toBeGreaterThan(1e12);
    // from tau = 1e-3 every exp(−t/tau) but the first underflows: tau is not determined
    const plateau = solveLeastSquares(decay, [1, 1e-3, 0]);
    expect(plateau.termination).toBe('undetermined');
    expect(plateau.undetermined).toEqual([1]);
  });
});
