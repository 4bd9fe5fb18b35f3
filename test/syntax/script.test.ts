import { describe, expect, it } from 'vitest';
import { COMMAND_KEYWORDS } from '../../grammar/tokens.ts';
import { parseScript, parseStatement } from '../../src/syntax/parse.ts';
import type { Statement } from '../../src/syntax/statements.ts';
import { errorOf, sexpr } from './helpers.ts';

/** A statement in compact form: kind plus its fields, expressions as S-expressions, spans left out. */
function compact(s: Statement): unknown {
  const opts = (o: readonly { key: string; value: Parameters<typeof sexpr>[0] }[]) =>
    o.map((x) => `${x.key}=${sexpr(x.value)}`);
  switch (s.kind) {
    case 'data':
      return { kind: s.kind, file: s.file, options: opts(s.options) };
    case 'assign':
      return { kind: s.kind, targets: s.targets, value: sexpr(s.value) };
    case 'param':
      return {
        kind: s.kind,
        decls: s.decls.map((d) => ({
          name: d.name,
          ...(d.value && { value: sexpr(d.value) }),
          ...(d.min && { min: sexpr(d.min) }),
          ...(d.max && { max: sexpr(d.max) }),
          fixed: d.fixed,
        })),
      };
    case 'model':
      return { kind: s.kind, lhs: s.lhs, rhs: sexpr(s.rhs) };
    case 'function':
      return { kind: s.kind, name: s.name, params: s.params, body: sexpr(s.body) };
    case 'fit':
      return { kind: s.kind, options: opts(s.options) };
    case 'report':
      return { kind: s.kind, ...(s.mode && { mode: s.mode }), options: opts(s.options) };
    case 'print':
      return { kind: s.kind, value: sexpr(s.value) };
    case 'save':
      return { kind: s.kind, ...(s.what && { what: sexpr(s.what) }), file: s.file, options: opts(s.options) };
    case 'plot':
      return { kind: s.kind, file: s.file, options: opts(s.options) };
    case 'command':
      return { kind: s.kind, name: s.name, args: s.args.map(sexpr), options: opts(s.options) };
    case 'expr':
      return { kind: s.kind, value: sexpr(s.value) };
  }
}

const one = (text: string) => {
  const s = parseStatement(text);
  if (!s) throw new Error('no statement');
  return compact(s);
};

