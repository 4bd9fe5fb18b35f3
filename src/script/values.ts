/**
 * Values of the `.fit` language: numbers, arrays (NdArray), strings, smoothing splines, tables (named
 * columns, such as the `spots` table) and tuples (the results of `grid`/`meshgrid`, unpacked by
 * `x, y = ...`). Helpers to check and describe them, and the printing used by `print`, the REPL and `:vars`.
 */
import type { SmoothingSpline } from '../arrays/index.ts';
import type { OverlayOptions } from '../batch/node.ts';
import { closestMatches, ExprfitError, type SourceSpan, type SourceText } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import type { FitResult } from '../fit/index.ts';

/** A fitted smoothing spline; calling it (`sp(u)`) evaluates it at new points. */
export interface SplineValue {
  readonly kind: 'spline';
  readonly spline: SmoothingSpline;
}

/** Several values returned at once (`x, y = grid(img)`). */
export interface TupleValue {
  readonly kind: 'tuple';
  readonly items: readonly Value[];
}

/**
 * A table: named columns of equal length, in order (the `spots` statement makes one). `col(t, "x")` gives a
 * column as an array; `save t to "t.csv"` writes it (.csv, .tsv, .txt, .json, .npy).
 */
export interface TableValue {
  readonly kind: 'table';
  /** Column names, in order. */
  readonly names: readonly string[];
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly rows: number;
  /** What one row is, for messages (`spot`); default `row`. */
  readonly rowName?: string;
  /** A line `print` shows above the rows (the spot pipeline's summary). */
  readonly caption?: string;
  /** Writes a PNG of the rows drawn on their image (`save spots to "overlay.png"`), when the table has one. */
  readonly overlay?: (file: string, options: OverlayOptions) => Promise<void>;
}

/**
 * A fit result as a value (`result = load "fit.json"`): calling it evaluates the model (`result(t)`, the first
 * line's variables in order); `band result`, `confint result`, `mcmc result` and `plot ... fit=result` work on it.
 */
export interface FitValue {
  readonly kind: 'fit';
  readonly result: FitResult;
  /** The fit's number in the session (`compare 1 2`), once assigned to a name. */
  readonly number?: number;
}

export type Value = number | string | NdArray | SplineValue | TupleValue | TableValue | FitValue;

export function isSpline(v: Value): v is SplineValue {
  return typeof v === 'object' && !(v instanceof NdArray) && v.kind === 'spline';
}

export function isTuple(v: Value): v is TupleValue {
  return typeof v === 'object' && !(v instanceof NdArray) && v.kind === 'tuple';
}

export function isTable(v: Value): v is TableValue {
  return typeof v === 'object' && !(v instanceof NdArray) && v.kind === 'table';
}

const fitName = (v: FitValue): string => (v.number === undefined ? 'fit result' : `fit ${v.number}`);

export function isFit(v: Value): v is FitValue {
  return typeof v === 'object' && !(v instanceof NdArray) && v.kind === 'fit';
}

/** A table from columns of equal length (the order of `names`, default the record's). */
export function makeTable(
  columns: Readonly<Record<string, Float64Array>>,
  extra: Omit<TableValue, 'kind' | 'names' | 'columns' | 'rows'> & { names?: readonly string[] } = {},
): TableValue {
  const { names = Object.keys(columns), ...rest } = extra;
  const rows = names.length ? columns[names[0]].length : 0;
  for (const n of names) {
    if (columns[n]?.length !== rows)
      throw new ExprfitError('shape', `table column '${n}' has the wrong length`);
  }
  return { kind: 'table', names: [...names], columns, rows, ...rest };
}

/** 'number', 'array [3, 4]', 'string', 'spline', 'tuple of 2'. */
export function describeType(v: Value): string {
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  if (v instanceof NdArray) return `an array of shape [${v.shape.join(', ')}]`;
  if (v.kind === 'spline') return 'a spline';
  if (v.kind === 'table') return `a table (${v.rows} rows; columns ${v.names.join(', ')})`;
  if (v.kind === 'fit') return `a fit result (${v.result.modelText})`;
  return `${v.items.length} values`;
}

/** Options for attaching a position to an error. */
export interface Where {
  readonly span?: SourceSpan;
  readonly source?: SourceText;
}

/** `err` positioned at `where` when it has no position yet (errors from the array and data layers have none). */
export function positioned(err: unknown, where: Where): unknown {
  if (!(err instanceof ExprfitError)) return err;
  if (err.span && err.source) return err;
  if (err.span && !err.source && where.source) return err.withSource(where.source);
  if (!where.span) return where.source && !err.source ? err.withSource(where.source) : err;
  return err.placed(where.span, where.source);
}

