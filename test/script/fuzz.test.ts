/**
 * Fuzzing the whole text → result path: random token sequences and mutations of the examples, run through
 * the script interpreter (parse, check, evaluate, fit, save). Every input must end in a result or an
 * `ExprfitError` (never a TypeError, RangeError, "internal error" or a hang), within a time bound.
 *
 * Fixed seed, a few thousand cases in the normal suite. More: `FUZZ_CASES=20000 FUZZ_SEED=7 npx vitest run
 * test/script/fuzz.test.ts`. A failure prints the input, so it can be added to a table test where it belongs.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExprfitError } from '../../src/core/errors.ts';
import { Interpreter } from '../../src/script/interpreter.ts';
import { checkStatements } from '../../src/script/check.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { mulberry32 as rng } from '../../src/solver/multistart.ts';
import { malformedCorpus } from '../data/malformed.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const CASES = Number(process.env.FUZZ_CASES ?? 1500);
/** A single case may take this long (fits of mutated examples included); a hang fails the test. */
const CASE_MS = 5_000;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Tokens of the expression and script language, plus hostile values and names. */
const TOKENS = [
  'x',
  'y',
  'a',
  'b',
  'tau',
  'A',
  'img',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0',
  '1',
  '2.5',
  '1e308',
  '1e-320',
  '-1',
  'inf',
  'nan',
  'pi',
  'e',
  '1e9',
  '0.0',
  '+',
  '-',
  '*',
  '/',
  '^',
  '(',
  ')',
  '[',
  ']',
  ',',
  ':',
  '=',
  '==',
  '<',
  '>',
  '.',
  ';',
  '#',
  '"',
  "'",
  'exp',
  'log',
  'sqrt',
  'sin',
  'gamma',
  'polygamma',
  'erf',
  'abs',
  'max',
  'min',
  'sum',
  'mean',
  'linspace',
  'zeros',
  'ones',
  'grid',
  'cr',
  'gaussfilter',
  'gausskernel',
  'smooth',
  'spline',
  'load',
  'param',
  'model',
  'fit',
  'print',
  'report',
  'data',
  'save',
  'to',
  'in',
  'fix',
  'set',
  'function',
  '\n',
  ' ',
  '  ',
  '\t',
];

function tokenCase(r: () => number): string {
  const n = 1 + Math.floor(r() * 24);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, TOKENS) + (r() < 0.6 ? ' ' : '');
  return s;
}

/** Mostly the first (valid) choice, sometimes a hostile one: scripts that get past parsing into the fit. */
const usually = <T>(r: () => number, good: T, bad: readonly T[]): T => (r() < 0.7 ? good : pick(r, bad));

/** A small structured script that parses more often than random tokens do, with random holes. */
function templateCase(r: () => number): string {
  const expr = () => Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(r, TOKENS)).join(' ');
  const fn = () => pick(r, ['gamma', 'polygamma', 'lgamma', 'erf', 'log', 'exp', 'sqrt', 'besselj', 'zeta']);
  const num = () =>
    pick(r, ['0', '1', '-1', '0.5', '1e300', '-1e300', '1e9', '1e-320', 'inf', 'nan', '171', '3']);
  return [
    `x = linspace(${usually(r, '0', ['-1', '1e300', 'nan'])}, ${usually(r, '10', ['1', 'inf', '0'])}, ${usually(r, '20', ['5', '1', '0', '-3', '1e9'])})`,
    `y = ${usually(r, '3*exp(-x/2) + 1', ['2*x + 1', 'nan*x', '1e308*x*x', 'x', '0*x'])}`,
    `param a = ${usually(r, '1', ['0', 'inf', '-1', '1e-300'])}${usually(r, '', [' in [0, 10]', ' in [inf, inf]', ' in [1, 0]', ' in [-inf, 1]'])}`,
    `param b = ${usually(r, '0.3', ['1e-3', '0', '1e300', '-5'])}`,
    usually(r, '', [`param c = a + b`, `param c = ${expr()}`, `param d = 2*a in [0, 1]`]),
    `model y = a*${usually(r, 'exp(-b*x) + 1', ['x', 'x + b', '(x - b)^2', `${fn()}(b*x)`, expr()])}`,
    usually(r, 'fit', [
      'fit method=lbfgsb',
      'fit method=nelder',
      'fit loss=cauchy',
      'fit starts=3',
      `fit ${expr()}`,
    ]),
    usually(r, 'print a', [
      'report',
      `print ${expr()}`,
      `print ${fn()}(${num()}, ${num()})`,
      `print ${fn()}(${num()})`,
    ]),
  ].join('\n');
}

