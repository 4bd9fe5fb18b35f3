/** Shared helpers for the symbolic tests. */
import { parseExpr } from '../../src/syntax/index.ts';
import type { Expr } from '../../src/ast/expr.ts';
import { printExpr } from '../../src/ast/print.ts';

/** Parses without checking calls (tests use user-function names freely). */
export function parse(text: string): Expr {
  return parseExpr(text, { checkCalls: false });
}

/** Removes spans, for toEqual comparisons of trees. */
export function strip(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === 'span' || k === 'fnSpan' ? undefined : v)));
}

export const show = printExpr;

/** The seed models of the issue, with parameter values and a grid of variable values. */
export interface SeedModel {
  readonly name: string;
  readonly expr: string;
  readonly params: Record<string, number>;
  readonly variables: Record<string, readonly number[]>;
}

export const SEED_MODELS: readonly SeedModel[] = [
  {
    name: 'gaussian-2d',
    expr: 'A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + offset',
    params: { A: 3, x0: 0.4, y0: -0.3, sx: 1.2, sy: 0.7, offset: 0.1 },
    variables: { x: [-1, 0.2, 1.5], y: [-0.8, 0.5, 1.1] },
  },
  {
    name: 'gaussian-2d-rotated',
    expr: 'amplitude*exp(-(((x-x0)*cos(theta)+(y-y0)*sin(theta))^2/(2*sx^2) + (-(x-x0)*sin(theta)+(y-y0)*cos(theta))^2/(2*sy^2))) + offset',
    params: { amplitude: 3, x0: 0.4, y0: -0.3, sx: 1.2, sy: 0.7, theta: 0.6, offset: 0.1 },
    variables: { x: [-1, 0.2, 1.5], y: [-0.8, 0.5, 1.1] },
  },
  {
    name: 'plane',
    expr: 'a + b*x + c*y',
    params: { a: 1, b: -2, c: 0.5 },
    variables: { x: [-1, 0, 2], y: [3, -1, 0.5] },
  },
  {
    name: 'exponential-decay',
    expr: 'A*exp(-t/tau) + c',
    params: { A: 5, tau: 2.5, c: 0.3 },
    variables: { t: [0, 0.5, 3, 10] },
  },
  {
    name: 'lorentzian',
    expr: 'A*gamma^2/((x - x0)^2 + gamma^2) + c',
    params: { A: 2, gamma: 0.8, x0: 1.5, c: -0.1 },
    variables: { x: [-2, 1.4, 1.5, 4] },
  },
];