describe('statement forms', () => {
  it.each<[string, unknown]>([
    ['data "decay.csv"', { kind: 'data', file: 'decay.csv', options: [] }],
    ['data "a b.tsv" delimiter="\\t"', { kind: 'data', file: 'a b.tsv', options: ['delimiter="\\t"'] }],
    ['img = load("spots.tif")', { kind: 'assign', targets: ['img'], value: '(load "spots.tif")' }],
    ['x, y = grid(img)', { kind: 'assign', targets: ['x', 'y'], value: '(grid img)' }],
    ['u = linspace(-1, 1, 30)', { kind: 'assign', targets: ['u'], value: '(linspace (neg 1) 1 30)' }],
    ['ly = log(y)', { kind: 'assign', targets: ['ly'], value: '(log y)' }],
    ['v = [1, 2, 3]', { kind: 'assign', targets: ['v'], value: '[1 2 3]' }],
    ['roi = img[10:20, 5:15]', { kind: 'assign', targets: ['roi'], value: '(index img (: 10 20) (: 5 15))' }],
    [
      'param A = 100 in [0, inf]',
      { kind: 'param', decls: [{ name: 'A', value: '100', min: '0', max: 'inf', fixed: false }] },
    ],
    [
      'param x0 = 7, y0 = 7',
      {
        kind: 'param',
        decls: [
          { name: 'x0', value: '7', fixed: false },
          { name: 'y0', value: '7', fixed: false },
        ],
      },
    ],
    ['param c = 10 fixed', { kind: 'param', decls: [{ name: 'c', value: '10', fixed: true }] }],
    ['param sy = 2*sx', { kind: 'param', decls: [{ name: 'sy', value: '(* 2 sx)', fixed: false }] }],
    ['param b in [0, 1]', { kind: 'param', decls: [{ name: 'b', min: '0', max: '1', fixed: false }] }],
    ['param k', { kind: 'param', decls: [{ name: 'k', fixed: false }] }],
    [
      'param A = 1 in [-inf, 2*B] fixed, w in [0, 1]',
      {
        kind: 'param',
        decls: [
          { name: 'A', value: '1', min: '(neg inf)', max: '(* 2 B)', fixed: true },
          { name: 'w', min: '0', max: '1', fixed: false },
        ],
      },
    ],
    ['param e = 3', { kind: 'param', decls: [{ name: 'e', value: '3', fixed: false }] }],
    [
      'model img = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + c',
      {
        kind: 'model',
        lhs: 'img',
        rhs: '(+ (* A (exp (/ (neg (+ (^ (- x x0) 2) (^ (- y y0) 2))) (* 2 (^ s 2))))) c)',
      },
    ],
    ['model z = a*x + b', { kind: 'model', lhs: 'z', rhs: '(+ (* a x) b)' }],
    [
      'g(u, s) = exp(-u^2/(2*s^2))',
      { kind: 'function', name: 'g', params: ['u', 's'], body: '(exp (/ (neg (^ u 2)) (* 2 (^ s 2))))' },
    ],
    ['h() = 1', { kind: 'function', name: 'h', params: [], body: '1' }],
    ['fit', { kind: 'fit', options: [] }],
    [
      'fit method=lm sigma=s absolute_sigma=true loss=huber f_scale=1 estimator=poisson nan=omit maxfev=1000 starts=10',
      {
        kind: 'fit',
        options: [
          'method=lm',
          'sigma=s',
          'absolute_sigma=true',
          'loss=huber',
          'f_scale=1',
          'estimator=poisson',
          'nan=omit',
          'maxfev=1000',
          'starts=10',
        ],
      },
    ],
    ['fit method = "lbfgsb" xtol=1e-10', { kind: 'fit', options: ['method="lbfgsb"', 'xtol=1e-10'] }],
    ['fit f_scale=-1 weights=1/s^2', { kind: 'fit', options: ['f_scale=(neg 1)', 'weights=(/ 1 (^ s 2))'] }],
    ['fit model=img', { kind: 'fit', options: ['model=img'] }],
    ['report', { kind: 'report', options: [] }],
    ['report brief', { kind: 'report', mode: 'brief', options: [] }],
    ['report digits=4', { kind: 'report', options: ['digits=4'] }],
    ['report brief digits=4', { kind: 'report', mode: 'brief', options: ['digits=4'] }],
    ['print A*2', { kind: 'print', value: '(* A 2)' }],
    ['print (x)', { kind: 'print', value: 'x' }],
    ['print -x', { kind: 'print', value: '(neg x)' }],
    ['print [1, 2]', { kind: 'print', value: '[1 2]' }],
    ['print "hello"', { kind: 'print', value: '"hello"' }],
    ['save "result.json"', { kind: 'save', file: 'result.json', options: [] }],
    ['save model to "model.npy"', { kind: 'save', what: 'model', file: 'model.npy', options: [] }],
    ['save residuals to "r.csv"', { kind: 'save', what: 'residuals', file: 'r.csv', options: [] }],
    [
      'save img[0:5, :] to "crop.png" cmap=viridis',
      {
        kind: 'save',
        what: '(index img (: 0 5) (: _ _))',
        file: 'crop.png',
        options: ['cmap=viridis'],
      },
    ],
    ['plot "fit.svg"', { kind: 'plot', file: 'fit.svg', options: [] }],
    [
      'plot "fit.png" width=800 title="Decay"',
      { kind: 'plot', file: 'fit.png', options: ['width=800', 'title="Decay"'] },
    ],
    [
      'spots img roi=7 min_distance=3',
      { kind: 'command', name: 'spots', args: ['img'], options: ['roi=7', 'min_distance=3'] },
    ],
    [
      'spots img (threshold) roi=7',
      { kind: 'command', name: 'spots', args: ['(img threshold)'], options: ['roi=7'] },
    ],
    ['spots img 2*t', { kind: 'command', name: 'spots', args: ['img', '(* 2 t)'], options: [] }],
    ['set digits=6', { kind: 'command', name: 'set', args: [], options: ['digits=6'] }],
    ['set', { kind: 'command', name: 'set', args: [], options: [] }],
    ['1+2', { kind: 'expr', value: '(+ 1 2)' }],
    ['A*2', { kind: 'expr', value: '(* A 2)' }],
    ['exp(1)', { kind: 'expr', value: '(exp 1)' }],
    ['"text"', { kind: 'expr', value: '"text"' }],
    // statement keywords followed by '=' or ',' are variable names being assigned
    ['model = load("m.npy")', { kind: 'assign', targets: ['model'], value: '(load "m.npy")' }],
    ['data = [1, 2]', { kind: 'assign', targets: ['data'], value: '[1 2]' }],
    ['fit = 3', { kind: 'assign', targets: ['fit'], value: '3' }],
    ['spots = 3', { kind: 'assign', targets: ['spots'], value: '3' }],
    ['print, x = grid(img)', { kind: 'assign', targets: ['print', 'x'], value: '(grid img)' }],
    ['x, model = grid(img)', { kind: 'assign', targets: ['x', 'model'], value: '(grid img)' }],
    // elsewhere they are plain names
    ['y = model + data', { kind: 'assign', targets: ['y'], value: '(+ model data)' }],
    ['print model', { kind: 'print', value: 'model' }],
    ['fixed = 1', { kind: 'assign', targets: ['fixed'], value: '1' }],
    ['param fixed = 1 fixed', { kind: 'param', decls: [{ name: 'fixed', value: '1', fixed: true }] }],
  ])('%s', (text, expected) => {
    expect(one(text)).toEqual(expected);
  });

  it('exports the command keywords as a list', () => {
    expect(COMMAND_KEYWORDS).toContain('spots');
    expect(COMMAND_KEYWORDS).toContain('set');
  });

  it('returns undefined for blank and comment-only REPL lines', () => {
    expect(parseStatement('')).toBeUndefined();
    expect(parseStatement('   ')).toBeUndefined();
    expect(parseStatement('# just a comment')).toBeUndefined();
    expect(parseStatement(';;')).toBeUndefined();
  });
});

