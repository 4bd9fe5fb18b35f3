/**
 * Start values of named models from the data (lmfit's `guess()`), composed for sums: backgrounds first (on the
 * edges of x when the sum has peaks), the other models on what is left, then the peaks found one after the
 * other on the residual and given out left to right in the order they are written; then the backgrounds and
 * the peaks once more. With them, lmfit's parameter hints (bounds, voigt's `gamma = sigma`) and derived
 * parameters (`g1_fwhm`, `g1_height`) complete the parameters of a fit.
 */
import { broadcastShapes, broadcastTo, NdArray } from '../data/index.ts';
import {
  type EquationModelUse,
  type Model,
  type ParamInput,
  type ParamsInput,
  parseModelText,
  prefixedText,
  scalarInputs,
} from '../model/index.ts';
import type { ParamHint, PeakFeatures } from '../models/index.ts';
import { evaluate, freeSymbols } from '../symbolic/index.ts';
import type { DataInput } from './types.ts';
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

const FWHM_PER_SIGMA = 2.3548200450309493; // a Gaussian's full width at half maximum over its sigma
/** Guesses look at every k-th point of larger data (the tree-walking evaluator is slow on millions of points). */
const MAX_GUESS_POINTS = 20_000;

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
  const stride = Math.ceil(y.length / MAX_GUESS_POINTS);
  const keep = [...y.keys()].filter(
    (i) => i % stride === 0 && Number.isFinite(y[i]) && full.every(([, c]) => Number.isFinite(c[i])),
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

/** A peak model on its own: the shape from the highest peak's features of `r` above `baseline`. */
function guessPeak(u: EquationModelUse, pts: EquationPoints, r: Float64Array, baseline: number): Values {
  return peakValues(u, pts, peakFeatures(sortedPoints(u, pts, r), baseline));
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

/** The points at the two ends of x (a tenth each), where a background shows between peaks. */
function edgePoints(u: EquationModelUse, pts: EquationPoints): EquationPoints {
  const x = pointwise(u.args[0], pts, {});
  const order = [...x.keys()].sort((a, b) => x[a] - x[b]);
  const k = Math.max(2, Math.floor(order.length / 10));
  const keep = [...order.slice(0, k), ...order.slice(-k)];
  const pick = (c: Float64Array): Float64Array => Float64Array.from(keep, (i) => c[i]);
  return { columns: new Map([...pts.columns].map(([n, c]) => [n, pick(c)])), y: pick(pts.y) };
}

/** Subtracts the use with start values `g` from the residual `r` (in place). */
function subtract(u: EquationModelUse, pts: EquationPoints, r: Float64Array, g: Values): void {
  const v = pointwise(u.expr, pts, g);
  for (let i = 0; i < r.length; i++) if (Number.isFinite(v[i])) r[i] -= v[i];
}

/** `pts.y` less the uses `uses` at their start values. */
function residual(
  pts: EquationPoints,
  uses: readonly EquationModelUse[],
  guesses: Map<EquationModelUse, Values>,
) {
  const r = Float64Array.from(pts.y);
  for (const u of uses) subtract(u, pts, r, guesses.get(u) ?? {});
  return r;
}

/** Backgrounds in turn on `target` (on the edges of x when the sum has peaks, which hide it elsewhere). */
function guessBackgrounds(
  uses: readonly EquationModelUse[],
  pts: EquationPoints,
  target: Float64Array,
  edges: boolean,
  guesses: Map<EquationModelUse, Values>,
): void {
  const r = Float64Array.from(target);
  for (const u of uses) {
    const where = edges && u.args[0].kind === 'sym' ? edgePoints(u, { ...pts, y: r }) : { ...pts, y: r };
    const g = guessUse(u, where, where.y, 0);
    guesses.set(u, g);
    subtract(u, pts, r, g);
  }
}

/** The features of `k` peaks of `p` found in turn (each taken away as a Gaussian), ordered by center. */
function findPeaks(p: GuessPoints, k: number): PeakFeatures[] {
  const y = Float64Array.from(p.y);
  const found: PeakFeatures[] = [];
  for (let n = 0; n < k; n++) {
    const f = peakFeatures({ x: p.x, y }, 0);
    found.push(f);
    const s2 = 2 * (f.fwhm / FWHM_PER_SIGMA) ** 2;
    for (let i = 0; i < y.length; i++) y[i] -= f.height * Math.exp(-((p.x[i] - f.center) ** 2) / s2);
  }
  return found.sort((a, b) => a.center - b.center);
}

/** A peak's start values from its features: the shape by its rule, the amplitude scaled to the height. */
function peakValues(u: EquationModelUse, pts: EquationPoints, f: PeakFeatures): Values {
  const rule = u.def.guess;
  const shape = rule.kind === 'peak' ? rule.shape(f) : {};
  return scaleAmplitude(u, pts, prefixed(u, { center: f.center, amplitude: 1, ...shape }), f.height);
}

/** The other uses in turn on `target`, then the peaks, found together and given out left to right. */
function guessShapes(
  others: readonly EquationModelUse[],
  peaks: readonly EquationModelUse[],
  pts: EquationPoints,
  target: Float64Array,
  guesses: Map<EquationModelUse, Values>,
): void {
  const r = Float64Array.from(target);
  for (const u of others) {
    const g = guessUse(u, pts, r, 0);
    guesses.set(u, g);
    subtract(u, pts, r, g);
  }
  if (!peaks.length) return;
  const features = findPeaks(sortedPoints(peaks[0], pts, r), peaks.length);
  peaks.forEach((u, i) => guesses.set(u, peakValues(u, pts, features[i])));
}

/**
 * The start values of the additive uses of one equation: backgrounds, then the other uses and the peaks on
 * what the backgrounds leave; with both backgrounds and peaks, the backgrounds again on what the peaks leave,
 * and the peaks again.
 */
function guessSum(
  uses: readonly EquationModelUse[],
  pts: EquationPoints,
  guesses: Map<EquationModelUse, Values>,
): void {
  const backgrounds = uses.filter(isBackground);
  const peaks = uses.filter((u) => u.def.guess.kind === 'peak');
  const others = uses.filter((u) => !backgrounds.includes(u) && !peaks.includes(u));
  guessBackgrounds(backgrounds, pts, pts.y, peaks.length > 0, guesses);
  guessShapes(others, peaks, pts, residual(pts, backgrounds, guesses), guesses);
  if (!backgrounds.length || !peaks.length) return;
  guessBackgrounds(backgrounds, pts, residual(pts, [...others, ...peaks], guesses), false, guesses);
  guessShapes(others, peaks, pts, residual(pts, backgrounds, guesses), guesses);
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
function guessStarts(model: Model, arrays: ReadonlyMap<string, NdArray>): Values {
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
  given: Readonly<Record<string, ParamInput>>,
): Record<string, ParamInput> {
  const uses = model.namedModels;
  if (!uses?.length) return { ...given };
  const guesses = guessStarts(model, arrays);
  const out: Record<string, ParamInput> = { ...given };
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

/**
 * The parameters a fit of `model` to `data` would start from (lmfit's `guess()` for every named model of the
 * model): `params` completed by lmfit's hints, starts guessed from the data and the derived parameters.
 *
 * @param model   model text such as `'y = gaussian(x; g1) + linear(x)'`, or a parsed model
 * @param data    the named arrays of the fit
 * @param params  what the user gives (kept as given)
 */
export function guess(
  model: string | Model,
  data: Record<string, DataInput>,
  params: ParamsInput = {},
): ParamsInput {
  const parsed = typeof model === 'string' ? parseModelText(model) : model;
  const arrays = new Map(Object.entries(data).map(([k, v]) => [k, NdArray.from(v, k)] as const));
  return { ...params, ...withNamedModelParams(parsed, arrays, scalarInputs(params)) };
}