const EXAMPLES_DIR = join(import.meta.dirname, '../../examples');
const work = mkdtempSync(join(tmpdir(), 'exprfit-fuzz-'));
cpSync(join(EXAMPLES_DIR, 'data'), join(work, 'data'), { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The malformed-file corpus (test/data/malformed.ts: bad npz, FITS, TIFF, PNG, deep JSON, ...), written to `work`. */
const MALFORMED = malformedCorpus().map((c) => {
  writeFileSync(join(work, c.name), c.bytes);
  return c.name;
});

/** `x+x+...` with n terms (the issue's 3,000-term sum), or `1+2*x-...` with mixed operators. */
function longSum(r: () => number, n: number): string {
  const ops = ['+', '-', '*', '+'];
  return Array.from(
    { length: n },
    (_, i) => (i ? pick(r, r() < 0.8 ? ['+'] : ops) : '') + pick(r, ['x', '1', 'a', '2.5']),
  ).join('');
}

/** `f(f(...(x)...))` or `((...(x)...))` or `-(-(...))`, `depth` deep. */
function deepNest(r: () => number, depth: number): string {
  const [open, close] = pick(r, [
    ['(', ')'],
    ['exp(', ')'],
    ['-(', ')'],
    ['[', ']'],
    ['sum(', ')'],
  ] as const);
  return open.repeat(depth) + 'x' + close.repeat(depth);
}

/** One statement of the issue's classes: long sums, deep nesting, special functions at huge orders, hostile files. */
function hostileLine(r: () => number): string {
  const file = () => pick(r, ['/dev/zero', '/dev/null', '/dev/urandom', '.', 'data', ...MALFORMED]);
  const n = () => pick(r, [100, 3000, 10_000]);
  const depth = () => pick(r, [50, 400, 600, 5000]);
  const big = () => pick(r, ['1e300', '1e9', '-1e9', '1e-300', 'inf', 'nan', '0.5', '2']);
  return pick(r, [
    () => `print ${longSum(r, n())}`,
    () => `model y = a*x + ${longSum(r, n())}`,
    () => `print ${deepNest(r, depth())}`,
    () => `model y = a*${deepNest(r, depth())}`,
    () => `print polygamma(${big()}, ${big()})`,
    () => `model y = polygamma(a, x) + b`,
    () => `z = load("${file()}")`,
    () => `data "${file()}"`,
    () => `print sum(gaussfilter(ones([5, 5]), ${big()}))`,
    () => `print sum(gaussfilter(ones([5, 5]), 1, "constant", 0, ${big()}))`,
    () => `print sum(cr(linspace(0, 1, 10), ${big()}))`,
    () => `print zeros([${big()}, ${big()}])`,
  ])();
}

/** A small fit script with one to three hostile statements in random places. */
function hostileCase(r: () => number): string {
  const lines = [
    'x = linspace(0, 10, 20)',
    'y = 3*exp(-x/2) + 1',
    'param a = 1, b = 0.3',
    'model y = a*exp(-b*x)',
  ];
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    lines.splice(Math.floor(r() * (lines.length + 1)), 0, hostileLine(r));
  }
  return [...lines, usually(r, 'fit', ['fit method=lbfgsb', 'report'])].join('\n');
}

/** The examples without their plot lines (plots are slow and have their own tests). */
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.fit'))
  .map((f) =>
    readFileSync(join(EXAMPLES_DIR, f), 'utf8')
      .split('\n')
      .filter((l) => !/^\s*plot\b/.test(l) && !/^\s*spots\b/.test(l))
      .join('\n'),
  );

function mutate(r: () => number, text: string): string {
  const edits = 1 + Math.floor(r() * 3);
  let s = text;
  for (let k = 0; k < edits; k++) {
    const i = Math.floor(r() * (s.length + 1));
    const kind = r();
    if (kind < 0.3)
      s = s.slice(0, i) + s.slice(i + 1 + Math.floor(r() * 4)); // delete a few characters
    else if (kind < 0.6)
      s = s.slice(0, i) + pick(r, TOKENS) + s.slice(i); // insert a token
    else if (kind < 0.8) {
      const j = Math.floor(r() * s.length);
      s = s.slice(0, i) + s.slice(j, j + Math.floor(r() * 12)) + s.slice(i); // duplicate a piece
    } else s = s.slice(0, i) + String.fromCharCode(32 + Math.floor(r() * 95)) + s.slice(i + 1); // replace
  }
  return s;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

async function runCase(text: string): Promise<Outcome> {
  try {
    const file = join(work, 'case.fit');
    const statements = parseScript(text, file);
    await checkStatements(statements, { text, file }, { baseDir: work });
    const interp = new Interpreter({ baseDir: work });
    await interp.runText(text, file);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Why an outcome is a defect, or undefined when it is a result or a clean user error. */
function defect(outcome: Outcome, ms: number): string | undefined {
  if (ms > CASE_MS) return `took ${ms.toFixed(0)} ms (bound ${CASE_MS} ms)`;
  if (outcome.ok) return undefined;
  const err = outcome.error;
  if (!(err instanceof ExprfitError)) return `not an ExprfitError: ${String((err as Error)?.stack ?? err)}`;
  if (/internal error/i.test(err.message)) return `internal error: ${err.message}`;
  return undefined;
}

/** With FUZZ_STATS set, how the cases ended (so a change of generator can be seen to still reach fits). */
const stats = new Map<string, number>();
function count(label: string, outcome: Outcome): void {
  const key = `${label} ${outcome.ok ? 'ok' : ((outcome.error as ExprfitError).code ?? 'thrown')}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
}
afterAll(() => {
  if (process.env.FUZZ_STATS) console.log(Object.fromEntries(stats));
});

async function fuzz(label: string, make: (r: () => number, i: number) => string, cases: number) {
  const failures: string[] = [];
  for (let i = 0; i < cases && failures.length < 5; i++) {
    const r = rng(SEED * 7919 + i * 104729 + label.length);
    const text = make(r, i);
    const t0 = performance.now();
    const outcome = await runCase(text);
    const why = defect(outcome, performance.now() - t0);
    count(label, outcome);
    if (why) failures.push(`case ${label}#${i} (seed ${SEED}):\n${text}\n→ ${why}`);
  }
  expect(failures, failures.join('\n\n')).toEqual([]);
}

describe('fuzz: every input ends in a result or an ExprfitError, in bounded time', () => {
  it('random token sequences', { timeout: 120_000 }, async () => {
    await fuzz('tokens', tokenCase, CASES);
  });
  it('small scripts with random holes', { timeout: 120_000 }, async () => {
    await fuzz('template', templateCase, Math.ceil(CASES / 3));
  });
  it(
    'long sums, deep nesting, huge orders and malformed or endless files',
    { timeout: 120_000 },
    async () => {
      await fuzz('hostile', hostileCase, Math.ceil(CASES / 20));
    },
  );
  it('mutations of the examples', { timeout: 120_000 }, async () => {
    await fuzz('mutation', (r, i) => mutate(r, EXAMPLES[i % EXAMPLES.length]), Math.ceil(CASES / 5));
  });
});
