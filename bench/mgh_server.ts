/**
 * The MGH test set (test/solver/mgh/problems.ts) served over stdin/stdout for bench/mgh_scipy.py, so
 * that scipy and exprfit solve the very same residual and Jacobian code. The first output line lists
 * the problems; then each input line is one JSON request and gets one JSON line back:
 * - `{"p": i, "x": [...], "what": "f" | "J"}`: residuals or the row-major Jacobian of problem i at x;
 * - `{"p": i, "factor": k, "xScale": "jac" | "unit"}`: an exprfit run from k·x0 with default
 *   options otherwise (`solveLeastSquares`), returning F = Σr², termination, success and counts.
 */
import { createInterface } from 'node:readline';
import { solveLeastSquares } from '../src/solver/lm.ts';
import { MGH_PROBLEMS } from '../test/solver/mgh/problems.ts';

interface Request {
  p: number;
  /** Non-finite values arrive as strings ("nan", "inf", "-inf"). */
  x?: (number | string)[];
  what?: 'f' | 'J';
  factor?: number;
  xScale?: 'jac' | 'unit';
}

/** Non-finite numbers as strings so that JSON carries them ("inf", "nan"). */
function numbers(v: Float64Array): (number | string)[] {
  return Array.from(v, (t) => (Number.isFinite(t) ? t : Number.isNaN(t) ? 'nan' : t > 0 ? 'inf' : '-inf'));
}

function parseNonFinite(v: string): number {
  return v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN;
}

function answer(req: Request): unknown {
  const p = MGH_PROBLEMS[req.p];
  if (req.x) {
    const x = Float64Array.from(req.x, (v) => (typeof v === 'number' ? v : parseNonFinite(v)));
    const out = new Float64Array(req.what === 'J' ? p.m * p.n : p.m);
    if (req.what === 'J') p.jacobian(x, out);
    else p.residuals(x, out);
    return numbers(out);
  }
  const problem = { n: p.n, m: p.m, residuals: p.residuals, jacobian: p.jacobian };
  const s = solveLeastSquares(
    problem,
    p.x0.map((v) => v * (req.factor ?? 1)),
    { xScale: req.xScale ?? 'jac' },
  );
  return { F: 2 * s.cost, termination: s.termination, success: s.success, nfev: s.nfev, njev: s.njev };
}

process.stdout.write(
  JSON.stringify(
    MGH_PROBLEMS.map((p) => ({ id: p.id, name: p.name, n: p.n, m: p.m, x0: p.x0, fStar: p.fStar })),
  ) + '\n',
);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  process.stdout.write(JSON.stringify(answer(JSON.parse(line) as Request)) + '\n');
}