describe('scripts', () => {
  const issueExample = `# comments start with #
data "decay.csv"                      # binds every column by its header name (t, y, sigma, ...)
img = load("spots.tif")               # any supported file → an array (2D for images)
x, y = grid(img)                      # pixel-centre coordinate arrays
u = linspace(-1, 1, 30)               # array expressions with broadcasting; [1, 2, 3] literals
ly = log(y)
param A = 100 in [0, inf]             # start value and bounds
param x0 = 7, y0 = 7                  # several on one line
param c = 10 fixed
param sy = 2*sx                       # tied: the right side names another parameter
model img = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + c
model z = a*x + b                     # several model lines
fit                                   # options
report                                # the full report
save "result.json"
save model to "model.npy"
plot "fit.svg"
`;

  it('parses the example of issue 4', () => {
    const kinds = parseScript(issueExample).map((s) => s.kind);
    expect(kinds).toEqual([
      'data',
      'assign',
      'assign',
      'assign',
      'assign',
      'param',
      'param',
      'param',
      'param',
      'model',
      'model',
      'fit',
      'report',
      'save',
      'save',
      'plot',
    ]);
  });

  it('separates statements by line breaks and semicolons, skipping blank lines', () => {
    const s = parseScript('\n\na = 1; b = 2\n\n;\nc = 3;\n');
    expect(s.map((x) => (x.kind === 'assign' ? x.targets[0] : x.kind))).toEqual(['a', 'b', 'c']);
  });

  it('continues a statement over line breaks inside brackets and after operators', () => {
    const s = parseScript(`model img = A*exp(-((x-x0)^2 +
                            (y-y0)^2)/(2*s^2)) +
            c
param A = 100 in [0,
                  inf]
v = [1, 2,
     3]
f = a and
    b
param x0 = 1,
      y0 = 2
fit method=lm \\
    maxfev=10   # a backslash joins lines
`);
    expect(s.map(compact)).toEqual([
      {
        kind: 'model',
        lhs: 'img',
        rhs: '(+ (* A (exp (/ (neg (+ (^ (- x x0) 2) (^ (- y y0) 2))) (* 2 (^ s 2))))) c)',
      },
      { kind: 'param', decls: [{ name: 'A', value: '100', min: '0', max: 'inf', fixed: false }] },
      { kind: 'assign', targets: ['v'], value: '[1 2 3]' },
      { kind: 'assign', targets: ['f'], value: '(and a b)' },
      {
        kind: 'param',
        decls: [
          { name: 'x0', value: '1', fixed: false },
          { name: 'y0', value: '2', fixed: false },
        ],
      },
      { kind: 'fit', options: ['method=lm', 'maxfev=10'] },
    ]);
  });

  it('continues after a statement keyword that needs more at the end of a line', () => {
    expect(parseScript('param\n  A = 1, B = 2').map(compact)).toEqual([
      {
        kind: 'param',
        decls: [
          { name: 'A', value: '1', fixed: false },
          { name: 'B', value: '2', fixed: false },
        ],
      },
    ]);
  });

  it('ends a statement at a line break after a complete expression', () => {
    expect(parseScript('x = 1\n-2').map(compact)).toEqual([
      { kind: 'assign', targets: ['x'], value: '1' },
      { kind: 'expr', value: '(neg 2)' },
    ]);
  });

  it('gives statements, targets, declarations and options their spans', () => {
    const [data, assign, param, fit] = parseScript(
      'data "d.csv"\nx, yy = grid(img)\nparam A = 1 in [0, 2], B fixed\n  fit maxfev=10',
      'run.fit',
    );
    expect(data.span).toEqual({ start: 0, end: 12, line: 1, column: 1 });
    expect(data.kind === 'data' && data.fileSpan).toEqual({ start: 5, end: 12, line: 1, column: 6 });
    expect(assign.kind === 'assign' && assign.targetSpans).toEqual([
      { start: 13, end: 14, line: 2, column: 1 },
      { start: 16, end: 18, line: 2, column: 4 },
    ]);
    if (param.kind !== 'param') throw new Error('param expected');
    expect(param.span).toEqual({ start: 31, end: 61, line: 3, column: 1 });
    expect(param.decls[0].span).toEqual({ start: 37, end: 52, line: 3, column: 7 });
    expect(param.decls[1].nameSpan).toEqual({ start: 54, end: 55, line: 3, column: 24 });
    if (fit.kind !== 'fit') throw new Error('fit expected');
    expect(fit.span).toEqual({ start: 64, end: 77, line: 4, column: 3 });
    expect(fit.options[0].span).toEqual({ start: 68, end: 77, line: 4, column: 7 });
    expect(fit.options[0].keySpan).toEqual({ start: 68, end: 74, line: 4, column: 7 });
  });

  it('does not check calls: script functions belong to the interpreter', () => {
    expect(() => parseScript('u = linspace(-1, 1, 30)\nz = zeros(3, 3)\nw = exp(1, 2)')).not.toThrow();
  });

  it('treats an unknown word followed by an argument as an unknown statement', () => {
    const err = errorOf(() => parseScript('smooth img 2'));
    expect(err.message).toBe("unknown statement 'smooth'");
  });
});
