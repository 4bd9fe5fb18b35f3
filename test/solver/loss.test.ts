/**
 * Robust losses against scipy.optimize.least_squares.
 *
 * Problem: y = a·exp(−b·x) + c on x = 0, 0.1, …, 1.9 with three outliers (see `Y`). The reference
 * values were made with python3 / scipy 1.17.1:
 *
 *   least_squares(res, [1, 1, 0], jac=jac, loss=LOSS, f_scale=FS, method='trf',
 *                 xtol=1e-15, ftol=1e-15, gtol=1e-15)
 *
 * (`scipyX`), then polished by Newton's method with the exact Hessian of the robust cost in
 * 40-digit arithmetic (mpmath) until the gradient was below 1e-38 (`exactX`): scipy stops on its
 * cost test a few 1e-9 short of the minimiser. We require 1e-10 relative agreement with the exact
 * minimiser, 1e-7 with scipy's output, and the cost to 1e-12.
 */
import { describe, expect, it } from 'vitest';
import { robustCost, scaleForLoss } from '../../src/solver/loss.ts';
import { solveLeastSquares, type LeastSquaresProblem } from '../../src/solver/lm.ts';
import type { LossName } from '../../src/solver/options.ts';

const Y = [
  3.5, 3.176808123793112, 2.857894316017724, 4.535721744304486, 2.2436105699776023, 2.019551485890313,
  1.8661535771221855, 1.7446213026409936, 1.6084094058236214, 1.4446033606218631, 1.2837567812576725,
  -0.3311792211853877, 1.1125796990231824, 1.083906198518875, 1.0358361754378007, 0.9488286891956105,
  0.8481859368348655, 3.7791032023087157, 0.7629811850229071, 0.776395469459198,
];
const X = Y.map((_, i) => i * 0.1);
const problem: LeastSquaresProblem = {
  n: 3,
  m: 20,
  residuals(p, r) {
    for (let i = 0; i < 20; i++) r[i] = p[0] * Math.exp(-p[1] * X[i]) + p[2] - Y[i];
  },
  jacobian(p, J) {
    for (let i = 0; i < 20; i++) {
      const e = Math.exp(-p[1] * X[i]);
      J[3 * i] = e;
      J[3 * i + 1] = -p[0] * X[i] * e;
      J[3 * i + 2] = 1;
    }
  },
};

// [loss, fScale, scipyX, exactX, cost]
const REF: [LossName, number, number[], number[], number][] = [
  [
    'linear',
    1.0,
    [2.9492781627191724, 1.8407805230892083, 0.9598894306699447],
    [2.9492781669730834, 1.8407804876177425, 0.9598894151633087],
    7.122302913108048,
  ],
  [
    'soft_l1',
    0.1,
    [3.0025012878218553, 1.3517266680908255, 0.5444239476409515],
    [3.002501291940578, 1.351726658541316, 0.5444239402372099],
    0.6277264467655518,
  ],
  [
    'soft_l1',
    1.0,
    [3.0274460472370386, 1.5430755668828204, 0.6932341460972352],
    [3.027446052239819, 1.5430755455275944, 0.6932341335058843],
    4.1430646854730915,
  ],
  [
    'huber',
    0.1,
    [3.0013926019966153, 1.3491459440342302, 0.5423368887424465],
    [3.001392602245913, 1.349145943423695, 0.5423368882791091],
    0.642382842739335,
  ],
  [
    'huber',
    1.0,
    [3.0544645548941856, 1.5481869791324248, 0.6868689930432121],
    [3.0544645593469735, 1.5481869610508392, 0.6868689823241143],
    4.940491848744399,
  ],
  [
    'cauchy',
    0.1,
    [3.003664027411577, 1.3189242738699636, 0.5175086721950473],
    [3.0036640274124164, 1.318924273868262, 0.5175086721936936],
    0.09944506338716101,
  ],
  [
    'cauchy',
    1.0,
    [3.0463990098387987, 1.4045872664071726, 0.5677072857313215],
    [3.0463990079884153, 1.404587272412111, 0.5677072899253375],
    2.5514611672998995,
  ],
  [
    'arctan',
    0.1,
    [3.002145354173662, 1.3187384979887447, 0.5175927978642836],
    [3.0021453542642713, 1.318738497790349, 0.5175927977073885],
    0.03228176987438531,
  ],
  [
    'arctan',
    1.0,
    [3.036657026007032, 1.3429568575055792, 0.5149544667577953],
    [3.036657026024417, 1.342956858348209, 0.5149544668341968],
    1.9864417394700424,
  ],
];

describe('robust losses match scipy least_squares', () => {
  it.each(REF)('%s, fScale %s', (loss, fScale, scipyX, exactX, cost) => {
    const s = solveLeastSquares(problem, [1, 1, 0], { loss, fScale });
    expect(s.success).toBe(true);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(s.x[j] - exactX[j]) / Math.abs(exactX[j])).toBeLessThan(1e-10);
      expect(Math.abs(s.x[j] - scipyX[j]) / Math.abs(scipyX[j])).toBeLessThan(1e-7);
    }
    expect(Math.abs(s.cost - cost) / cost).toBeLessThan(1e-12);
    expect(s.loss).toBe(loss);
  });
});

describe('loss scaling', () => {
  it('gives the exact gradient of the robust cost (finite-difference check)', () => {
    const p = Float64Array.from([2.5, 1.1, 0.3]);
    const r = new Float64Array(20);
    const J = new Float64Array(60);
    for (const loss of ['soft_l1', 'huber', 'cauchy', 'arctan'] as LossName[]) {
      const fs = 0.3;
      problem.residuals(p, r);
      problem.jacobian(p, J);
      const rs = new Float64Array(20);
      const Js = new Float64Array(60);
      scaleForLoss(loss, fs, r, J, 20, 3, rs, Js);
      for (let j = 0; j < 3; j++) {
        let g = 0;
        for (let i = 0; i < 20; i++) g += Js[3 * i + j] * rs[i];
        const h = 1e-6;
        const pp = Float64Array.from(p);
        pp[j] += h;
        const rp = new Float64Array(20);
        problem.residuals(pp, rp);
        pp[j] -= 2 * h;
        const rm = new Float64Array(20);
        problem.residuals(pp, rm);
        const fd = (robustCost(loss, fs, rp) - robustCost(loss, fs, rm)) / (2 * h);
        expect(Math.abs(g - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('the linear loss cost is ½‖r‖² and soft_l1 ≈ linear for tiny residuals', () => {
    const r = Float64Array.from([1e-6, -2e-6, 3e-6]);
    expect(robustCost('linear', 1, r)).toBeCloseTo(7e-12, 25);
    expect(robustCost('soft_l1', 1, r) / robustCost('linear', 1, r)).toBeCloseTo(1, 10);
    expect(robustCost('huber', 2, Float64Array.from([3]))).toBeCloseTo(0.5 * 4 * (2 * 1.5 - 1), 14);
  });
});
