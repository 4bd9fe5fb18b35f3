import { describe, expect, it } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import { fminbound, smoothingSpline } from '../../src/arrays/index.ts';
import { expectClose, fixture } from './helpers.ts';

const f = fixture('spline.json');

interface Case {
  label: string;
  weights: number[] | null;
  lam: number | null;
  lamUsed: number;
  atData: number[];
  atNew?: number[];
  d1New?: number[];
  d2New?: number[];
  outside?: number[];
  x?: number[];
  y?: number[];
}

describe('smoothingSpline against scipy.interpolate.make_smoothing_spline', () => {
  it.each((f.cases as Case[]).map((c) => [c.label, c.lam === null ? 'GCV' : c.lam, c] as const))(
    '%s lam %s',
    (_l, _m, c) => {
      const x = c.x ?? f.x;
      const y = c.y ?? f.y;
      const weights = c.weights ?? undefined;
      if (c.lam === null) {
        // Our GCV criterion equals scipy's (to its rounding) and is minimised by the same bounded Brent
        // search; on the flat minimum the two stop within the search tolerance xatol = 1e-5 of each other.
        const auto = smoothingSpline(x, y, { weights });
        expect(Math.abs(auto.lam - c.lamUsed)).toBeLessThan(1e-5);
        const atScipyLam = smoothingSpline(x, y, { lam: c.lamUsed, weights });
        expect(auto.gcv).toBeLessThanOrEqual(atScipyLam.gcv * (1 + 1e-9));
        expectClose(auto.values, c.atData, 2e-7);
      }
      // the spline for the lam that scipy's GCV chose, or for the given lam
      const s = smoothingSpline(x, y, { lam: c.lamUsed, weights });
      expectClose(s.values, c.atData, 1e-8);
      expectClose(s.evaluate(x), c.atData, 1e-8);
      if (c.atNew) {
        expectClose(s.evaluate(f.xnew), c.atNew, 1e-8);
        expectClose(s.derivative(f.xnew), c.d1New!, 1e-7);
        expectClose(s.evaluate(f.xnew, 2), c.d2New!, 1e-6);
        // outside the data: scipy's BSpline continues the end cubics
        const sc = smoothingSpline(x, y, { lam: s.lam, weights, extrapolate: 'cubic' });
        expectClose(sc.evaluate(f.xout), c.outside!, 1e-8);
      }
    },
  );

  it('natural boundary conditions and linear extrapolation by default', () => {
    const s = smoothingSpline(f.x, f.y, { lam: 0.5 });
    const n = f.x.length;
    expect(s.secondDerivatives[0]).toBe(0);
    expect(s.secondDerivatives[n - 1]).toBe(0);
    expectClose(s.evaluate([f.x[0], f.x[n - 1]], 2), [0, 0], 1e-10);
    const x0 = f.x[0];
    const slope = s.derivative(x0)[0];
    expectClose(s.evaluate(x0 - 2), [s.values[0] - 2 * slope], 1e-12);
    expect(s.evaluate(x0 - 2, 2)[0]).toBe(0);
    expect(smoothingSpline(f.x, f.y, { extrapolate: 'nan' }).evaluate(x0 - 1)[0]).toBeNaN();
  });

  it('csaps smooth p is lam = (1 - p)/p', () => {
    const p = 0.8;
    const a = smoothingSpline(f.x, f.y, { smooth: p });
    const b = smoothingSpline(f.x, f.y, { lam: (1 - p) / p });
    expectClose(a.values, b.values, 1e-14);
    expect(a.smooth).toBeCloseTo(p, 15);
  });

  it('limits: lam 0 interpolates (edf n), smooth 0 is the weighted straight line (edf 2)', () => {
    const n = f.x.length;
    const interp = smoothingSpline(f.x, f.y, { lam: 0 });
    expectClose(interp.values, f.y, 1e-12);
    expect(interp.edf).toBeCloseTo(n, 9);
    const w = f.x.map((_: number, i: number) => 1 + (i % 3));
    const line = smoothingSpline(f.x, f.y, { smooth: 0, weights: w });
    expect(line.edf).toBe(2);
    expect(line.lam).toBe(Infinity);
    // the same line from a huge lam
    const near = smoothingSpline(f.x, f.y, { lam: 1e9, weights: w });
    expectClose(near.values, line.values, 1e-5);
    expect(near.edf).toBeCloseTo(2, 5);
  });

  it('edf is the trace of the hat matrix (brute force by columns)', () => {
    const x = [0, 0.5, 1.7, 2, 3.1, 4, 4.4, 6];
    const lam = 0.3;
    const w = [1, 2, 0.5, 1, 1, 3, 1, 1];
    let tr = 0;
    for (let j = 0; j < x.length; j++) {
      const e = x.map((_, i) => (i === j ? 1 : 0));
      tr += smoothingSpline(x, e, { lam, weights: w }).values[j];
    }
    expect(smoothingSpline(x, x.map(Math.sin), { lam, weights: w }).edf).toBeCloseTo(tr, 12);
  });

  it('fminbound finds a parabola minimum to xatol', () => {
    expect(Math.abs(fminbound((t) => (t - 1.234) ** 2, 0, 5) - 1.234)).toBeLessThan(1e-5);
  });

  it.each([
    [() => smoothingSpline([0, 1, 2, 3], [1, 2, 3, 4]), 'value', /at least 5 points, got 4/],
    [
      () => smoothingSpline([0, 1, 1, 3, 4], [1, 2, 3, 4, 5]),
      'value',
      /strictly increasing, but x\[1\] = 1 and x\[2\] = 1/,
    ],
    [() => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3]), 'shape', /x has 5 values but y has 3/],
    [
      () => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { lam: -1 }),
      'option',
      /smoothingSpline option 'lam' must be a number >= 0 \(Infinity allowed\), got -1/,
    ],
    [
      () => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { smooth: 1.5 }),
      'option',
      /smoothingSpline option 'smooth' must be a finite number >= 0 and <= 1, got 1.5/,
    ],
    [() => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { lam: 1, smooth: 0.5 }), 'option', /not both/],
    [
      () => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { weights: [1, 1, 0, 1, 1] }),
      'value',
      /weights\[2\] is 0/,
    ],
    [() => smoothingSpline([0, 1, 2, 3, 4], [1, 2, NaN, 4, 5]), 'value', /y\[2\] is NaN/],
    [
      () => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { lam: -0.5 }),
      'option',
      /smoothingSpline option 'lam' must be a number >= 0/,
    ],
    [
      // unknown option names used to be ignored silently (lamda: a misspelt lam gave the GCV spline)
      () => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { lamda: 1 } as never),
      'option',
      /^unknown smoothingSpline option 'lamda'$/,
    ],
    [
      () => smoothingSpline([0, 1, 2, 3, 4], [1, 2, 3, 4, 5]).evaluate([1], 4),
      'value',
      /order must be 0, 1, 2 or 3, got 4/,
    ],
  ])('errors %#', (fn, code, text) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).code).toBe(code);
    expect((err as ExprfitError).message).toMatch(text);
  });
});
