/**
 * NIST StRD nonlinear regression problems as `LeastSquaresProblem`s, for the solver tests.
 *
 * exprfit's own expression compiler is developed separately, so the residuals and the ANALYTIC
 * Jacobian are built here with mathjs: `math.parse(expr)` and `math.derivative(node, 'bk')`, then a
 * tiny code generator turns each mathjs tree into a JavaScript function (mathjs's own `evaluate`
 * is ~50x slower; the generated code is checked against it in the tests). mathjs, like the
 * fixture's syntax, parses `^` right-associative and binding tighter than unary minus.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { all, create, derivative, parse, type MathNode } from 'mathjs';
import type { LeastSquaresProblem } from '../../src/solver/lm.ts';

export interface NistProblem {
  name: string;
  difficulty: string;
  response: string;
  variables: string[];
  expr: string;
  params: string[];
  start1: number[];
  start2: number[];
  certified: number[];
  certified_sd: number[];
  certified_rss: number;
  n_obs: number;
  data: Record<string, number[]>;
}

export function loadNist(): NistProblem[] {
  const file = fileURLToPath(new URL('../fixtures/nist-strd/problems.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { problems: NistProblem[] }).problems;
}

const FUNCS: Record<string, string> = {
  exp: 'Math.exp',
  log: 'Math.log',
  atan: 'Math.atan',
  cos: 'Math.cos',
  sin: 'Math.sin',
  sqrt: 'Math.sqrt',
};

/** mathjs node → JavaScript expression source over `p[k]` (parameters) and `v[k]` (variables). */
export function toJs(node: MathNode, params: string[], vars: string[]): string {
  const go = (nd: MathNode): string => {
    const n = nd as MathNode & {
      type: string;
      op?: string;
      fn?: string | { name: string };
      args?: MathNode[];
      name?: string;
      value?: unknown;
      content?: MathNode;
    };
    switch (n.type) {
      case 'ConstantNode':
        return `(${String(n.value)})`;
      case 'SymbolNode': {
        const i = params.indexOf(n.name!);
        if (i >= 0) return `p[${i}]`;
        const k = vars.indexOf(n.name!);
        if (k >= 0) return `v${k}`;
        if (n.name === 'pi') return 'Math.PI';
        if (n.name === 'e') return 'Math.E';
        throw new Error(`unknown symbol ${n.name}`);
      }
      case 'ParenthesisNode':
        return `(${go(n.content!)})`;
      case 'OperatorNode': {
        const a = n.args!.map(go);
        if (a.length === 1) return n.fn === 'unaryMinus' ? `(-${a[0]})` : `(+${a[0]})`;
        if (n.op === '^') return `Math.pow(${a[0]}, ${a[1]})`;
        if (['+', '-', '*', '/'].includes(n.op!)) return `(${a[0]} ${n.op} ${a[1]})`;
        throw new Error(`unsupported operator ${n.op}`);
      }
      case 'FunctionNode': {
        const name = typeof n.fn === 'string' ? n.fn : n.fn!.name;
        const f = FUNCS[name];
        if (!f) throw new Error(`unsupported function ${name}`);
        return `${f}(${n.args!.map(go).join(', ')})`;
      }
      default:
        throw new Error(`unsupported node ${n.type}`);
    }
  };
  return go(node);
}

export interface BuiltNist {
  problem: LeastSquaresProblem;
  /** model value at one data point (for cross-checks). */
  model: (p: Float64Array, point: number) => number;
  /** mathjs's own evaluation of the model at one data point. */
  modelMathjs: (p: Float64Array, point: number) => number;
}

const built = new Map<string, BuiltNist>();

/** Builds (once per problem, cached) the residual / Jacobian functions of a NIST problem. */
export function buildNist(prob: NistProblem): BuiltNist {
  let b = built.get(prob.name);
  if (!b) {
    b = buildNistUncached(prob);
    built.set(prob.name, b);
  }
  return b;
}

