import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, FIXTURES, ROOT, cleanup, cli, copyToTemp, hasStackTrace } from './helpers.ts';

let dir: string;
beforeAll(() => {
  dir = copyToTemp(FIXTURES);
});
afterAll(() => cleanup(dir));

const fixture = (name: string) => join(dir, name);

describe('exprfit run', () => {
  it('runs a script: report and print on stdout, notes on stderr, files written, exit 0', async () => {
    const r = await cli(['run', fixture('good.fit')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^0\.7\d+\n/);
    expect(r.stdout).toContain('[[Variables]]');
    expect(r.stdout).toMatch(/k:\s+0\.7/);
    expect(r.stderr).toMatch(/fit 1: converged/);
    expect(r.stderr).toMatch(/wrote .*out\/result\.json/);
    expect(r.stderr).toMatch(/wrote .*out\/model\.npy/);
    expect(existsSync(join(dir, 'out', 'model.npy'))).toBe(true);
    const saved = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'));
    expect(saved.params.k.value).toBeCloseTo(0.7, 2);
  });

  it('--json prints {"fits": [...]} on stdout and nothing else', async () => {
    const r = await cli(['run', fixture('good.fit'), '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['fits']);
    expect(out.fits).toHaveLength(1);
    const fit = out.fits[0];
    for (const k of [
      'params',
      'chi2',
      'redchi',
      'r2',
      'aic',
      'bic',
      'ndata',
      'nfree',
      'nfev',
      'success',
      'termination',
      'message',
      'covariance',
    ]) {
      expect(fit).toHaveProperty(k);
    }
    expect(fit.params.A).toMatchObject({ min: 0, max: null, fixed: false, expr: null });
    expect(fit.covariance.names).toEqual(['A', 'k', 'c']);
    expect(fit.success).toBe(true);
    // print and report went to stderr
    expect(r.stderr).toContain('[[Variables]]');
  });

  it('--quiet drops the notes', async () => {
    const r = await cli(['run', fixture('good.fit'), '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('[[Variables]]');
  });

  it('exits 3 when a fit does not converge, still saving and reporting it', async () => {
    const r = await cli(['run', fixture('notconverged.fit'), '--json']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/warning: fit 1 did not converge \(maxfev\)/);
    const out = JSON.parse(r.stdout);
    expect(out.fits[0].success).toBe(false);
    expect(out.fits[0].termination).toBe('maxfev');
    expect(existsSync(join(dir, 'out', 'result.json'))).toBe(true);
  });

  it('a syntax error: file, line, column, source line and caret on stderr; exit 2; no stack trace', async () => {
    const r = await cli(['run', fixture('syntax.fit')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/syntax\.fit:2:22: error: unexpected '\)'/);
    expect(lines[1]).toBe('  model y = A*exp(-k*x)) + c');
    expect(lines[2]).toBe('                       ^');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a name error late in the script stops the run before anything is written', async () => {
    const r = await cli(['run', fixture('late-error.fit')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/late-error\.fit:5:11: error: unknown name 'Kk'/);
    expect(r.stderr).toContain('  print A + Kk\n            ^^');
    expect(r.stderr).toMatch(/did you mean 'k'\?/);
    expect(existsSync(join(dir, 'out', 'early.json'))).toBe(false);
  });

  it('a runtime error names the shapes and the place', async () => {
    const r = await cli(['run', fixture('runtime-error.fit')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/runtime-error\.fit:3:5: error: shapes do not broadcast: u \[7\], y \[30\]/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('--set overrides a variable and a parameter start; an unknown name is a usage error', async () => {
    const r = await cli(['run', fixture('override.fit'), '--set', 'n=9', '--set', 'k=0.5', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^9$/m);
    expect(JSON.parse(r.stdout).fits[0].params.k.init).toBe(0.5);
    const bad = await cli(['run', fixture('override.fit'), '--set', 'kk=1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--set kk: the script neither assigns 'kk' nor declares it/);
    const malformed = await cli(['run', fixture('override.fit'), '--set', 'k']);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/expected NAME=VALUE/);
  });

  it.each([
    ['k', /^error: --set k: expected NAME=VALUE\n/],
    ['=3', /^error: --set =3: the name before = is missing\n/],
    ['2k=3', /^error: --set 2k=3: '2k' is not a name\n/],
    ['k=', /^error: --set k=: no value after 'k='\n/],
    ['k=abc', /^error: --set k=abc: the value 'abc' is not a number: unknown name 'abc'\n/],
    ['k=exp(', /^error: --set k=exp\(: the value 'exp\(' is not a number: unexpected end of input\n/],
    ['kk=1', /^error: --set kk: the script neither assigns 'kk' nor declares it with 'param'\n/],
    ['k=nan', /error: --set k: the start value of parameter 'k' must be finite, got NaN\n/],
  ])('--set %s: a clear message naming the value, exit 2', async (arg, message) => {
    const r = await cli(['run', fixture('override.fit'), '--set', arg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/exprfit eval/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a binary file is not a script: a clear error, exit 2, no garbage printed', async () => {
    writeFileSync(
      join(dir, 'image.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
    );
    writeFileSync(join(dir, 'garbage.fit'), Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x31, 0x0a, 0x00, 0xff]));
    writeFileSync(join(dir, 'latin1.fit'), Buffer.from('x = 1 # caf\xe9\n', 'latin1'));
    const cases: [string, string][] = [
      [join(ROOT, 'examples/data/spot.npy'), 'a NumPy .npy array'],
      [fixture('image.png'), 'a PNG image'],
      [fixture('garbage.fit'), 'binary data'],
      [fixture('latin1.fit'), 'binary data \\(not UTF-8 text\\)'],
    ];
    for (const [file, kind] of cases) {
      for (const cmd of ['run', 'check']) {
        const r = await cli([cmd, file]);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(
          new RegExp(`^error: .*: not a text \\.fit file \\(it looks like ${kind}\\)\n`),
        );
        expect(r.stderr).not.toMatch(/unexpected character|NUMPY/);
        expect(hasStackTrace(r.stderr)).toBe(false);
      }
    }
  });

  it('a data file run as a script says that it is data', async () => {
    const r = await cli(['run', join(ROOT, 'examples/data/decay.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /decay\.csv looks like a data file, not a \.fit script: read it from a script with data "decay\.csv"/,
    );
  });

  it('file problems exit 2 with a message', async () => {
    const r = await cli(['run', fixture('nothere.fit')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothere\.fit: file not found/);
  });

  it('the spots statement runs the spot pipeline; a bad option is an error with a caret', async () => {
    const r = await cli(['run', fixture('spots.fit')]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^spots img: 0 spots, 0 converged/m);
    const bad = await cli(['repl'], { input: 'img = zeros([10, 10])\nspots img roi=0\n' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /1:15: error: spots option 'roi' must be an integer >= 1, got 0\n {2}spots img roi=0\n {16}\^/,
    );
  });

  it('writes no colour codes when the output is not a terminal', async () => {
    const r = await cli(['run', fixture('syntax.fit')], { env: { NO_COLOR: undefined } });
    expect(r.stderr).not.toContain('\x1b[');
  });
});

describe('exprfit check', () => {
  it('accepts a good script', async () => {
    const r = await cli(['check', fixture('good.fit')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/good\.fit: ok \(8 statements, 1 fit\)/);
  });

  it('notes undeclared parameters', async () => {
    const r = await cli(['check', fixture('late-error.fit')]);
    expect(r.status).toBe(2);
    const ok = await cli(['check', fixture('notconverged.fit')]);
    expect(ok.status).toBe(0);
    const implicit = await cli(['check', fixture('override.fit')]);
    expect(implicit.stderr).toMatch(/'A', 'c' are not declared with 'param'/);
  });

  it.each([['-q'], ['--quiet']])(
    '%s prints nothing for a fine script, notes included; errors still',
    async (q) => {
      const implicit = await cli(['check', q, fixture('override.fit')]);
      expect(implicit.status).toBe(0);
      expect(implicit.stdout).toBe('');
      expect(implicit.stderr).toBe('');
      const bad = await cli(['check', q, fixture('syntax.fit')]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/syntax\.fit:2:22: error:/);
    },
  );

  it('reports problems with a caret and exit 2, without fitting or writing', async () => {
    const r = await cli(['check', fixture('syntax.fit')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/syntax\.fit:2:22: error:/);
  });
});

describe('exprfit eval and diff', () => {
  const evals: [string[], string][] = [
    [['1+1'], '2'],
    [['0.1+0.2'], '0.30000000000000004'],
    [['a*x^2', 'a=2', 'x=3'], '18'],
    [['a*exp(-k*t)', 'a=2', 'k=0.5', 't=1'], String(2 * Math.exp(-0.5))],
    [['b', 'a=2', 'b=a^10'], '1024'],
    [['erf(0.5)'], '0.5204998778130465'],
    [['pi'], String(Math.PI)],
    [['1/0'], 'inf'],
    [['--', '-x^2', 'x=3'], '-9'],
    [['sum(linspace(0, 1, 11))'], '5.5'],
    [['[1, 2]*2'], '[2, 4]'],
  ];
  it.each(evals)('eval %j', async (args, expected) => {
    const r = await cli(['eval', ...args]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${expected}\n`);
  });

  const bad: [string[], RegExp][] = [
    [['exq(1)'], /1:1: error: unknown function 'exq'\n {2}exq\(1\)\n {2}\^\^\^\n {2}did you mean 'exp'\?/],
    [['1 +'], /error: .*\n {2}1 \+\n/],
    [['a*x', 'a=1'], /unknown name 'x'/],
    [['x', 'x'], /error: argument 'x': expected NAME=VALUE/],
    [['x', '=2'], /error: argument '=2': the name before = is missing/],
    // an error inside a NAME=VALUE argument names the argument and carets its value
    [['a', 'a=b'], /1:1: error: in argument 'a=b': unknown name 'b'\n {2}b\n {2}\^/],
    [['a', 'a=linspace(0, 1, -3)'], /in argument 'a=linspace\(0, 1, -3\)': /],
  ];
  it.each(bad)('eval %j fails with a caret and exit 2', async (args, message) => {
    const r = await cli(['eval', ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('diff prints the simplified derivative, which parses and evaluates back', async () => {
    const r = await cli(['diff', 'a*exp(-k*t)', 'k']);
    expect(r.status).toBe(0);
    const d = r.stdout.trim();
    const v = await cli(['eval', d, 'a=2', 'k=0.5', 't=3']);
    expect(Number(v.stdout)).toBeCloseTo(-2 * 3 * Math.exp(-1.5), 12);
    expect((await cli(['diff', 'x^3', 'x'])).stdout.trim()).toMatch(/^3\*x\^2$/);
    expect((await cli(['diff', 'sin(x)', 'y'])).stdout.trim()).toBe('0');
  });

  it('diff errors exit 2', async () => {
    const r = await cli(['diff', 'sin(x', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error:/);
    expect((await cli(['diff', 'x', '2x'])).status).toBe(2);
  });
});

describe('usage', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const r = await cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([[[]], [['run']], [['check']], [['repl']], [['eval']], [['diff']]])(
    '--help %j shows examples',
    async (cmd) => {
      const r = await cli([...cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: exprfit/);
      expect(r.stdout).toContain('Examples:');
    },
  );

  it.each([[['--help']], [['run', '--help']], [['run', 'good.fit']], [['eval', '1+1']]])(
    'a closed stdout (exprfit %j | head -1) ends quietly, without a stack trace',
    async (args) => {
      // the reader is gone before exprfit writes anything: every write to stdout fails with EPIPE
      const argv = args.map((a) => (a.endsWith('.fit') ? fixture(a) : a));
      const child = spawn(process.execPath, [BIN, ...argv], {
        cwd: ROOT,
        env: { ...process.env, EXPRFIT_HISTORY: '' },
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const status = await new Promise<number | null>((done) => child.on('close', done));
      expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
      expect(hasStackTrace(stderr)).toBe(false);
      expect(status).toBe(0);
    },
  );

  it('usage errors exit 2', async () => {
    expect((await cli(['frobnicate'])).status).toBe(2);
    expect((await cli(['run'])).status).toBe(2);
    expect((await cli(['run', 'a.fit', '--nope'])).status).toBe(2);
  });
});