/** An error about the file at `resolved`, reworded to show the name as the script wrote it. */
export function showPathAsWritten(err: unknown, resolved: string, written: string): unknown {
  if (!(err instanceof ExprfitError) || resolved === written) return err;
  const { file, reason } = err.detail;
  if (file === undefined || reason === undefined || !file.startsWith(resolved)) return err;
  const shown = written + file.slice(resolved.length); // `x.npz[a]`: a member of the file
  return err.reworded(`${shown}: ${reason}`, { file: shown });
}

/**
 * `param auto` (a bare declaration of the name `auto`): from then on, names a model uses without declaring
 * them become parameters even when the script declares others.
 */
export function isAutoParams(d: {
  readonly name: string;
  readonly value?: unknown;
  readonly min?: unknown;
  readonly fixed: boolean;
}): boolean {
  return d.name === 'auto' && d.value === undefined && d.min === undefined && !d.fixed;
}

/**
 * A model name that is neither a declared parameter, data, a constant nor a function, in a script that declares
 * its parameters (and did not write `param auto`): most likely a typo, which would otherwise be fitted as a
 * new unbounded parameter.
 */
export function undeclaredModelName(name: string, where: Where, known: Iterable<string>): ExprfitError {
  const close = closestMatches(name, known);
  return new ExprfitError(
    'unknown-name',
    `unknown name '${name}' in the model: not a declared parameter, data or a constant`,
    {
      span: where.span,
      source: where.source,
      hints: [
        ...(close.length ? [`did you mean '${close[0]}'?`] : []),
        `declare it (param ${name} = ...), or write 'param auto' to fit undeclared names as parameters`,
      ],
    },
  );
}

export function typeError(message: string, where: Where, hints?: readonly string[]): ExprfitError {
  return new ExprfitError('type', message, { span: where.span, source: where.source, hints });
}

/** A number (a 0-d or one-element array counts). */
export function asNumber(v: Value, what: string, where: Where): number {
  if (typeof v === 'number') return v;
  if (v instanceof NdArray && v.size === 1) return v.data[0];
  throw typeError(`${what} must be a number, but it is ${describeType(v)}`, where);
}

export function asInteger(v: Value, what: string, where: Where): number {
  const n = asNumber(v, what, where);
  if (!Number.isInteger(n)) throw typeError(`${what} must be a whole number, got ${n}`, where);
  return n;
}

/** An array (a number becomes a 0-d array). */
export function asArray(v: Value, what: string, where: Where): NdArray {
  if (v instanceof NdArray) return v;
  if (typeof v === 'number') return NdArray.scalar(v);
  throw typeError(`${what} must be an array or a number, but it is ${describeType(v)}`, where);
}

export function asString(v: Value, what: string, where: Where): string {
  if (typeof v === 'string') return v;
  throw typeError(`${what} must be a string such as "file.csv", but it is ${describeType(v)}`, where);
}

/** A shape: a number, or a 1-D array of whole numbers, each >= 0 (a bad entry is named in the error). */
export function asShape(v: Value, what: string, where: Where): number[] {
  const check = (d: number, name: string): number => {
    if (!Number.isInteger(d) || d < 0) {
      throw new ExprfitError('value', `${name} must be a whole number >= 0, got ${formatScalar(d)}`, {
        span: where.span,
        source: where.source,
      });
    }
    return d;
  };
  if (typeof v === 'number') return [check(v, what)];
  if (v instanceof NdArray && v.ndim <= 1) {
    return Array.from(v.data, (d, i) => check(d, v.ndim === 0 ? what : `${what}[${i}]`));
  }
  throw typeError(
    `${what} must be a size or a list of sizes such as [20, 30], but it is ${describeType(v)}`,
    where,
  );
}

/** A 0-d array becomes a plain number; everything else is returned as is. */
export function simplifyValue(v: NdArray): number | NdArray {
  return v.ndim === 0 ? v.data[0] : v;
}

// ---------------------------------------------------------------------------------------------------------
// Printing

/** A number for people: the shortest text that reads back to the same double, or `digits` significant ones. */
export function formatScalar(v: number, digits?: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (digits === undefined) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 10 ** Math.max(digits, 6)) return String(Number(v.toPrecision(digits)));
  return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
}

function finiteStats(a: NdArray): { min: number; max: number; mean: number; finite: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i];
    if (!Number.isFinite(x)) continue;
    finite++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min, max, mean: finite ? sum / finite : NaN, finite };
}

/** Nested-list text of a small array, e.g. `[[1, 2], [3, 4]]`. */
function nestedText(a: NdArray, digits: number | undefined): string {
  if (a.ndim === 0) return formatScalar(a.data[0], digits);
  const st = a.strides;
  const go = (depth: number, off: number, indent: string): string => {
    const n = a.shape[depth];
    if (depth === a.ndim - 1) {
      const parts: string[] = [];
      for (let i = 0; i < n; i++) parts.push(formatScalar(a.data[off + i], digits));
      return `[${parts.join(', ')}]`;
    }
    const rows: string[] = [];
    for (let i = 0; i < n; i++) rows.push(go(depth + 1, off + i * st[depth], indent + ' '));
    return `[${rows.join(`,\n${indent} `)}]`;
  };
  return go(0, 0, '');
}

