/**
 * Delimited text tables (CSV, TSV, whitespace-separated `.txt`/`.dat`) with a header row -> named 1-D columns.
 *
 * - Delimiter: the `delimiter` option, else `.csv` -> `,`, `.tsv`/`.tab` -> tab, else sniffed from the first data
 *   line (tab, then comma, then semicolon, else runs of whitespace).
 * - Lines whose first non-blank character is `#` are comments; blank lines are skipped.
 * - Header: the first non-comment line, unless all its fields are numbers; then the last comment line just above
 *   the data is used when it holds exactly one identifier per column (`numpy.savetxt(..., header='t y')`), else the
 *   columns are named `col1`, `col2`, ...
 * - Cells: decimal numbers; empty cells and `nan`/`NA`/`N/A`/`null` (any case) are NaN; `inf`, `+inf`, `-inf`,
 *   `Infinity` (any case) are infinities. Anything else is an `'io'` error naming the file, line, column and text.
 * - Purely numeric unquoted files take a fast path (no csv-parse); quoted fields go through csv-parse.
 */
import { NdArray } from './ndarray.ts';
import { extensionOf, ioError, quote, readText, writeBytes } from './io.ts';
import { ExprfitError } from '../core/index.ts';

/** Named 1-D columns of equal length, in file order. */
export interface Table {
  columns: Record<string, NdArray>;
  names: string[];
}

