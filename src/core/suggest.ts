/** "Did you mean ...?" suggestions by edit distance. */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), at most `limit + 1`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

/**
 * The closest candidates to `word` (ties all returned, sorted), or none when nothing is close: a
 * case-insensitive match wins outright; otherwise the distance may be at most 1 for short words and about a
 * third of the length for longer ones. Ties go to the names sharing the longest prefix with `word`.
 */
export function closestMatches(word: string, candidates: Iterable<string>): string[] {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best = limit + 1;
  let found: string[] = [];
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase(), limit);
    if (d < best) {
      best = d;
      found = [c];
    } else if (d === best && !found.includes(c)) {
      found.push(c);
    }
  }
  if (best > limit) return [];
  // among equally close names, prefer those sharing the longest prefix with the word (`sinn` → sin, sinh)
  const prefix = (c: string) => {
    let k = 0;
    while (k < c.length && k < lower.length && c[k].toLowerCase() === lower[k]) k++;
    return k;
  };
  const longest = Math.max(...found.map(prefix));
  return found.filter((c) => prefix(c) === longest).sort();
}

/** `did you mean 'exp'?`, `did you mean 'ln' or 'log'?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const found = closestMatches(word, candidates).slice(0, 3);
  if (found.length === 0) return undefined;
  const quoted = found.map((f) => `'${f}'`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
  return `did you mean ${list}?`;
}
