/**
 * Source positions and user-facing errors. Every error a user can cause is an `ExprfitError`
 * (never a raw TypeError from deep inside); the CLI prints `error.format()` and exits with status 2.
 */

/** A range in a source text. Lines and columns are 1-based; offsets are 0-based, `end` exclusive. */
export interface SourceSpan {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** The text a span points into, with an optional file name for messages. */
export interface SourceText {
  readonly text: string;
  readonly file?: string;
}

export type ErrorCode =
  | 'syntax' // malformed input
  | 'incomplete' // input ended early (`A*exp(`): the REPL keeps reading
  | 'unknown-function'
  | 'arity'
  | 'unknown-name'
  | 'type' // e.g. a string where a number is needed
  | 'shape' // arrays that do not broadcast
  | 'value' // a bad number: NaN in data, min > max, ...
  | 'option' // an invalid option
  | 'io' // file not found / unreadable / bad format
  | 'usage';

/**
 * What an error is about, as values, so that a front end words it its own way without parsing the message
 * (`showPathAsWritten` in src/script names a file as the script wrote it). Every field is optional; a layer adds
 * the ones it knows.
 */
export interface ErrorDetail {
  /** The file the message starts with (`<file>: <reason>`): a path, or `x.npz[a]` for a member of an archive. */
  readonly file?: string;
  /** The API function the message starts with (`loadResult: <reason>`). */
  readonly function?: string;
  /** The message after its `<file>: ` or `<function><separator>` prefix. */
  readonly reason?: string;
  /** Between `function` and `reason` in the message: `': '`, or `' '` (`crBasis x[2] is NaN`). */
  readonly separator?: string;
  /** The offending value. */
  readonly value?: unknown;
  /** 1-based position in `file`, where the error is about a place in it (a line of a table). */
  readonly line?: number;
  readonly column?: number;
  readonly [key: string]: unknown;
}

export interface ExprfitErrorOptions {
  readonly span?: SourceSpan;
  readonly source?: SourceText;
  readonly hints?: readonly string[];
  readonly cause?: unknown;
  readonly detail?: ErrorDetail;
}

/** A user-facing error. `format()` gives `file:line:col: message`, the source line and a caret. */
export class ExprfitError extends Error {
  readonly code: ErrorCode;
  readonly span?: SourceSpan;
  readonly source?: SourceText;
  /** Extra lines shown after the caret, e.g. `expected one of: ...` or `did you mean 'exp'?`. */
  readonly hints: readonly string[];
  /** What the error is about, as values (see {@link ErrorDetail}); `{}` when the layer gave none. */
  readonly detail: ErrorDetail;

  constructor(code: ErrorCode, message: string, opts: ExprfitErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ExprfitError';
    this.code = code;
    this.span = opts.span;
    this.source = opts.source;
    this.hints = opts.hints ?? [];
    this.detail = opts.detail ?? {};
  }

  /** The same error attached to a source text (used when an inner layer did not know the file). */
  withSource(source: SourceText): ExprfitError {
    if (this.source) return this;
    return new ExprfitError(this.code, this.message, {
      span: this.span,
      source,
      hints: this.hints,
      cause: this,
      detail: this.detail,
    });
  }

  /**
   * The same error with its message rewritten by `rewrite` (a caller naming what the inner layer could not:
   * the argument, the script's spelling of a function or option); span, source and hints are kept.
   */
  withMessage(rewrite: (message: string) => string): ExprfitError {
    return this.reworded(rewrite(this.message));
  }

  /**
   * The same error with a new message built by the caller from {@link detail} (never by parsing the message),
   * and `detail` updated with `changes`; code, span, source and hints are kept.
   */
  reworded(message: string, changes: ErrorDetail = {}): ExprfitError {
    return new ExprfitError(this.code, message, {
      span: this.span,
      source: this.source,
      hints: this.hints,
      cause: this,
      detail: { ...this.detail, ...changes },
    });
  }

