/**
 * Spot models: the three built-in 2-D Gaussians and user expressions in `x, y`, the roles of their parameters
 * (amplitude, centre, widths, angle, background — found by name), and the multi-spot model of a crowded group
 * built symbolically from the single-spot expression by renaming its parameters.
 */
import { binary, type Expr, num, printExpr, sym } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { CONSTANTS } from '../functions/index.ts';
import { differentiate, freeSymbols, simplify, substitute } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';

export type BuiltinSpotModel = 'symmetric' | 'elliptical' | 'rotated';

/** Which parameter plays which role (undefined: the model has no such parameter). */
export interface SpotRoles {
  readonly amplitude?: string;
  readonly x: string;
  readonly y: string;
  /** One width for both axes. */
  readonly sigma?: string;
  readonly sigmaX?: string;
  readonly sigmaY?: string;
  readonly theta?: string;
  readonly background?: string;
}

export interface SpotModel {
  readonly name: string;
  /** The single-spot expression in `x`, `y` (pixel coordinates of the fitted region). */
  readonly expr: Expr;
  /** Its parameters, in model order. */
  readonly params: readonly string[];
  readonly roles: SpotRoles;
}

export const BUILTIN_MODELS: Readonly<Record<BuiltinSpotModel, string>> = Object.freeze({
  symmetric: 'amplitude*exp(-((x - x0)^2 + (y - y0)^2)/(2*sigma^2)) + background',
  elliptical: 'amplitude*exp(-(x - x0)^2/(2*sigma_x^2) - (y - y0)^2/(2*sigma_y^2)) + background',
  rotated:
    'amplitude*exp(-((x - x0)*cos(theta) + (y - y0)*sin(theta))^2/(2*sigma_x^2) - ((y - y0)*cos(theta) - (x - x0)*sin(theta))^2/(2*sigma_y^2)) + background',
});

const ALIASES: Record<keyof SpotRoles, readonly string[]> = {
  amplitude: ['amplitude', 'A', 'amp', 'a', 'height', 'h', 'I0', 'I', 'N', 'N0', 'peak'],
  x: ['x0', 'xc', 'cx', 'mx', 'mu_x', 'mux', 'x_0'],
  y: ['y0', 'yc', 'cy', 'my', 'mu_y', 'muy', 'y_0'],
  sigma: ['sigma', 's', 'sig', 'w', 'width', 's0'],
  sigmaX: ['sigma_x', 'sx', 'sigmax', 'wx', 'sig_x', 'width_x'],
  sigmaY: ['sigma_y', 'sy', 'sigmay', 'wy', 'sig_y', 'width_y'],
  theta: ['theta', 'angle', 'rotation', 'rot', 'phi', 'alpha'],
  background: ['background', 'bg', 'b', 'offset', 'c', 'B', 'base', 'baseline', 'bkg'],
};

/** Spot models of model texts resolved before (the latest few): a stack's frames all resolve the same one. */
const resolved = new Map<string, SpotModel>();
const MAX_RESOLVED = 16;

/**
 * Resolves `symmetric | elliptical | rotated | EXPRESSION` into a spot model. A model text resolved before gives
 * the same (immutable) model without parsing and checking it again.
 */
export function spotModel(model: string | Expr = 'symmetric'): SpotModel {
  if (typeof model !== 'string') return resolveSpotModel(model);
  let m = resolved.get(model);
  if (!m) {
    m = resolveSpotModel(model);
    if (resolved.size >= MAX_RESOLVED) resolved.delete(resolved.keys().next().value!);
    resolved.set(model, m);
  }
  return m;
}

