import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliAsync, hasStackTrace } from '../cli/helpers.ts';
import { PassThrough } from 'node:stream';
import { makeCompleter } from '../../src/repl/completer.ts';
import { startRepl } from '../../src/repl/repl.ts';
import { Session } from '../../src/repl/session.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'exprfit-repl-'));
  writeFileSync(join(dir, 'points.csv'), 't,y\n0,5\n1,3.1\n2,2.05\n3,1.5\n4,1.2\n5,1.02\n');
  writeFileSync(
    join(dir, 'line.fit'),
    'data "points.csv"\nmodel y = A*exp(-k*t) + c\nparam A = 4, k = 0.5, c = 1\nfit\n',
  );
  mkdirSync(join(dir, 'sub'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function repl(input: string, env: Record<string, string | undefined> = {}) {
  return cliAsync(['repl'], { cwd: dir, input, env });
}

describe('exprfit repl with piped input', () => {
  it('runs statements, prints bare expressions, continues multi-line input and exits at the end of input', async () => {
    const r = await repl(
      [
        'x = linspace(0, 4, 5)',
        'x^2',
        'y = 2*x +',
        '  1',
        'print y',
        'sum(',
        '  y',
        ')',
        'a = 0.1 + 0.2',
        'a',
      ].join('\n') + '\n',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      ['[0, 1, 4, 9, 16]', '[1, 3, 5, 7, 9]', '25', '0.30000000000000004', ''].join('\n'),
    );
  });

  it('an error prints its message and caret, and the session goes on', async () => {
    const r = await repl('b = exq(2)\nb = exp(0)\nb + 1\n');
    expect(r.stdout).toBe('2\n');
    expect(r.stderr).toMatch(
      /1:5: error: unknown function 'exq'\n {2}b = exq\(2\)\n {6}\^\^\^\n {2}did you mean 'exp'\?/,
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    // piped sessions with errors end with status 2
    expect(r.status).toBe(2);
  });

  it('reports input that ends inside a statement', async () => {
    const r = await repl('y = exp(\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: unexpected end of input/);
  });

  it('an unterminated string is an error at once, with a caret; the next line is a new statement', async () => {
    const r = await repl('data "points.csv\nx = 2\nx + 1\ny = exp(\n  x)\ny\n');
    expect(r.stderr).toMatch(/1:6: error: unterminated string\n {2}data "points\.csv\n {7}\^+/);
    expect(r.stderr).not.toMatch(/unexpected end of input/);
    // 'x = 2' ran as its own statement; open brackets still continue on the next line
    expect(r.stdout).toBe(`3\n${Math.exp(2)}\n`);
    expect(r.status).toBe(2);
  });

  it(".load runs a script like :load; node's other dot commands are errors that count", async () => {
    const r = await repl('.load line.fit\nprint k > 0\n.save x.js\n.editor\n:load nothere.fit\n');
    expect(r.stdout).toMatch(/^fit 1: converged/);
    expect(r.stdout).toMatch(/^1$/m);
    expect(r.stdout).not.toContain('Invalid REPL keyword');
    expect(r.stderr).toContain('error: .save is not an exprfit command\n  the commands are :help');
    expect(r.stderr).toContain('error: .editor is not an exprfit command');
    // the file as typed, not its absolute path
    expect(r.stderr).toContain('error: nothere.fit: file not found');
    expect(r.status).toBe(2);
  });

  it('an unknown .command is an exprfit error that counts, with the closest command (in process)', async () => {
    const input = new PassThrough();
    let out = '';
    let err = '';
    const output = new PassThrough();
    output.on('data', (d: Buffer) => (out += d.toString()));
    const status = startRepl({
      input,
      output,
      errorOutput: { write: (t: string) => ((err += t), true) },
      terminal: false,
      history: false,
    });
    input.end('x = 1\n.foo\n.quit\n.5 + x\n');
    expect(await status).toBe(2);
    expect(out).toBe('1.5\n');
    expect(err).not.toContain('Invalid REPL keyword');
    expect(err).toContain('error: .foo is not an exprfit command\n  the commands are :help, :vars');
    expect(err).toContain("error: .quit is not an exprfit command\n  did you mean ':quit'?");
  });

  it(':help, :help NAME, :vars, :params, :load, :reset', async () => {
    const r = await repl(
      [
        ':help',
        ':help fit',
        ':help linspace',
        ':help erf',
        ':load line.fit',
        ':params',
        ':vars',
        'print k',
        ':reset',
        ':vars',
        ':help nosuch',
      ].join('\n') + '\n',
    );
    const out = r.stdout;
    expect(out).toMatch(/^Statements:\n {2}data /);
    expect(out).toContain('fit method=lm|lbfgsb|nelder');
    expect(out).toContain('linspace(start, stop, n?)');
    expect(out).toMatch(/erf\(x\)/);
    expect(out).toMatch(/fit 1: converged/);
    expect(out).toMatch(/ {2}k {2}start 0\.5 {3}fitted 0\.6\d* \+\/- /);
    expect(out).toMatch(/ {2}t {10}\[0, 1, 2, 3, 4, 5\]/);
    expect(out).toMatch(/\n0\.6\d+\n/);
    expect(out).toMatch(/session reset\nno variables yet\n/);
    expect(r.stderr).toMatch(/error: no help for 'nosuch'/);
  });

  it(':params and :vars line up in columns, also for long names', async () => {
    const r = await repl(
      'data "points.csv"\nparam amplitude = 4 in [0, inf], k = 0.5\nparam c = 1\nmodel y = amplitude*exp(-k*t) + c\nfit\n:params\nlong_variable_name = 3\n:vars\n',
    );
    const rows = r.stdout.split('\n').filter((l) => /^ {2}(amplitude|k|c) /.test(l));
    expect(rows).toHaveLength(3);
    // the start and fitted columns begin at the same place on every row
    const at = (word: string) => new Set(rows.map((l) => l.indexOf(word)));
    expect(at('start').size).toBe(1);
    expect(at('fitted').size).toBe(1);
    expect(rows[0]).toMatch(/^ {2}amplitude {2}start 4 in \[0, inf\] {3}fitted /);
    expect(r.stdout).toMatch(/\n {2}t {19}\[0, 1, 2, 3, 4, 5\]\n/);
    expect(r.stdout).toMatch(/\n {2}residuals {11}\[/);
    expect(r.stdout).toMatch(/\n {2}long_variable_name {2}3\n/);
  });

  it('quits on :quit without running the rest', async () => {
    const r = await repl('1\n:quit\n2\n');
    expect(r.stdout).toBe('1\n');
    expect(r.status).toBe(0);
  });

  it('writes no history file when the input is not a terminal', async () => {
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const r = await repl('1 + 1\n', { HOME: home, EXPRFIT_HISTORY: undefined });
    expect(r.stdout).toBe('2\n');
    expect(existsSync(join(home, '.exprfit_history'))).toBe(false);
  });

  it('saves files relative to the current folder', async () => {
    const r = await repl('z = [1, 2, 3]\nsave z to "sub/z.csv"\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote .*sub\/z\.csv/);
    expect(existsSync(join(dir, 'sub', 'z.csv'))).toBe(true);
  });
});

describe('Session', () => {
  function session() {
    const out: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: dir });
    return { s, out, errors };
  }

  it('says when input is incomplete, then accepts the joined lines', async () => {
    const { s, out } = session();
    expect(await s.handle('model y = a*exp(\n')).toBe('incomplete');
    expect(s.pending?.code).toBe('incomplete');
    expect(await s.handle('x = [1,\n')).toBe('incomplete');
    expect(await s.handle('x = [1,\n2]\n')).toBe('ok');
    expect(await s.handle('x\n')).toBe('ok');
    expect(out).toEqual(['[1, 2]']);
  });

  it('an unterminated string is an error, not incomplete input', async () => {
    const { s, errors } = session();
    expect(await s.handle('data "points.csv\n')).toBe('error');
    expect(s.pending).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('unterminated string');
    expect(await s.handle('print "abc\n')).toBe('error');
  });

  it('runs several statements on one line and reports errors without throwing', async () => {
    const { s, out, errors } = session();
    expect(await s.handle('a = 2; b = a*3; b')).toBe('ok');
    expect(out).toEqual(['6']);
    expect(await s.handle('a +* 2')).toBe('error');
    expect(await s.handle(':nope')).toBe('error');
    expect(errors).toHaveLength(2);
    expect(s.errors).toBe(2);
  });
});

describe('completion', () => {
  async function completer() {
    const out: string[] = [];
    const s = new Session({ out: (t) => out.push(t), error: () => undefined, baseDir: dir });
    await s.handle('amplitude = 3\nparam alpha = 1\ng(u) = u^2');
    return makeCompleter(s.interp, dir);
  }

  it('completes keywords at the start of a line, and names anywhere', async () => {
    const c = await completer();
    expect(c('pa')[0]).toEqual(['param']);
    expect(c('fi')[0]).toEqual(['fit']);
    expect(c('am')[0]).toEqual(['amplitude']);
    expect(c('print al')).toEqual([['alpha'], 'al']);
    expect(c('y = lin')).toEqual([['linspace('], 'lin']);
    expect(c('y = ex')[0]).toEqual(expect.arrayContaining(['exp(', 'expm1(']));
    expect(c('y = g')[0]).toContain('g(');
    expect(c('y = gau')[0]).toEqual(expect.arrayContaining(['gausskernel(', 'gaussfilter(', 'gaussian2d(']));
    expect(c('y = pa')[0]).not.toContain('param');
  });

  it('offers the constants pi, e, inf and nan', async () => {
    const c = await completer();
    expect(c('y = e')[0]).toEqual(expect.arrayContaining(['e', 'exp(', 'erf(']));
    expect(c('y = 2*p')[0]).toContain('pi');
    expect(c('y = -in')).toEqual([['inf'], 'in']);
    expect(c('print na')).toEqual([['nan'], 'na']);
  });

  it('returns only hits that start with the word it completed (a second Tab lists those)', async () => {
    const c = await completer();
    const lines = [
      'y = lin',
      'y = linspace(',
      'y = ',
      'y = exp(-k*',
      'model y = a*exp(',
      'pa',
      'param',
      '',
      'fit ',
      'fit method=',
      'fit sigma=',
      'plot "f.svg" ',
      'data "po',
      ':',
      ':help ',
      'print am',
      'constructor ',
      'toString=x',
      'x = valueOf=',
    ];
    for (const line of lines) {
      const [hits, word] = c(line);
      expect(line.endsWith(word), line).toBe(true);
      for (const h of hits) expect(h.startsWith(word), `${line} -> ${h}`).toBe(true);
    }
    // nothing typed yet inside an expression: the session's names and the constants, not every builtin
    const [open, word] = c('y = linspace(');
    expect(word).toBe('');
    expect(open).toEqual(expect.arrayContaining(['amplitude', 'alpha', 'g(', 'pi', 'e', 'inf', 'nan']));
    expect(open).not.toContain('linspace(');
    expect(open).not.toContain('exp(');
    expect(open.length).toBeLessThan(10);
  });

  it('on a terminal, Tab Tab after a completed function name does not list every builtin', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const done = startRepl({ input, output, errorOutput: output, terminal: true, history: false });
    const type = async (text: string) => {
      input.write(text);
      await new Promise((r) => setTimeout(r, 100));
    };
    await type('wid = 2\r');
    await type('y = lins\t');
    await type('\t');
    await type('\t');
    await type('\x03'); // Ctrl-C drops the line
    await type(':quit\r');
    await done;
    const plain = shown.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
    expect(plain).toContain('y = linspace(');
    expect(plain).toMatch(/\bwid\b/); // the session's names are listed
    expect(plain).not.toContain('gaussfilter(');
    expect(plain).not.toContain('expm1(');
  });

  it('on a terminal, a long single-start fit shows its iterations on the progress line, then erases it', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let err = '';
    const errorOutput = { write: (t: string) => ((err += t), true) };
    const realNow = Date.now;
    let t = 0;
    Date.now = () => (t += 400); // every call 0.4 s later: the fit "takes" longer than the 1 s delay
    try {
      const done = startRepl({ input, output, errorOutput, terminal: true, history: false });
      input.write('x = linspace(0, 4, 30)\ry = 2*exp(-x/1.5) + 0.1\rparam A = 9, tau = 0.2, c = 0.9\r');
      input.write('model y = A*exp(-x/tau) + c\rfit\r:quit\r');
      await done;
    } finally {
      Date.now = realNow;
    }
    const shown = err.replaceAll('\r\x1b[K', '|'); // | for each erase of the line
    expect(shown).toMatch(/\|iteration \d+\|iteration \d+/);
    expect(shown).toMatch(/\|iteration \d+\|$/);
    expect(shown).not.toContain('%');
  });

  it('completes fit options and their words', async () => {
    const c = await completer();
    expect(c('fit me')).toEqual([['method='], 'me']);
    expect(c('fit method=l')).toEqual([['lm', 'lbfgsb'], 'l']);
    expect(c('fit loss=hu')).toEqual([['huber'], 'hu']);
    expect(c('fit sigma=amp')).toEqual([['amplitude'], 'amp']);
    expect(c('plot "f.svg" ti')).toEqual([['title='], 'ti']);
    expect(c('save am')).toEqual([['amplitude'], 'am']);
  });

  it('completes spots options and their words', async () => {
    const c = await completer();
    expect(c('spots img ro')[0]).toContain('roi=');
    expect(c('spots img model=ro')[0]).toContain('rotated');
    expect(c('spots img estimator=p')[0]).toContain('poisson');
  });

  it('completes file names inside quotes and after :load', async () => {
    const c = await completer();
    expect(c('data "po')).toEqual([['points.csv'], 'po']);
    expect(c('img = load("su')).toEqual([['sub/'], 'su']);
    expect(c(':load li')).toEqual([['line.fit'], 'li']);
    expect(c('data "nothing-here')).toEqual([[], 'nothing-here']);
  });

  it('completes REPL commands and help topics', async () => {
    const c = await completer();
    expect(c(':he')).toEqual([[':help'], ':he']);
    expect(c(':')[0]).toEqual([':help', ':vars', ':params', ':load', ':reset', ':quit', ':serve', ':guess']);
    expect(c(':help linsp')).toEqual([['linspace'], 'linsp']);
    expect(c(':help fi')[0]).toContain('fit');
  });
});