export interface ReadTableOptions {
  /** Field delimiter (one character, or `'whitespace'`); default from the extension or sniffed. */
  delimiter?: string;
  /** `true`: the first row is a header; `false`: no header (columns `col1`...); default: detected. */
  header?: boolean;
  /** Read only these columns (others may then hold text). */
  columns?: readonly string[];
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses one cell; returns `undefined` when it is not a number. Empty cells are NaN. */
export function parseCell(text: string): number | undefined {
  const t = text.trim();
  if (t.length === 0) return NaN;
  if (NUMBER_RE.test(t)) return Number(t);
  switch (t.toLowerCase()) {
    case 'nan':
    case '-nan':
    case '+nan':
    case 'na':
    case 'n/a':
    case 'null':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

type Delim = string | 'whitespace';

function delimiterFor(file: string, text: string, option?: string): Delim {
  if (option !== undefined) {
    if (option === 'whitespace' || option === ' ') return 'whitespace';
    if (option === '\\t' || option === 'tab') return '\t';
    if (option.length !== 1)
      throw new ExprfitError('option', `delimiter must be one character, got ${quote(option)}`);
    return option;
  }
  const ext = extensionOf(file);
  if (ext === '.csv') return ',';
  if (ext === '.tsv' || ext === '.tab') return '\t';
  for (const line of text.split(/\r\n|\n|\r/, 200)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (line.includes('\t')) return '\t';
    if (line.includes(',')) return ',';
    if (line.includes(';')) return ';';
    return 'whitespace';
  }
  return ',';
}

interface Row {
  fields: string[];
  line: number;
}

/** Splits one line on a delimiter (no quoting). */
function splitLine(line: string, d: Delim): string[] {
  if (d === 'whitespace') return line.trim().split(/\s+/);
  return line.split(d);
}

/** Character offset of field `k` (0-based) in a raw line, honouring double quotes. */
function fieldOffset(raw: string, d: Delim, k: number): { start: number; end: number } {
  if (d === 'whitespace') {
    const re = /\S+/g;
    let m: RegExpExecArray | null;
    let i = 0;
    while ((m = re.exec(raw))) {
      if (i++ === k) return { start: m.index, end: m.index + m[0].length };
    }
    return { start: raw.length, end: raw.length + 1 };
  }
  let field = 0;
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i <= raw.length; i++) {
    const c = raw[i];
    if (c === '"') inQuotes = !inQuotes;
    else if ((c === d && !inQuotes) || i === raw.length) {
      if (field === k) {
        let s = start;
        let e = i;
        while (s < e && raw[s] === ' ') s++;
        while (e > s && raw[e - 1] === ' ') e--;
        return { start: s, end: Math.max(e, s + 1) };
      }
      field++;
      start = i + 1;
    }
  }
  return { start: raw.length, end: raw.length + 1 };
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles 1e0..1e22

/**
 * Parses a plain decimal number in `text[s, e)` straight from the characters when that is exact (at most 15
 * significant digits and a decimal exponent within +/-22: one correctly rounded multiply or divide, Clinger's
 * fast path); returns undefined otherwise, and the caller falls back to `parseCell`.
 */
export function fastNumber(text: string, s: number, e: number): number | undefined {
  let i = s;
  while (i < e && text.charCodeAt(i) === 32) i++;
  while (e > i && text.charCodeAt(e - 1) === 32) e--;
  if (i === e) return undefined;
  let neg = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let exp = 0;
  let any = false;
  for (; i < e; i++) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    any = true;
    if (m === 0 && c === 0) continue;
    if (++digits > 15) return undefined;
    m = m * 10 + c;
  }
  if (i < e && text.charCodeAt(i) === 46) {
    for (i++; i < e; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      any = true;
      exp--;
      if (m === 0 && c === 0) continue;
      if (++digits > 15) return undefined;
      m = m * 10 + c;
    }
  }
  if (!any) return undefined;
  if (i < e && (text.charCodeAt(i) | 32) === 101) {
    i++;
    let eneg = false;
    c = text.charCodeAt(i);
    if (c === 45 || c === 43) {
      eneg = c === 45;
      i++;
    }
    let x = 0;
    let ed = 0;
    for (; i < e; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (++ed > 4) return undefined;
      x = x * 10 + c;
    }
    if (ed === 0) return undefined;
    exp += eneg ? -x : x;
  }
  if (i !== e) return undefined;
  let v: number;
  if (m === 0) v = 0;
  else if (exp === 0) v = m;
  else if (exp > 0 && exp <= 22) v = m * POW10[exp];
  else if (exp < 0 && exp >= -22) v = m / POW10[-exp];
  else return undefined;
  return neg ? -v : v;
}

/** Error for a bad cell, with the offending line and a caret as hints. */
function cellError(
  file: string,
  raw: string,
  line: number,
  k: number,
  name: string,
  cell: string,
  d: Delim,
): ExprfitError {
  const { start, end } = fieldOffset(raw, d, k);
  return ioError(
    file,
    `line ${line}, column ${k + 1} (${quote(name)}): cannot read ${quote(cell.trim())} as a number`,
    undefined,
    // tabs stay tabs in the caret's indentation so it lines up under a TSV line
    [raw, `${raw.slice(0, start).replace(/[^\t]/g, ' ')}${'^'.repeat(Math.max(1, end - start))}`],
  );
}

function countError(file: string, raw: string, line: number, n: number, ncol: number): ExprfitError {
  return ioError(file, `line ${line}: ${n} field(s), but the header has ${ncol} column(s)`, undefined, [raw]);
}

/** Drops empty fields at the end of a record (a trailing delimiter). */
function trimTrailingEmpty(fields: string[]): string[] {
  let n = fields.length;
  while (n > 1 && fields[n - 1].trim() === '') n--;
  return n === fields.length ? fields : fields.slice(0, n);
}

/** Whether text[s, e) is blank or a comment line. */
function skippable(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 35; // '#'
  }
  return true;
}

/** Parses table text already in memory; `file` names it in errors and picks the default delimiter. */
export async function parseTable(
  text: string,
  file = '<table>',
  options: ReadTableOptions = {},
): Promise<Table> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\r') && !text.includes('\n')) text = text.replace(/\r/g, '\n'); // classic Mac line ends
  const d = delimiterFor(file, text, options.delimiter);
  const scan = d === 'whitespace' || !text.includes('"');