const SMALL = 24;

/**
 * `print` text of a value: numbers in full precision (or `digits`), small arrays in full, larger ones as a
 * summary (shape, min, max, mean and the first and last values).
 */
export function formatValue(v: Value, digits?: number): string {
  if (typeof v === 'number') return formatScalar(v, digits);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof NdArray) {
    if (v.size <= SMALL && (v.ndim <= 1 || v.shape[v.ndim - 1] <= 8)) return nestedText(v, digits);
    return summarizeArray(v, digits ?? 6);
  }
  if (v.kind === 'spline') {
    const s = v.spline;
    const d = digits ?? 6;
    return `smoothing spline through ${s.x.length} points: lam=${formatScalar(s.lam, d)} smooth=${formatScalar(s.smooth, d)} edf=${formatScalar(s.edf, d)} gcv=${formatScalar(s.gcv, d)}`;
  }
  if (v.kind === 'table') return formatTableValue(v, digits ?? 6);
  if (v.kind === 'fit') return `${fitName(v)}: ${v.result.modelText}\n${v.result.briefReport()}`;
  return v.items.map((it) => formatValue(it, digits)).join('\n');
}

/** Rows `print` shows of a table; the rest are counted. */
const TABLE_ROWS = 10;

/**
 * `print` text of a table: a header line (rows, columns), its caption, then the first rows aligned in
 * columns (`digits` significant digits), and how many more there are.
 */
export function formatTableValue(t: TableValue, digits = 6): string {
  const rowName = t.rowName ?? 'row';
  const count = `${t.rows} ${rowName}${t.rows === 1 ? '' : 's'}`;
  const L = [`table (${t.names.length} columns): ${t.caption ?? count}`];
  if (!t.names.length || !t.rows) return L[0];
  const shown = Math.min(t.rows, TABLE_ROWS);
  const cells = t.names.map((n) => {
    const c = t.columns[n];
    const text = [n];
    for (let i = 0; i < shown; i++) text.push(formatScalar(c[i], digits));
    const w = Math.max(...text.map((x) => x.length));
    return text.map((x) => x.padStart(w));
  });
  for (let i = 0; i <= shown; i++) L.push(cells.map((c) => c[i]).join('  '));
  if (t.rows > shown) L.push(`... ${t.rows - shown} more ${rowName}${t.rows - shown === 1 ? '' : 's'}`);
  return L.join('\n');
}

/** `array [20, 30]: min 0.1, max 9.8, mean 4.2; values 0.1, 0.3, 0.5, ..., 9.8`. */
export function summarizeArray(a: NdArray, digits = 6): string {
  const shape = `[${a.shape.join(', ')}]`;
  if (a.size === 0) return `array ${shape} (empty)`;
  const s = finiteStats(a);
  const f = (x: number) => formatScalar(x, digits);
  const head: string[] = [];
  const k = Math.min(a.size, 4);
  for (let i = 0; i < k; i++) head.push(f(a.data[i]));
  const values =
    a.size > 5 ? `${head.join(', ')}, ..., ${f(a.data[a.size - 1])}` : Array.from(a.data, f).join(', ');
  const nonFinite = a.size - s.finite;
  const stats = s.finite ? `min ${f(s.min)}, max ${f(s.max)}, mean ${f(s.mean)}` : 'no finite values';
  return `array ${shape}: ${stats}${nonFinite ? `, ${nonFinite} non-finite` : ''}; values ${values}`;
}

/** One line for `:vars`: `name  array [20, 30]  min ..` or `name = 3.5`. */
export function describeValueShort(v: Value, digits = 6): string {
  if (typeof v === 'number') return formatScalar(v, digits);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof NdArray) {
    if (v.size <= 6 && v.ndim <= 1) return nestedText(v, digits);
    const s = finiteStats(v);
    return `array [${v.shape.join(', ')}]${s.finite ? `, min ${formatScalar(s.min, digits)}, max ${formatScalar(s.max, digits)}` : ''}`;
  }
  if (v.kind === 'spline')
    return `spline (lam=${formatScalar(v.spline.lam, digits)}, edf=${formatScalar(v.spline.edf, digits)})`;
  if (v.kind === 'table') return `table, ${v.rows} rows: ${v.names.join(', ')}`;
  if (v.kind === 'fit') return `${fitName(v)}: ${v.result.modelText}`;
  return `${v.items.length} values`;
}
