/**
 * The `.fit` script that reproduces a page's session with `exprfit run`: the data written out as arrays (so the
 * script needs no other file), the parameters at the page's values with their bounds, the model, the fit with
 * the session's options, and a report.
 */
import { ExprfitError, spellKey } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import { sigmaOf } from './fitOptions.ts';
import type { PageState, ParamState } from './state.ts';

/** A number as the script reads it back exactly (the shortest round-trip decimal). */
function scriptNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** An array literal: `[1, 2]`, `[[1, 2], [3, 4]]`; a 0-d array is its number. */
export function arrayLiteral(a: NdArray): string {
  const items = (offset: number, axis: number): string => {
    if (axis === a.ndim) return scriptNumber(a.data[offset]);
    const stride = a.shape.slice(axis + 1).reduce((p, k) => p * k, 1);
    const parts = Array.from({ length: a.shape[axis] }, (_, i) => items(offset + i * stride, axis + 1));
    return `[${parts.join(', ')}]`;
  };
  return items(0, 0);
}

function paramLine(name: string, p: ParamState): string {
  if (p.expr !== undefined) return `param ${name} = ${p.expr}`;
  if (p.fixed) return `param ${name} = ${scriptNumber(p.value)} fixed`;
  const bounded = Number.isFinite(p.min) || Number.isFinite(p.max);
  const bounds = bounded ? ` in [${scriptNumber(p.min)}, ${scriptNumber(p.max)}]` : '';
  return `param ${name} = ${scriptNumber(p.value)}${bounds}`;
}

/** An option value as the script writes it, or undefined for values it cannot (objects). */
function optionValue(v: unknown): string | undefined {
  if (typeof v === 'number') return scriptNumber(v);
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  return undefined;
}

/** The sigma variables (`sigma_of_y = [...]`) and the options of the fit statement. */
function fitLines(options: Record<string, unknown>): { assign: string[]; fit: string } {
  const assign: string[] = [];
  const words: string[] = [];
  for (const [lhs, s] of Object.entries(sigmaOf(options))) {
    assign.push(`sigma_of_${lhs} = ${typeof s === 'number' ? scriptNumber(s) : arrayLiteral(s)}`);
    words.push(`sigma_${lhs}=sigma_of_${lhs}`);
  }
  for (const [key, v] of Object.entries(options)) {
    const text = key === 'sigma' ? undefined : optionValue(v);
    if (text !== undefined) words.push(`${spellKey(key, 'script')}=${text}`);
  }
  return { assign, fit: ['fit', ...words].join(' ') };
}

/**
 * The most values written out into a script (about 20 characters each: the parser reads at most 2,000,000);
 * more are read from the data file with the page's `load` lines.
 */
const MAX_INLINE_VALUES = 50_000;

/** The data as assignments, or as the lines that read them from the data file when they are many. */
function dataLines(state: PageState): string[] {
  const values = Object.values(state.data).reduce((n, a) => n + a.size, 0);
  if (values > MAX_INLINE_VALUES && state.load) {
    return [
      `# ${values} data values: read from ${state.source}, which must sit next to this script`,
      ...state.load,
    ];
  }
  if (values > MAX_INLINE_VALUES) {
    throw new ExprfitError(
      'value',
      `${values} data values are too many to write into a script (at most ${MAX_INLINE_VALUES})`,
      {
        hints: ['run the .fit script that the page was served with (exprfit run) instead'],
      },
    );
  }
  return Object.entries(state.data).map(([name, a]) => `${name} = ${arrayLiteral(a)}`);
}

/** The script of the session: data, parameters, model, fit, report. */
export function sessionScript(state: PageState, date = new Date()): string {
  const { assign, fit } = fitLines(state.options);
  return [
    `# exprfit session written by the web page (exprfit serve) on ${date.toISOString()}`,
    `# data from ${state.source}; run it with: exprfit run session.fit`,
    '',
    ...dataLines(state),
    ...assign,
    '',
    ...[...state.params].map(([name, p]) => paramLine(name, p)),
    '',
    ...state.model
      .split(/\n|;/)
      .filter((l) => l.trim())
      .map((l) => `model ${l.trim()}`),
    fit,
    'report',
    '',
  ].join('\n');
}