  // The first record, and the last comment line above it (numpy.savetxt writes its header as '# a b c').
  let lastComment: string | undefined;
  let first: Row | undefined;
  let bodyPos = 0; // scanner: where the body starts
  let rows: Row[] = []; // csv-parse path: every record
  if (scan) {
    let pos = 0;
    let line = 1;
    while (pos < text.length) {
      let e = text.indexOf('\n', pos);
      if (e < 0) e = text.length;
      const raw = text.slice(pos, e).replace(/\r$/, '');
      const t = raw.trim();
      pos = e + 1;
      if (t.startsWith('#')) lastComment = t.replace(/^#+\s*/, '');
      else if (t !== '') {
        first = { fields: splitLine(raw, d), line };
        line++;
        break;
      }
      line++;
    }
    bodyPos = Math.min(pos, text.length);
    if (first) rows = [first];
  } else {
    for (const raw of text.split('\n')) {
      const t = raw.trim();
      if (t === '') continue;
      if (t.startsWith('#')) lastComment = t.replace(/^#+\s*/, '');
      else break;
    }
    const { parse } = await import('csv-parse/sync');
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(text, {
        delimiter: d,
        comment: '#',
        comment_no_infix: true,
        skip_empty_lines: true,
        relax_column_count: true,
        relax_quotes: true,
        info: true,
      }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (err) {
      const line = (err as { lines?: number }).lines;
      throw ioError(
        file,
        `${line ? `line ${line}: ` : ''}${(err as Error).message.replace(/^Invalid /, 'invalid ')}`,
        err,
      );
    }
    rows = records.map((r) => ({ fields: r.record, line: r.info.lines }));
    first = rows[0];
  }
  if (!first) throw ioError(file, 'no data: the file is empty or holds only comments');

  // Header detection.
  const head = trimTrailingEmpty(first.fields);
  const firstNumeric = head.every((f) => f.trim() !== '' && parseCell(f) !== undefined);
  const hasHeader = options.header ?? !firstNumeric;
  let names: string[];
  if (hasHeader) {
    names = head.map((f, j) => f.trim() || `col${j + 1}`);
  } else {
    const fromComment = lastComment ? splitLine(lastComment, d) : [];
    const okComment =
      options.header === undefined &&
      fromComment.length === head.length &&
      fromComment.every((n) => /^[A-Za-z_][A-Za-z0-9_.]*$/.test(n.trim()));
    names = okComment ? fromComment.map((n) => n.trim()) : head.map((_, j) => `col${j + 1}`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw ioError(file, `line ${first.line}: column name ${quote(n)} appears twice in the header`);
    }
    seen.add(n);
  }
  const wanted = options.columns;
  if (wanted) {
    for (const w of wanted) {
      if (!seen.has(w)) {
        throw ioError(
          file,
          `no column named ${quote(w)}; the columns are ${names.map((n) => quote(n)).join(', ')}`,
        );
      }
    }
  }
  const ncol = names.length;
  const use = names.map((n) => !wanted || wanted.includes(n));

  // Body. Rows are at most the remaining lines: count them once and allocate the columns up front.
  let capacity = rows.length;
  if (scan) {
    capacity = 1;
    for (let i = text.indexOf('\n', bodyPos); i >= 0; i = text.indexOf('\n', i + 1)) capacity++;
  }
  const data = names.map(() => new Float64Array(capacity));
  let nrows = 0;
  const storeFields = (f: string[], line: number, raw: string): void => {
    if (f.length < ncol) throw countError(file, raw, line, f.length, ncol);
    for (let k = ncol; k < f.length; k++) {
      if (f[k].trim() !== '') throw countError(file, raw, line, f.length, ncol);
    }
    for (let k = 0; k < ncol; k++) {
      if (!use[k]) continue;
      const v = parseCell(f[k]);
      if (v === undefined) throw cellError(file, raw, line, k, names[k], f[k], d);
      data[k][nrows] = v;
    }
    nrows++;
  };
  if (!scan) {
    const lines = text.split('\n');
    for (const row of hasHeader ? rows.slice(1) : rows) {
      storeFields(row.fields, row.line, (lines[row.line - 1] ?? '').replace(/\r$/, ''));
    }
  } else {
    if (!hasHeader) storeFields(first.fields, first.line, '');
    let line = first.line + 1;
    const dc = d === 'whitespace' ? -1 : d.charCodeAt(0);
    const fast = dc >= 0 && use.every(Boolean);
    for (let pos = bodyPos; pos < text.length; line++) {
      let le = text.indexOf('\n', pos);
      if (le < 0) le = text.length;
      const ls = pos;
      pos = le + 1;
      if (text.charCodeAt(le - 1) === 13) le--;
      if (skippable(text, ls, le)) continue;
      if (!fast) {
        const raw = text.slice(ls, le);
        storeFields(splitLine(raw, d), line, raw);
        continue;
      }
      // Fast path: fields parsed straight from the characters, without splitting the line.
      let k = 0;
      let s = ls;
      for (;;) {
        let fe = text.indexOf(d, s);
        if (fe < 0 || fe > le) fe = le;
        if (k < ncol) {
          let v = fastNumber(text, s, fe);
          if (v === undefined) {
            const cell = text.slice(s, fe);
            v = parseCell(cell);
            if (v === undefined) throw cellError(file, text.slice(ls, le), line, k, names[k], cell, d);
          }
          data[k][nrows] = v;
        } else if (text.slice(s, fe).trim() !== '') {
          const raw = text.slice(ls, le);
          throw countError(file, raw, line, raw.split(d).length, ncol);
        }
        k++;
        if (fe >= le) break;
        s = fe + 1;
      }
      if (k < ncol) throw countError(file, text.slice(ls, le), line, k, ncol);
      nrows++;
    }
  }
  const columns: Record<string, NdArray> = Object.create(null);
  const outNames: string[] = [];
  for (let k = 0; k < ncol; k++) {
    if (!use[k]) continue;
    columns[names[k]] = new NdArray(nrows === capacity ? data[k] : data[k].slice(0, nrows), [nrows]);
    outNames.push(names[k]);
  }
  return { columns, names: outNames };
}

/** Reads a CSV/TSV/whitespace table with a header into named 1-D columns. */
export async function readTable(file: string, options: ReadTableOptions = {}): Promise<Table> {
  return parseTable(await readText(file), file, options);
}

/** How a number is written to text: shortest round-trip decimal; `nan`, `inf`, `-inf` for the non-finite. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

function quoteField(s: string, d: string): string {
  return s.includes(d) ||
    s.includes('"') ||
    s.includes('\n') ||
    s.includes('\r') ||
    s.startsWith('#') ||
    s !== s.trim()
    ? `"${s.replace(/"/g, '""')}"`
    : s;
}

export interface WriteTableOptions {
  /** Default: tab for `.tsv`/`.tab`, else comma. */
  delimiter?: string;
}

/** A column to write: an NdArray (any shape, flattened), a typed array or a number array. */
export type ColumnData = NdArray | ArrayLike<number>;

/** Table text: a header line, then one line per row. All columns must have the same length. */
export function formatTable(columns: Record<string, ColumnData>, delimiter = ','): string {
  const names = Object.keys(columns);
  if (names.length === 0) throw new ExprfitError('value', 'a table needs at least one column');
  const data = names.map((n) => {
    const c = columns[n];
    return c instanceof NdArray ? c.data : c;
  });
  const n = data[0].length;
  for (let k = 1; k < data.length; k++) {
    if (data[k].length !== n) {
      throw new ExprfitError(
        'shape',
        `table columns must have the same length: ${quote(names[0])} has ${n}, ${quote(names[k])} has ${data[k].length}`,
      );
    }
  }
  const out: string[] = [names.map((s) => quoteField(s, delimiter)).join(delimiter)];
  const cells = new Array<string>(names.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < data.length; k++) cells[k] = formatNumber(data[k][i]);
    out.push(cells.join(delimiter));
  }
  return out.join('\n') + '\n';
}

/** Writes named columns as CSV (or TSV for `.tsv`), readable back with `readTable`. */
export async function writeTable(
  file: string,
  columns: Record<string, ColumnData>,
  options: WriteTableOptions = {},
): Promise<void> {
  const ext = extensionOf(file);
  const d = options.delimiter ?? (ext === '.tsv' || ext === '.tab' ? '\t' : ',');
  await writeBytes(file, formatTable(columns, d));
}
