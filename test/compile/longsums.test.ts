import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/kernel.ts';
import { differentiate, evaluate } from '../../src/symbolic/index.ts';
import { parseExpr } from '../../src/syntax/parse.ts';

/** `p0*x^1 + p1*x^2 - p2*x^3 + ...`: 100,000 distinct terms, every third one subtracted. */
const N = 100_000;
function longPolynomial(): string {
  const parts: string[] = [];
  for (let i = 1; i <= N; i++) parts.push(`${i === 1 ? '' : i % 3 === 0 ? ' - ' : ' + '}p${i % 3}*x^${i}`);
  return parts.join('');
}

/** The same sum computed directly, with its derivatives by p0, p1, p2. */
function direct(p: readonly number[], x: number): { value: number; grad: number[] } {
  let value = 0;
  const grad = [0, 0, 0];
  for (let i = 1; i <= N; i++) {
    const term = (i % 3 === 0 && i > 1 ? -1 : 1) * x ** i;
    value += p[i % 3] * term;
    grad[i % 3] += term;
  }
  return { value, grad };
}

describe('100,000-term sums', () => {
  // about 12 s of CPU (parse 3.5, simplify 2, compile 6): a generous timeout for a loaded machine
  it('parse, differentiate, compile and evaluate like a direct computation', { timeout: 240_000 }, () => {
    const expr = parseExpr(longPolynomial());
    const p = [0.5, -1.25, 2];
    const x = 1 + 1e-5; // x^100000 = e
    const want = direct(p, x);
    const scope = { p0: p[0], p1: p[1], p2: p[2], x };
    expect(evaluate(expr, scope)).toBeCloseTo(want.value, 6);
    expect(evaluate(differentiate(expr, 'p2'), scope)).toBeCloseTo(want.grad[2], 6);

    const kernel = compileModel(expr, { params: ['p0', 'p1', 'p2'], fixed: [], variables: ['x'] });
    const bound = kernel.bind({ x: new Float64Array([x]) });
    const out = new Float64Array(1);
    const jac = new Float64Array(3);
    bound.valuesAndJacobian(new Float64Array(p), new Float64Array(0), out, jac);
    expect(out[0]).toBeCloseTo(want.value, 6);
    for (let j = 0; j < 3; j++) expect(jac[j]).toBeCloseTo(want.grad[j], 6);
  });
});
