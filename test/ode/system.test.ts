/** ODE model text: what each mistake says and where (line, column, caret, "did you mean"). */
import { describe, expect, it } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import { odeModel } from '../../src/ode/fit.ts';

function problem(text: string): {
  message: string;
  line?: number;
  column?: number;
  hints: readonly string[];
} {
  try {
    odeModel(text, 'm.ode');
  } catch (e) {
    if (!(e instanceof ExprfitError)) throw e;
    return { message: e.message, line: e.span?.line, column: e.span?.column, hints: e.hints };
  }
  throw new Error('no error');
}

describe('ODE model text', () => {
  it('gathers states, initial values at t0 and outputs with their times', () => {
    const s = odeModel(
      'D(A, t) = -k1*A\nD(B, t) = k1*A - k2*B\nA(2) = A0; B(2) = 0\ny = A + 2*B; yB = B(tB)',
    );
    expect(s.states).toEqual(['A', 'B']);
    expect(s.variable).toBe('t');
    expect(s.t0).toBe(2);
    expect(s.outputs.map((o) => [o.lhs, o.time])).toEqual([
      ['y', 't'],
      ['yB', 'tB'],
    ]);
  });

  it.each([
    ['D(A, t) = -k*A\nD(B, t) = k*A\nA(0) = 1', /state 'B' has no initial value/, 2, 3],
    ['D(A, t) = -k*A\nAA(0) = 1', /'AA' is not a state/, 2, 1],
    ['D(A, t) = -k*A\nA(0) = 1\ny = Aa(t2)', /'Aa' is not a state/, 3, 5],
    ['D(A, t) = -k*A\nD(B, x) = A\nA(0) = 1\nB(0) = 1', /with respect to 't', not 'x'/, 2, 6],
    ['D(A, t) = -k*A\nA(0) = 1\nA(0) = 2', /initial value of 'A' is given twice/, 3, 1],
    ['D(A, t) = -k*A\nA(s) = 1', /time of an initial value must be a number/, 2, 3],
    ['D(A, t) = -k*A\nA(0) = A', /cannot use 'A'/, 2, 8],
    ['D(A) = 1', /D\(state, variable\)/, 1, 1],
    ['A + 1 = 2', /cannot define this/, 1, 1],
    ['D(A, t) = -k*A; A(0) = 1; y = A(t1) + A(t2)', /one set of times/, 1, 31],
    ['D(A, t) = -k*A; A(0) = 1; A = A', /name the output after its data/, 1, 27],
    ['D(A, t) = -k*A; D(B, t) = -k*B; A(0) = 1; B(1) = 0', /at one time: 0, not 1/, 1, 45],
    ['D(A, t) = -k*A; D(A, t) = 1; A(0) = 1', /derivative of 'A' is given twice/, 1, 19],
  ])('%j', (text, message, line, column) => {
    const p = problem(text);
    expect(p.message).toMatch(message);
    expect([p.line, p.column]).toEqual([line, column]);
  });

  it('suggests the state a misspelt name meant', () => {
    expect(problem('D(Ab, t) = -k*Ab\nAc(0) = 1').hints).toContain("did you mean 'Ab'?");
  });

  it('needs a derivative', () => {
    expect(problem('y = 2').message).toMatch(/needs a derivative/);
  });
});
