/**
 * Start values of named models from the data (lmfit's `guess()`), composed for sums: backgrounds first (on the
 * edges of the data when the sum has peaks), then each peak on what is left (the residual) in turn; a
 * model's peaks are then ordered by center along its uses (`g1` left of `g2`). With them, lmfit's parameter
 * hints (bounds, voigt's `gamma = sigma`) and derived parameters (`g1_fwhm`, `g1_height`) complete the
 * parameters of a fit.
 */
import { broadcastShapes, broadcastTo, type NdArray } from '../data/ndarray.ts';
import type { EquationModelUse, Model } from '../model/model.ts';
import { prefixedText } from '../model/named.ts';
import type { ParamInput, ParamsInput } from '../model/params.ts';
import type { ParamHint } from '../models/types.ts';
import { evaluate, freeSymbols } from '../symbolic/index.ts';
import {
  guessExponential,
  guessPeak2d,
  guessPowerlaw,
  guessRectangle,
  guessSine,
  guessStep,
  guessThermal,
  leastSquares,
  peakFeatures,
  type GuessPoints,
} from './guessRules.ts';

/** The points of one equation: its data columns (broadcast to one shape, finite rows only) and observed y. */
interface EquationPoints {
  readonly columns: Map<string, Float64Array>;
  readonly y: Float64Array;
}

type Values = Record<string, number>;

/** The equation's data broadcast together, rows with a non-finite value dropped; undefined without data. */
function equationPoints(
  lhs: string,
  uses: readonly EquationModelUse[],
  arrays: ReadonlyMap<string, NdArray>,
) {
  const observed = arrays.get(lhs);
  if (!observed) return undefined;
  const names = new Set<string>();
  for (const u of uses) for (const a of u.args) for (const s of freeSymbols(a)) names.add(s);
  if ([...names].some((n) => !arrays.has(n))) return undefined;
  const all = [...names].map((n) => [n, arrays.get(n)!] as const);
  const shape = broadcastShapes([...all.map(([, a]) => a.shape), observed.shape]);
  const full = all.map(([n, a]) => [n, broadcastTo(a, shape)] as const);
  const y = broadcastTo(observed, shape);
  const keep = [...y.keys()].filter(
    (i) => Number.isFinite(y[i]) && full.every(([, c]) => Number.isFinite(c[i])),
  );
  const pick = (c: Float64Array): Float64Array => Float64Array.from(keep, (i) => c[i]);
  const points: EquationPoints = { columns: new Map(full.map(([n, c]) => [n, pick(c)])), y: pick(y) };
  return points.y.length ? points : undefined;
}

/** The value of `e` at every point (data columns and the values in `scope`). */
function pointwise(e: Parameters<typeof evaluate>[0], pts: EquationPoints, scope: Values): Float64Array {
  const out = new Float64Array(pts.y.length);
  const row: Values = { ...scope };
  const cols = [...pts.columns];
  for (let i = 0; i < out.length; i++) {
    for (const [n, c] of cols) row[n] = c[i];
    out[i] = evaluate(e, row);
  }
  return out;
}

/** The use's start values as prefixed names. */
function prefixed(u: EquationModelUse, values: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) if (Number.isFinite(v)) out[u.prefix + k] = v;
  return out;
}

/** A 1-D use's points sorted by its variable, explaining `r`. */
function sortedPoints(u: EquationModelUse, pts: EquationPoints, r: Float64Array): GuessPoints {
  const x = pointwise(u.args[0], pts, {});
  const order = [...x.keys()].sort((a, b) => x[a] - x[b]);
  return { x: Float64Array.from(order, (i) => x[i]), y: Float64Array.from(order, (i) => r[i]) };
}

/** A model linear in its parameters: least squares of its columns (each parameter 1, the others 0). */
function guessLinear(u: EquationModelUse, pts: EquationPoints, r: Float64Array): Values {
  const zero = Object.fromEntries(u.params.map((p) => [p, 0]));
  const columns = u.params.map((p) => pointwise(u.expr, pts, { ...zero, [p]: 1 }));
  const coef = leastSquares(columns, r);
  return Object.fromEntries(u.params.map((p, i) => [p, coef[i]]));
}

/** `values` with the amplitude scaled so that the use's highest point matches `height`. */
function scaleAmplitude(u: EquationModelUse, pts: EquationPoints, values: Values, height: number): Values {
  const peak = pointwise(u.expr, pts, values).reduce((a, b) => (b > a ? b : a), 0);
  if (peak > 0 && Number.isFinite(peak)) values[u.prefix + 'amplitude'] = height / peak;
  return values;
}

