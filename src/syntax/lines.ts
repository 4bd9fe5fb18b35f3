import type { SourceSpan } from '../core/index.ts';

/**
 * Line starts of a text, for turning offsets into spans in O(log lines). Lines end at `\n` only, as in
 * `spanAt` (src/core/errors.ts), so both agree.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** The span of `[start, end)`; line and column are those of `start`. */
  span(start: number, end: number = start + 1): SourceSpan {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    return { start, end, line: lo + 1, column: start - starts[lo] + 1 };
  }
}