  /**
   * The same error placed at `span` in `source` (a caller that knows where in the user's text the inner layer's
   * error happened); code, message, hints and detail are kept, `extraHints` come after the hints.
   */
  placed(
    span: SourceSpan | undefined,
    source: SourceText | undefined,
    extraHints: readonly string[] = [],
  ): ExprfitError {
    return new ExprfitError(this.code, this.message, {
      span,
      source,
      hints: [...this.hints, ...extraHints],
      cause: this,
      detail: this.detail,
    });
  }

  /** Human-readable, multi-line: `file:line:col: error: message`, source line, caret, hints. */
  format(): string {
    const lines: string[] = [];
    const where: string[] = [];
    if (this.source?.file) where.push(this.source.file);
    if (this.span) where.push(String(this.span.line), String(this.span.column));
    lines.push(`${where.length ? where.join(':') + ': ' : ''}error: ${this.message}`);
    if (this.span && this.source) {
      const srcLine = this.source.text.split(/\r?\n/)[this.span.line - 1] ?? '';
      const width = Math.max(
        1,
        Math.min(this.span.end - this.span.start, srcLine.length - this.span.column + 1),
      );
      lines.push(`  ${srcLine}`);
      // keep tabs in the indentation of the caret so that it lines up under tab-indented source
      const indent = srcLine.slice(0, Math.max(0, this.span.column - 1)).replace(/[^\t]/g, ' ');
      lines.push(`  ${indent.padEnd(Math.max(0, this.span.column - 1))}${'^'.repeat(width)}`);
    }
    for (const h of this.hints) lines.push(`  ${h}`);
    return lines.join('\n');
  }
}

/** Builds a span from 0-based offsets in `text` (computes line and column). */
export function spanAt(text: string, start: number, end: number = start + 1): SourceSpan {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start, end, line, column: start - lineStart + 1 };
}

/**
 * What a check names in its message: a plain name (`'x'`, `'array'`), or a name inside an API function
 * (`{ function: 'crBasis', name: 'x' }`: `crBasis x[2] is NaN`), whose errors are then built by
 * `functionError` with `detail.function`, `detail.separator` and `detail.reason`. A function subject
 * without `name` (`{ function: 'crBasis' }`) gives `crBasis: <reason>`.
 */
export type Subject = string | { readonly function: string; readonly name?: string };

/** The name a check's reason uses for `s`, without its function: `'x'` of `crBasis x`. */
export function subjectName(s: Subject): string {
  return typeof s === 'string' ? s : (s.name ?? '');
}

/** `s` with another name in the same function (`x` → `x[2]`). */
export function subjectNamed(s: Subject, name: string): Subject {
  return typeof s === 'string' ? name : { function: s.function, name };
}

/** What an error of a check or of an API function adds to its reason. */
export interface ReasonOptions {
  /** The offending value (`detail.value`). */
  readonly value?: unknown;
  readonly hints?: readonly string[];
}

/**
 * The error of a check on `s`: `reason` (written with {@link subjectName}, `x[2] is NaN`) is the message for a
 * plain name, and comes after the function's name for a function subject (see {@link functionError}).
 */
export function subjectError(
  code: ErrorCode,
  s: Subject,
  reason: string,
  opts: ReasonOptions = {},
): ExprfitError {
  if (typeof s !== 'string') {
    return functionError(code, s.function, reason, { ...opts, separator: s.name ? ' ' : ': ' });
  }
  return new ExprfitError(code, reason, { hints: opts.hints, detail: valueDetail(opts) });
}

/**
 * An error of the API function `fn`, built from its parts: the message is `<fn><separator><reason>`
 * (`loadResult: <reason>`; separator `' '` for `crBasis x[2] is NaN`) and `detail` holds `function`,
 * `separator`, `reason` and `value` (when given), so a caller words it its own way (the script's `cr`).
 */
export function functionError(
  code: ErrorCode,
  fn: string,
  reason: string,
  opts: ReasonOptions & { readonly separator?: string } = {},
): ExprfitError {
  const separator = opts.separator ?? ': ';
  return new ExprfitError(code, `${fn}${separator}${reason}`, {
    hints: opts.hints,
    detail: { function: fn, separator, reason, ...valueDetail(opts) },
  });
}

function valueDetail(opts: ReasonOptions): ErrorDetail {
  return 'value' in opts ? { value: opts.value } : {};
}