/** A peak model: the shape from the highest peak's features, the amplitude scaled to its height. */
function guessPeak(u: EquationModelUse, pts: EquationPoints, r: Float64Array, baseline: number): Values {
  const rule = u.def.guess;
  if (rule.kind !== 'peak') return {};
  const f = peakFeatures(sortedPoints(u, pts, r), baseline);
  return scaleAmplitude(u, pts, prefixed(u, { center: f.center, amplitude: 1, ...rule.shape(f) }), f.height);
}

/** A 2-D peak: center and widths from the points, the amplitude scaled to the height. */
function guessPeak2dUse(u: EquationModelUse, pts: EquationPoints, r: Float64Array): Values {
  const x = pointwise(u.args[0], pts, {});
  const y = pointwise(u.args[1], pts, {});
  const height = r.reduce((a, b) => (b > a ? b : a), -Infinity);
  return scaleAmplitude(u, pts, prefixed(u, { amplitude: 1, ...guessPeak2d(x, y, r) }), height);
}

/** The start values of one use from `r` (the data, or what the other uses leave of it). */
function guessUse(u: EquationModelUse, pts: EquationPoints, r: Float64Array, baseline: number): Values {
  const rule = u.def.guess;
  if (rule.kind === 'linear') return guessLinear(u, pts, r);
  if (rule.kind === 'peak') return guessPeak(u, pts, r, baseline);
  if (rule.kind === 'peak2d') return guessPeak2dUse(u, pts, r);
  const p = sortedPoints(u, pts, r);
  const rules = {
    exponential: guessExponential,
    powerlaw: guessPowerlaw,
    step: guessStep,
    rectangle: guessRectangle,
    sine: guessSine,
    thermal: guessThermal,
  } as const;
  return prefixed(u, rules[rule.kind](p));
}

function isBackground(u: EquationModelUse): boolean {
  const k = u.def.guess.kind;
  return k === 'linear' || k === 'exponential' || k === 'powerlaw';
}

function isPeak(u: EquationModelUse): boolean {
  return u.def.guess.kind === 'peak' || u.def.guess.kind === 'peak2d';
}

/** The points at the two ends of x (a fifth each), where a background shows between peaks. */
function edgePoints(u: EquationModelUse, pts: EquationPoints): EquationPoints {
  const x = pointwise(u.args[0], pts, {});
  const order = [...x.keys()].sort((a, b) => x[a] - x[b]);
  const k = Math.max(2, Math.floor(order.length / 5));
  const keep = [...order.slice(0, k), ...order.slice(-k)];
  const pick = (c: Float64Array): Float64Array => Float64Array.from(keep, (i) => c[i]);
  return { columns: new Map([...pts.columns].map(([n, c]) => [n, pick(c)])), y: pick(pts.y) };
}

/** Subtracts the use with start values `g` from the residual `r` (in place). */
function subtract(u: EquationModelUse, pts: EquationPoints, r: Float64Array, g: Values): void {
  const v = pointwise(u.expr, pts, g);
  for (let i = 0; i < r.length; i++) if (Number.isFinite(v[i])) r[i] -= v[i];
}

/** Reassigns the start values of each model's peaks so that their centers increase along its uses. */
function orderPeaks(uses: readonly EquationModelUse[], guesses: Map<EquationModelUse, Values>): void {
  const byModel = new Map<string, EquationModelUse[]>();
  for (const u of uses)
    if (isPeak(u) && guesses.has(u)) byModel.set(u.def.name, [...(byModel.get(u.def.name) ?? []), u]);
  for (const group of byModel.values()) {
    const centerOf = (u: EquationModelUse): number =>
      guesses.get(u)![u.prefix + 'center'] ?? guesses.get(u)![u.prefix + 'centerx'] ?? 0;
    const unprefixed = group.map((u) => strip(u, guesses.get(u)!));
    const sorted = group.map((u, i) => ({ c: centerOf(u), v: unprefixed[i] })).sort((a, b) => a.c - b.c);
    group.forEach((u, i) => guesses.set(u, prefixed(u, sorted[i].v)));
  }
}

function strip(u: EquationModelUse, values: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) out[k.slice(u.prefix.length)] = v;
  return out;
}

