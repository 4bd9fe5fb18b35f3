/** Validation of FitOptions: every option checked before any work, unknown keys named with a suggestion. */
import { ExprfitError } from '../syntax/span.ts';
import type { DataInput, Estimator, FitOptions, Loss, Method } from './types.ts';

export interface ValidatedFitOptions {
  readonly method: Method;
  readonly sigma: Record<string, DataInput>;
  readonly absoluteSigma: boolean;
  readonly allowWarnings: boolean;
  readonly loss: Loss;
  readonly fScale: number;
  readonly estimator: Estimator;
  readonly nanPolicy: 'raise' | 'omit';
  readonly maxfev?: number;
  readonly maxIterations?: number;
  readonly ftol?: number;
  readonly xtol?: number;
  readonly gtol?: number;
  readonly xScale: 'jac' | 'unit' | Readonly<Record<string, number>>;
  readonly starts: number;
  readonly seed: number;
}

const KEYS = [
  'method',
  'sigma',
  'absoluteSigma',
  'allowWarnings',
  'loss',
  'fScale',
  'estimator',
  'nanPolicy',
  'maxfev',
  'maxIterations',
  'ftol',
  'xtol',
  'gtol',
  'xScale',
  'starts',
  'seed',
] as const;

function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(
        d[j] + 1,
        d[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      prev = t;
    }
  }
  return d[b.length];
}

/** The closest of `candidates` to `word`, when close enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bd = Infinity;
  for (const c of candidates) {
    const dd = distance(word, c);
    if (dd < bd) {
      bd = dd;
      best = c;
    }
  }
  return best !== undefined && bd <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  const s = typeof v === 'string' ? suggest(v, allowed) : undefined;
  throw new ExprfitError(
    'option',
    `option ${name}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}${s ? ` (did you mean '${s}'?)` : ''}`,
  );
}

function positive(name: string, v: unknown, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new ExprfitError(
      'option',
      `option ${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`,
    );
  }
  return v;
}

/** The most starts of a multi-start fit (each start is a whole fit; far more would only exhaust memory). */
export const MAX_STARTS = 10_000;

function atMost(name: string, v: number, max: number): number {
  if (v > max) throw new ExprfitError('option', `option ${name}: at most ${max}, got ${v}`);
  return v;
}

function nonNegative(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ExprfitError('option', `option ${name}: expected a number >= 0, got ${String(v)}`);
  }
  return v;
}

function xScaleOption(v: unknown): ValidatedFitOptions['xScale'] {
  if (v === undefined) return 'jac';
  if (v === 'jac' || v === 'unit') return v;
  if (typeof v === 'string') return oneOf('xScale', v, ['jac', 'unit'] as const, 'jac');
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ExprfitError(
      'option',
      `option xScale: expected 'jac', 'unit' or an object { parameter: scale }, got ${Array.isArray(v) ? 'an array' : String(v)}`,
    );
  }
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [name, scale] of Object.entries(v)) {
    if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0)) {
      throw new ExprfitError(
        'option',
        `option xScale.${name}: expected a positive number, got ${String(scale)}`,
      );
    }
    out[name] = scale;
  }
  return out;
}

export function validateFitOptions(o: FitOptions = {}): ValidatedFitOptions {
  if (o === null || typeof o !== 'object') throw new ExprfitError('option', 'options must be an object');
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) {
      const s = suggest(k, KEYS);
      throw new ExprfitError('option', `unknown option '${k}'${s ? ` (did you mean '${s}'?)` : ''}`);
    }
  }
  for (const k of ['absoluteSigma', 'allowWarnings'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') {
      throw new ExprfitError('option', `option ${k}: expected true or false, got ${String(o[k])}`);
    }
  }
  if (o.sigma !== undefined && (o.sigma === null || typeof o.sigma !== 'object' || Array.isArray(o.sigma))) {
    throw new ExprfitError(
      'option',
      'option sigma: expected an object { dependentVariable: sigma }, e.g. { y: 0.1 }',
    );
  }
  const estimator = oneOf('estimator', o.estimator, ['lsq', 'poisson', 'likelihood'] as const, 'lsq');
  const loss = oneOf('loss', o.loss, ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'] as const, 'linear');
  const method = oneOf('method', o.method, ['lm', 'lbfgsb', 'nelder'] as const, 'lm');
  if (estimator !== 'lsq' && loss !== 'linear') {
    throw new ExprfitError(
      'option',
      `option loss: robust losses apply to least squares, not estimator '${estimator}'`,
    );
  }
  if (estimator !== 'lsq' && o.sigma && Object.keys(o.sigma).length) {
    throw new ExprfitError('option', `option sigma: not used by estimator '${estimator}'`);
  }
  return {
    method,
    sigma: o.sigma ?? {},
    absoluteSigma: o.absoluteSigma ?? false,
    allowWarnings: o.allowWarnings ?? false,
    loss,
    fScale: positive('fScale', o.fScale, false) ?? 1,
    estimator,
    nanPolicy: oneOf('nanPolicy', o.nanPolicy, ['raise', 'omit'] as const, 'raise'),
    maxfev: positive('maxfev', o.maxfev, true),
    maxIterations: positive('maxIterations', o.maxIterations, true),
    ftol: nonNegative('ftol', o.ftol),
    xtol: nonNegative('xtol', o.xtol),
    gtol: nonNegative('gtol', o.gtol),
    xScale: xScaleOption(o.xScale),
    starts: atMost('starts', positive('starts', o.starts, true) ?? 1, MAX_STARTS),
    seed: o.seed === undefined ? 1 : (positive('seed', o.seed, true) ?? 1),
  };
}