function resolveSpotModel(model: string | Expr): SpotModel {
  let name: string;
  let expr: Expr;
  if (typeof model === 'string') {
    const key = model.trim().toLowerCase();
    if (Object.hasOwn(BUILTIN_MODELS, key)) {
      name = key;
      expr = parseExpr(BUILTIN_MODELS[key as BuiltinSpotModel]);
    } else {
      name = model.trim();
      let text = model;
      // Accept `z = expr` too: the left side is ignored.
      const eq = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)/.exec(text);
      if (eq) text = text.slice(eq[0].length);
      if (!/[()*+^]/.test(text) && /^\s*[A-Za-z_]+\s*$/.test(text)) {
        throw new ExprfitError('option', `unknown spot model '${model.trim()}'`, {
          hints: [
            'use symmetric, elliptical, rotated, or an expression in x and y such as A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2)) + bg',
          ],
        });
      }
      expr = parseExpr(text);
    }
  } else {
    name = printExpr(model);
    expr = model;
  }
  const names = [...freeSymbols(expr)].filter((n) => n !== 'x' && n !== 'y' && !Object.hasOwn(CONSTANTS, n));
  const used = freeSymbols(expr);
  if (!used.has('x') || !used.has('y')) {
    throw new ExprfitError('value', `a spot model must use both x and y; '${name}' does not`);
  }
  checkDependsOnAll(expr, names, name);
  const find = (role: keyof SpotRoles): string | undefined => ALIASES[role].find((a) => names.includes(a));
  const x = find('x');
  const y = find('y');
  if (!x || !y) {
    throw new ExprfitError(
      'value',
      `a spot model needs centre parameters named x0 and y0; '${name}' has ${names.join(', ')}`,
    );
  }
  const roles: SpotRoles = {
    x,
    y,
    amplitude: find('amplitude'),
    sigma: find('sigma'),
    sigmaX: find('sigmaX'),
    sigmaY: find('sigmaY'),
    theta: find('theta'),
    background: find('background'),
  };
  return { name, expr, params: names, roles };
}

/**
 * Every parameter must change the model: one that the simplified model or its derivative drops (`0*beta`,
 * `beta^0`) is not determined by the image, and the joint model, built from the simplified expression, would
 * not have it at all. An error naming it, the same for isolated and joint fits.
 */
function checkDependsOnAll(expr: Expr, params: readonly string[], model: string): void {
  const kept = freeSymbols(simplify(expr));
  for (const p of params) {
    const d = kept.has(p) ? simplify(differentiate(expr, p)) : num(0);
    if (d.kind === 'num' && d.value === 0) {
      throw new ExprfitError('value', `the spot model '${model}' does not depend on its parameter '${p}'`, {
        hints: [`remove '${p}' from the model: the image cannot determine it`],
      });
    }
  }
}

/** The single-spot expression without its added background (the model itself when it has none). */
export function spotPart(m: SpotModel): Expr {
  const bg = m.roles.background;
  if (!bg) return m.expr;
  const d = simplify(differentiate(m.expr, bg));
  if (!(d.kind === 'num' && d.value === 1)) {
    throw new ExprfitError(
      'value',
      `to fit spots jointly the model must be (spot) + ${bg}; '${m.name}' is not`,
      {
        hints: ['write the background as an added parameter, or fit with joint=false'],
      },
    );
  }
  return simplify(substitute(m.expr, new Map([[bg, num(0)]])));
}

/**
 * The model of `k` spots with one shared background: Σ_i spot_i + background, each spot the single-spot
 * expression without its background, its parameters renamed `name_1 ... name_k` (never colliding with any
 * name of the model). `sharedWidth` keeps one set of width/angle parameters for all spots of the group.
 * Returns the expression and, per spot, the renamed parameter of each original parameter.
 */
export function multiSpotModel(
  m: SpotModel,
  k: number,
  sharedWidth = false,
): { expr: Expr; rename: readonly ReadonlyMap<string, string>[] } {
  if (k === 1) return { expr: m.expr, rename: [new Map(m.params.map((p) => [p, p]))] };
  const bg = m.roles.background;
  const spot = spotPart(m);
  const taken = new Set([...freeSymbols(m.expr), 'x', 'y']);
  const shared = new Set<string>();
  if (sharedWidth) {
    for (const r of [m.roles.sigma, m.roles.sigmaX, m.roles.sigmaY, m.roles.theta]) if (r) shared.add(r);
  }
  const perSpot = m.params.filter((p) => p !== bg && !shared.has(p));
  const rename: Map<string, string>[] = [];
  let sum: Expr | undefined;
  for (let i = 1; i <= k; i++) {
    const map = new Map<string, Expr>();
    const names = new Map<string, string>();
    for (const p of perSpot) {
      let n = `${p}_${i}`;
      while (taken.has(n)) n = `${n}_`;
      taken.add(n);
      map.set(p, sym(n));
      names.set(p, n);
    }
    for (const p of shared) names.set(p, p);
    if (bg) names.set(bg, bg);
    rename.push(names);
    const e = substitute(spot, map);
    sum = sum ? binary('+', sum, e) : e;
  }
  return { expr: bg ? binary('+', sum!, sym(bg)) : sum!, rename };
}
