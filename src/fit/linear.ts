/**
 * Which free parameters enter the model linearly, for variable projection (`linear: 'varpro'`): a set L such
 * that every equation is affine in L jointly, f = Σ_{c ∈ L} c·φ_c(θ) + φ_0(θ) — so every second derivative
 * within L is zero. Found symbolically by the polynomial degree of each expression in L (0: free of L,
 * 1: affine, 2: anything else), growing L greedily in the parameters' order. Bounded parameters stay
 * nonlinear (the exact linear solve ignores bounds). A vector's elements (`beta[k]`) join as one group, and
 * `dot(B, beta)` is affine in them.
 */
import type { Expr } from '../ast/index.ts';
import type { ParamSpec } from '../model/index.ts';

/** Degrees above 1 are all "not affine". */
const NONLINEAR = 2;

/** The vector of an element name (`beta` for `beta[3]`), or undefined. */
function vectorOf(name: string): string | undefined {
  const m = /^(.+)\[\d+\]$/.exec(name);
  return m ? m[1] : undefined;
}

/** What a degree computation asks of the candidate set. */
interface Candidates {
  has(name: string): boolean;
  hasVector(name: string): boolean;
}

function anyDependent(args: readonly Expr[], L: Candidates): number {
  return args.some((a) => degree(a, L) > 0) ? NONLINEAR : 0;
}

function callDegree(e: Expr & { kind: 'call' }, L: Candidates): number {
  const [a, b] = e.args;
  if (e.fn === 'dot' && b?.kind === 'sym' && L.hasVector(b.name)) {
    return degree(a, L) === 0 ? 1 : NONLINEAR;
  }
  if (e.fn === 'if' && e.args.length === 3 && degree(a, L) === 0) {
    return Math.max(degree(e.args[1], L), degree(e.args[2], L));
  }
  return anyDependent(e.args, L);
}

function binaryDegree(e: Expr & { kind: 'binary' }, L: Candidates): number {
  const l = degree(e.left, L);
  const r = degree(e.right, L);
  switch (e.op) {
    case '+':
    case '-':
      return Math.max(l, r);
    case '*':
      return Math.min(l + r, NONLINEAR);
    case '/':
      return r > 0 ? NONLINEAR : l;
    default:
      return l > 0 || r > 0 ? NONLINEAR : 0;
  }
}

/** The degree of `e` in the names of L (0, 1 or 2 = not affine). */
function degree(e: Expr, L: Candidates): number {
  switch (e.kind) {
    case 'num':
    case 'str':
      return 0;
    case 'sym':
      return L.has(e.name) ? 1 : 0;
    case 'unary':
      return e.op === '-' ? degree(e.arg, L) : anyDependent([e.arg], L);
    case 'binary':
      return binaryDegree(e, L);
    case 'call':
      return callDegree(e, L);
    default:
      return 0;
  }
}

function candidatesOf(names: ReadonlySet<string>): Candidates {
  const vectors = new Set([...names].map(vectorOf).filter((v) => v !== undefined));
  return { has: (n) => names.has(n), hasVector: (v) => vectors.has(v) };
}

/** The free parameters grouped: each scalar alone, a vector's elements together. */
function groups(free: readonly string[]): string[][] {
  const byVector = new Map<string, string[]>();
  const out: string[][] = [];
  for (const name of free) {
    const v = vectorOf(name);
    const group = v === undefined ? undefined : byVector.get(v);
    if (group) group.push(name);
    else {
      const g = [name];
      out.push(g);
      if (v !== undefined) byVector.set(v, g);
    }
  }
  return out;
}

/** The free parameters the equations are jointly affine in (see the file comment), in `free` order. */
export function linearParameters(
  exprs: readonly Expr[],
  free: readonly string[],
  params: ReadonlyMap<string, ParamSpec>,
): string[] {
  const unbounded = (n: string): boolean => {
    const p = params.get(n)!;
    return p.min === -Infinity && p.max === Infinity;
  };
  const chosen = new Set<string>();
  for (const group of groups(free.filter(unbounded))) {
    const trial = candidatesOf(new Set([...chosen, ...group]));
    if (exprs.every((e) => degree(e, trial) <= 1)) for (const n of group) chosen.add(n);
  }
  return free.filter((n) => chosen.has(n));
}
