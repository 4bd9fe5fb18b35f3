/**
 * Terminal output helpers: colours only on a TTY and never when NO_COLOR is set (https://no-color.org), and
 * error printing (an ExprfitError's message, source line and caret; never a stack trace unless --debug).
 */
import { ExprfitError } from '../core/index.ts';

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Whether to colour text written to `stream`. */
export function useColor(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const PLAIN: Style = { red: (s) => s, yellow: (s) => s, bold: (s) => s, dim: (s) => s };
const COLOR: Style = { red: wrap(31, 39), yellow: wrap(33, 39), bold: wrap(1, 22), dim: wrap(2, 22) };

export function styleFor(stream: Stream): Style {
  return useColor(stream) ? COLOR : PLAIN;
}

/** An ExprfitError's text (file:line:col, message, source line, caret, hints), coloured for `style`. */
export function formatError(err: ExprfitError, style: Style = PLAIN): string {
  const lines = err.format().split('\n');
  return lines
    .map((l, i) => {
      if (i === 0) return l.replace(/error:/, style.red(style.bold('error:')));
      if (/^\s*\^+$/.test(l)) return style.red(l);
      return l;
    })
    .join('\n');
}

/** `warning: ...` in yellow. */
export function formatWarning(text: string, style: Style = PLAIN): string {
  return text.replace(/^warning:/, style.yellow('warning:'));
}

/**
 * Text for any thrown value: ExprfitErrors as themselves; anything else is an internal error, shown with its
 * stack only when `debug`.
 */
export function describeError(err: unknown, style: Style, debug: boolean): string {
  if (err instanceof ExprfitError) {
    let text = formatError(err, style);
    if (debug) {
      let cause: unknown = err;
      while (cause instanceof Error) {
        if (cause.stack) text += `\n${style.dim(cause.stack)}`;
        cause = cause.cause;
      }
    }
    return text;
  }
  const message = err instanceof Error ? err.message : String(err);
  let text = `${style.red(style.bold('error:'))} internal error: ${message}`;
  if (debug && err instanceof Error && err.stack) text += `\n${style.dim(err.stack)}`;
  else
    text +=
      '\n  this is a bug in exprfit; run again with --debug to see where it happened, and please report it';
  return text;
}