/** The start values of the additive uses of one equation: backgrounds, then others, then peaks in turn. */
function guessSum(
  uses: readonly EquationModelUse[],
  pts: EquationPoints,
  guesses: Map<EquationModelUse, Values>,
) {
  const r = Float64Array.from(pts.y);
  const hasPeaks = uses.some(isPeak);
  for (const u of uses.filter(isBackground)) {
    const where = hasPeaks && u.args[0].kind === 'sym' ? edgePoints(u, { ...pts, y: r }) : { ...pts, y: r };
    const g = guessUse(u, where, where.y, 0);
    guesses.set(u, g);
    subtract(u, pts, r, g);
  }
  for (const u of uses.filter((v) => !isBackground(v) && !isPeak(v))) {
    const g = guessUse(u, pts, r, 0);
    guesses.set(u, g);
    subtract(u, pts, r, g);
  }
  for (const u of uses.filter(isPeak)) {
    const g = guessUse(u, pts, r, 0);
    guesses.set(u, g);
    subtract(u, pts, r, g);
  }
  orderPeaks(uses, guesses);
}

/** Guesses for the uses of one equation (the sum's terms composed, any other use on its own). */
function guessEquation(uses: readonly EquationModelUse[], pts: EquationPoints): Values {
  const guesses = new Map<EquationModelUse, Values>();
  guessSum(
    uses.filter((u) => u.additive),
    pts,
    guesses,
  );
  for (const u of uses.filter((v) => !v.additive))
    guesses.set(u, guessUse(u, pts, pts.y, Math.min(...pts.y)));
  return Object.assign({}, ...guesses.values()) as Values;
}

/** Start values guessed from the data for the parameters of the model's named models (prefixed names). */
export function guessStarts(model: Model, arrays: ReadonlyMap<string, NdArray>): Values {
  const out: Values = {};
  const lhsNames = [...new Set((model.namedModels ?? []).map((u) => u.lhs))];
  for (const lhs of lhsNames) {
    const uses = model.namedModels!.filter((u) => u.lhs === lhs);
    const pts = equationPoints(lhs, uses, arrays);
    if (!pts) continue;
    for (const [k, v] of Object.entries(safeGuess(uses, pts)))
      if (!(k in out) && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

/** A guess that cannot be computed (a variable argument that uses parameters, ...) gives no values. */
function safeGuess(uses: readonly EquationModelUse[], pts: EquationPoints): Values {
  try {
    return guessEquation(uses, pts);
  } catch {
    return {};
  }
}

/** The parameter `name` of a named model: the user's specification completed by lmfit's hint and the guess. */
function completeSpec(
  given: ParamInput | undefined,
  hint: ParamHint | undefined,
  guess: number | undefined,
  tie?: string,
): ParamInput {
  const bounds = {
    ...(hint?.min !== undefined ? { min: hint.min } : {}),
    ...(hint?.max !== undefined ? { max: hint.max } : {}),
  };
  const start = guess ?? hint?.value;
  if (given === undefined) {
    if (tie !== undefined) return { expr: tie };
    return { ...bounds, ...(start !== undefined ? { value: start } : {}) };
  }
  if (typeof given === 'number') return { ...bounds, value: given };
  if (typeof given !== 'object' || given === null || given.expr !== undefined) return given;
  return { ...bounds, ...(start !== undefined ? { value: start } : {}), ...given };
}

/**
 * The parameters of a fit of `model` with its named models' parameters completed: lmfit's hints (bounds,
 * ties), starts guessed from the data for those the user gave none, and the derived parameters (`g1_fwhm`)
 * the user did not name. Without named models, `given` itself.
 */
export function withNamedModelParams(
  model: Model,
  arrays: ReadonlyMap<string, NdArray>,
  given: ParamsInput,
): ParamsInput {
  const uses = model.namedModels;
  if (!uses?.length) return given;
  const guesses = guessStarts(model, arrays);
  const out: ParamsInput = { ...given };
  const own = (k: string): ParamInput | undefined => (Object.hasOwn(given, k) ? given[k] : undefined);
  for (const u of uses) {
    for (const p of u.params) {
      const name = p.slice(u.prefix.length);
      const hint = u.def.hints?.[name];
      const tie = hint?.expr !== undefined ? prefixedText(hint.expr, u) : undefined;
      out[p] = completeSpec(own(p), hint, guesses[p], tie);
    }
    for (const [d, text] of Object.entries(u.def.derived ?? {})) {
      const name = u.prefix + d;
      if (!Object.hasOwn(out, name) && !model.names.has(name) && !arrays.has(name))
        out[name] = { expr: prefixedText(text, u) };
    }
  }
  return out;
}