function buildNistUncached(prob: NistProblem): BuiltNist {
  const vars = prob.variables;
  const params = prob.params;
  const m = prob.n_obs;
  const n = params.length;
  const node = parse(prob.expr);
  const derivs = params.map((b) => derivative(node, b));
  const X = vars.map((v) => Float64Array.from(prob.data[v]));
  const yRaw = Float64Array.from(prob.data.y);
  const y = prob.response === 'log(y)' ? yRaw.map(Math.log) : yRaw;
  const varDecl = vars.map((_, k) => `const v${k} = X[${k}][i];`).join(' ');
  const resSrc = `for (let i = 0; i < ${m}; i++) { ${varDecl} r[i] = ${toJs(node, params, vars)} - y[i]; }`;
  const jacBody = derivs.map((dn, j) => `J[i * ${n} + ${j}] = ${toJs(dn, params, vars)};`).join(' ');
  const jacSrc = `for (let i = 0; i < ${m}; i++) { ${varDecl} ${jacBody} }`;
  const res = new Function('p', 'r', 'X', 'y', resSrc) as (
    p: Float64Array,
    r: Float64Array,
    X: Float64Array[],
    y: Float64Array,
  ) => void;
  const jac = new Function('p', 'J', 'X', jacSrc) as (
    p: Float64Array,
    J: Float64Array,
    X: Float64Array[],
  ) => void;
  const one = new Function('p', 'X', 'i', `${varDecl} return ${toJs(node, params, vars)};`) as (
    p: Float64Array,
    X: Float64Array[],
    i: number,
  ) => number;
  const compiled = node.compile();
  return {
    problem: {
      n,
      m,
      residuals: (p, r) => res(p, r, X, y),
      jacobian: (p, J) => jac(p, J, X),
    },
    model: (p, i) => one(p, X, i),
    modelMathjs: (p, i) => {
      const scope: Record<string, number> = {};
      params.forEach((b, j) => (scope[b] = p[j]));
      vars.forEach((v, k) => (scope[v] = X[k][i]));
      return compiled.evaluate(scope) as number;
    },
  };
}

/** Log relative error, capped at 11 (the certified values have 11 significant digits). */
export function lre(x: number, c: number): number {
  if (!Number.isFinite(x)) return 0;
  const e = Math.abs(x - c) / Math.abs(c);
  if (e === 0) return 11;
  return Math.max(0, Math.min(11, -Math.log10(e)));
}

let bigMath: ReturnType<typeof create> | null = null;

/**
 * Residual sum of squares at `x` evaluated in 40-digit decimal arithmetic (mathjs BigNumber), i.e.
 * without the rounding of the binary64 model evaluation. Used for Lanczos1, whose certified RSS
 * (1.4e-25, residuals ~1e-13 on responses ~1) is below what a binary64 evaluation of the model
 * resolves: the rounding of each residual (~3e-16) perturbs the RSS by ~2e-3 relative.
 */
export function accurateRss(prob: NistProblem, x: ArrayLike<number>): number {
  bigMath ??= create(all, { number: 'BigNumber', precision: 40 });
  const bm = bigMath;
  const code = bm.parse(prob.expr).compile();
  let rss = bm.bignumber(0);
  for (let i = 0; i < prob.n_obs; i++) {
    const scope: Record<string, unknown> = {};
    prob.params.forEach((b, j) => (scope[b] = bm.bignumber(x[j])));
    prob.variables.forEach((v) => (scope[v] = bm.bignumber(prob.data[v][i])));
    let y = bm.bignumber(prob.data.y[i]);
    if (prob.response === 'log(y)') y = bm.log(y) as typeof y;
    const r = bm.subtract(code.evaluate(scope), y) as typeof y;
    rss = bm.add(rss, bm.multiply(r, r)) as typeof y;
  }
  return Number(rss);
}
