/**
 * NIST StRD nonlinear regression: all 27 problems from both certified starts with DEFAULT options.
 * Acceptance (issue 3): every parameter within LRE >= 6 of its certified value and every standard
 * error within LRE >= 4 of its certified standard deviation, where
 *   stderr_j = sqrt(cov_jj · RSS/(n − p)),  cov = (JᵀJ)⁻¹ at the solution,
 * and RSS = 2·cost is the solver's own residual sum of squares.
 *
 * Lanczos1 exception (as in the issue): its certified RSS (1.4e-25) is below what a binary64
 * evaluation of the residuals resolves (each residual ~1e-13 carries ~3e-16 of rounding from the
 * model evaluation), so the binary64 RSS scatters by ~2e-3 and the stderr LRE from it is only
 * required to be >= 3. In addition, the RSS evaluated at the solver's x in 40-digit arithmetic
 * (`accurateRss`) must give stderr LRE >= 4 — a check of the solver's x and covariance that does not
 * depend on the rounding of the residual evaluation (it is ~6-7).
 *
 * The digits table is printed (min LRE over the parameters per problem and start).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { leastSquaresCovariance } from '../../src/solver/covariance.ts';
import { solveLeastSquares } from '../../src/solver/lm.ts';
import { accurateRss, buildNist, loadNist, lre } from './nist-helpers.ts';

const problems = loadNist();

interface Row {
  name: string;
  start: number;
  lreX: number;
  lreSd: number;
  lreSdAccurate: number;
  termination: string;
  nfev: number;
  njev: number;
}

const rows: Row[] = [];

describe('NIST StRD nonlinear regression, default options', () => {
  it('has all 27 problems', () => {
    expect(problems.length).toBe(27);
  });

  it('the generated residual code agrees with mathjs evaluation', () => {
    for (const p of problems) {
      const b = buildNist(p);
      const x = Float64Array.from(p.start2);
      for (const i of [0, p.n_obs >> 1, p.n_obs - 1]) {
        const a = b.model(x, i);
        const c = b.modelMathjs(x, i);
        expect(Math.abs(a - c)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(c)));
      }
    }
  });

  describe.each(problems.map((p) => [p.name, p] as const))('%s', (name, p) => {
    it.each([1, 2])('start %i', (start) => {
      const { problem } = buildNist(p);
      const x0 = start === 1 ? p.start1 : p.start2;
      const s = solveLeastSquares(problem, x0);
      const cov = leastSquaresCovariance(s, { scaleByResidualVariance: false });
      const dof = p.n_obs - p.params.length;
      const s2 = (2 * s.cost) / dof;
      const lreX = Math.min(...p.certified.map((c, j) => lre(s.x[j], c)));
      const lreSd = Math.min(...p.certified_sd.map((c, j) => lre(Math.sqrt(cov.stderr[j] ** 2 * s2), c)));
      let lreSdAccurate = lreSd;
      if (name === 'Lanczos1') {
        const s2a = accurateRss(p, s.x) / dof;
        lreSdAccurate = Math.min(
          ...p.certified_sd.map((c, j) => lre(Math.sqrt(cov.stderr[j] ** 2 * s2a), c)),
        );
      }
      rows.push({
        name,
        start,
        lreX,
        lreSd,
        lreSdAccurate,
        termination: s.termination,
        nfev: s.nfev,
        njev: s.njev,
      });
      expect(s.success).toBe(true);
      expect(cov.rank).toBe(p.params.length);
      // docs/solver.md §1.4: NIST solutions are well determined (condition at most 5.7e4)
      expect(s.rankDeficient).toBe(false);
      expect(s.conditionNumber).toBeLessThan(5.8e4);
      expect(lreX).toBeGreaterThanOrEqual(6);
      if (name === 'Lanczos1') {
        expect(lreSdAccurate).toBeGreaterThanOrEqual(4);
        expect(lreSd).toBeGreaterThanOrEqual(3);
      } else {
        expect(lreSd).toBeGreaterThanOrEqual(4);
      }
    });
  });

  it('prints the digits table', () => {
    const lines = [
      'NIST StRD, default options: minimum LRE over the parameters (x) and the standard errors (sd)',
      `${'problem'.padEnd(10)}${'start'.padStart(6)}${'x'.padStart(7)}${'sd'.padStart(7)}  ${'termination'.padEnd(12)}${'nfev'.padStart(6)}${'njev'.padStart(6)}`,
    ];
    for (const r of rows) {
      const note = r.name === 'Lanczos1' ? `  (sd ${r.lreSdAccurate.toFixed(1)} with the 40-digit RSS)` : '';
      lines.push(
        `${r.name.padEnd(10)}${String(r.start).padStart(6)}${r.lreX.toFixed(1).padStart(7)}${r.lreSd.toFixed(1).padStart(7)}  ${r.termination.padEnd(12)}${String(r.nfev).padStart(6)}${String(r.njev).padStart(6)}${note}`,
      );
    }
    console.log(lines.join('\n'));
    expect(rows.length).toBe(54);
  });

  it('docs/solver.md §7 states these numbers', () => {
    const doc = readFileSync(new URL('../../docs/solver.md', import.meta.url), 'utf8');
    const header = '| problem | x, start 1 | x, start 2 | sd, start 1 | sd, start 2 | nfev 1 / 2 |';
    const start = doc.indexOf(header);
    expect(start).toBeGreaterThanOrEqual(0);
    const documented = doc.slice(start).split('\n\n')[0].split('\n').slice(2);
    expect(documented).toEqual(docTableRows(rows));
  });
});

/** The rows of the NIST table in docs/solver.md §7, from the measured rows. */
function docTableRows(measured: readonly Row[]): string[] {
  const names = [...new Set(measured.map((r) => r.name))];
  return names.map((name) => {
    const [a, b] = [1, 2].map((s) => measured.find((r) => r.name === name && r.start === s)!);
    const sd = (r: Row): string =>
      r.name === 'Lanczos1' ? `${r.lreSd.toFixed(1)} (${r.lreSdAccurate.toFixed(1)}*)` : r.lreSd.toFixed(1);
    return `| ${name} | ${a.lreX.toFixed(1)} | ${b.lreX.toFixed(1)} | ${sd(a)} | ${sd(b)} | ${a.nfev} / ${b.nfev} |`;
  });
}
