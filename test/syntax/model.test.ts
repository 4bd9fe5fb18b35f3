import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCalls } from '../../src/syntax/check-calls.ts';
import { parseExpr, parseModel } from '../../src/syntax/parse.ts';
import { errorOf, sexpr, stripSpans } from './helpers.ts';

const SEED_MODELS: [string, string][] = [
  ['axis-aligned 2D Gaussian', 'z = A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + c'],
  [
    'rotated 2D Gaussian',
    'z = amplitude*exp(-(((x-x0)*cos(theta) + (y-y0)*sin(theta))^2/(2*sx^2) + ' +
      '(-(x-x0)*sin(theta) + (y-y0)*cos(theta))^2/(2*sy^2))) + offset',
  ],
  ['plane', 'z = a + b*x + c*y'],
  ['exponential decay', 'y = A*exp(-t/tau) + c'],
  ['Lorentzian', 'y = A*gamma^2/((x-x0)^2 + gamma^2) + c'],
];

describe('seed models', () => {
  it.each(SEED_MODELS)('%s parses', (_name, text) => {
    const m = parseModel(text);
    expect(m.equations).toHaveLength(1);
    expect(m.functions).toHaveLength(0);
    expect(m.equations[0].lhs).toBe(text[0]);
  });

  it('parses the axis-aligned Gaussian to the expected tree', () => {
    const m = parseModel(SEED_MODELS[0][1]);
    expect(sexpr(m.equations[0].rhs)).toBe(
      '(+ (* A (exp (neg (+ (/ (^ (- x x0) 2) (* 2 (^ sx 2))) (/ (^ (- y y0) 2) (* 2 (^ sy 2))))))) c)',
    );
  });

  it('parses the rotated Gaussian to the expected tree', () => {
    const m = parseModel(SEED_MODELS[1][1]);
    const u = '(+ (* (- x x0) (cos theta)) (* (- y y0) (sin theta)))';
    const v = '(+ (* (neg (- x x0)) (sin theta)) (* (- y y0) (cos theta)))';
    expect(sexpr(m.equations[0].rhs)).toBe(
      `(+ (* amplitude (exp (neg (+ (/ (^ ${u} 2) (* 2 (^ sx 2))) (/ (^ ${v} 2) (* 2 (^ sy 2))))))) offset)`,
    );
  });
});

interface NistProblem {
  name: string;
  expr: string;
  params: string[];
  variables: string[];
}
const nist = JSON.parse(
  readFileSync(new URL('../fixtures/nist-strd/problems.json', import.meta.url), 'utf8'),
) as { problems: NistProblem[] };

describe('NIST StRD models', () => {
  it('has the problems', () => {
    expect(nist.problems.length).toBeGreaterThanOrEqual(27);
  });

  it.each(nist.problems.map((p) => [p.name, p] as const))('%s parses', (_name, p) => {
    const e = parseExpr(p.expr);
    const m = parseModel(`y = ${p.expr}`);
    expect(stripSpans(m.equations[0].rhs)).toEqual(stripSpans(e));
    // every parameter name appears in the tree
    for (const name of p.params) expect(sexpr(e)).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('reads exponents of parenthesised negatives right', () => {
    const bennett5 = nist.problems.find((p) => p.name === 'Bennett5')!;
    expect(sexpr(parseExpr(bennett5.expr))).toBe('(* b1 (^ (+ b2 x) (/ (neg 1) b3)))');
  });
});

describe('parseModel', () => {
  it('reads equations and user functions in any order, separated by line breaks or semicolons', () => {
    const m = parseModel(`
      # a model with a helper function
      y1 = A*g(x - x0, s) + c
      g(u, s) = exp(-u^2/(2*s^2)); y2 = B*g(x - x1, s)
    `);
    expect(m.equations.map((e) => [e.lhs, sexpr(e.rhs)])).toEqual([
      ['y1', '(+ (* A (g (- x x0) s)) c)'],
      ['y2', '(* B (g (- x x1) s))'],
    ]);
    expect(m.functions.map((f) => [f.name, f.params, sexpr(f.body)])).toEqual([
      ['g', ['u', 's'], '(exp (/ (neg (^ u 2)) (* 2 (^ s 2))))'],
    ]);
  });

  it('gives equations and functions spans', () => {
    const m = parseModel('y = a*x\n  g(u) = u^2');
    expect(m.equations[0].span).toEqual({ start: 0, end: 7, line: 1, column: 1 });
    expect(m.equations[0].lhsSpan).toEqual({ start: 0, end: 1, line: 1, column: 1 });
    expect(m.functions[0].span).toEqual({ start: 10, end: 20, line: 2, column: 3 });
    expect(m.functions[0].nameSpan).toEqual({ start: 10, end: 11, line: 2, column: 3 });
    expect(m.functions[0].paramSpans).toEqual([{ start: 12, end: 13, line: 2, column: 5 }]);
  });

  it('treats statement keywords as ordinary names', () => {
    const m = parseModel('model = data*fit + param');
    expect(m.equations[0].lhs).toBe('model');
    expect(sexpr(m.equations[0].rhs)).toBe('(+ (* data fit) param)');
  });

  it('lets names shadow the constants pi and e (the parser keeps them as plain names)', () => {
    const m = parseModel('y = e*exp(-x/pi)\nf(e) = e^2');
    expect(sexpr(m.equations[0].rhs)).toBe('(* e (exp (/ (neg x) pi)))');
    expect(m.functions[0].params).toEqual(['e']);
  });

  it('asks for an equation when given a bare expression', () => {
    const err = errorOf(() => parseModel('a*exp(-b*x)+c'));
    expect(err.code).toBe('syntax');
    expect(err.message).toBe("expected an equation such as 'y = ...'");
  });

  it.each([
    ['y = exq(x)', 'unknown-function', "unknown function 'exq'", ["did you mean 'exp'?"], 5],
    [
      'y = g(x)\ng(u, s) = u*s',
      'arity',
      "'g' takes 2 arguments, but 1 was given",
      ['it is defined as g(u, s)'],
      5,
    ],
    ['y = gg(x)\ng(u) = u', 'unknown-function', "unknown function 'gg'", ["did you mean 'g'?"], 5],
    [
      'g(u) = sinn(u)\ny = g(x)',
      'unknown-function',
      "unknown function 'sinn'",
      ["did you mean 'sin', 'sinc' or 'sinh'?"],
      8,
    ],
    ['y = atan2(x)', 'arity', "'atan2' takes 2 arguments, but 1 was given", ['usage: atan2(y, x)'], 5],
  ])('checks calls: %j', (text, code, message, hints, column) => {
    const err = errorOf(() => parseModel(text));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(err.hints).toEqual(hints);
    expect(err.span?.column).toBe(column);
  });

  it('skips the call check on request', () => {
    expect(parseModel('y = foo(x)', { checkCalls: false }).equations[0].lhs).toBe('y');
  });

  it('accepts functions defined elsewhere', () => {
    const m = parseModel('y = peak(x, 1)', { userFunctions: [{ name: 'peak', params: ['u', 'w'] }] });
    expect(sexpr(m.equations[0].rhs)).toBe('(peak x 1)');
  });

  it.each([
    ['', 'the model has no equation'],
    ['# nothing', 'the model has no equation'],
    ['g(u) = u', 'the model has no equation'],
    ['y = 1\ny = 2', "'y' is defined twice"],
    ['g(u) = u\ng(v) = v\ny = g(1)', "'g' is defined twice"],
    ['exp(u) = u\ny = 1', "'exp' is a builtin function and cannot be redefined"],
    ['y, z = x', 'an equation has one name on its left side'],
    ['2*y = x', 'cannot assign to this'],
    ['g(2) = x\ny = 1', 'a function parameter must be a name'],
  ])('rejects %j', (text, message) => {
    const err = errorOf(() => parseModel(text));
    expect(err.code).toBe('syntax');
    expect(err.message).toBe(message);
  });

  it('names the file in errors', () => {
    const err = errorOf(() => parseModel('y = (a', 'model.txt'));
    expect(err.source?.file).toBe('model.txt');
    expect(err.format()).toMatch(/^model\.txt:1:7: error: unexpected end of input/);
  });
});

describe('checkCalls', () => {
  const check = (text: string, opts: Parameters<typeof checkCalls>[1] = {}) =>
    checkCalls(parseExpr(text, { checkCalls: false }), { source: { text }, ...opts });

  it.each([
    ['exp(x)'],
    ['min(a, b, c, d)'],
    ['if(x > 0, 1, 2)'],
    ['hypot(x, y)'],
    ['sin(cos(tan(x)))'],
    ['[exp(1), sqrt(2)][0]'],
  ])('accepts %s', (text) => {
    expect(() => check(text)).not.toThrow();
  });

  it.each([
    ['expp(x)', "unknown function 'expp'", ["did you mean 'exp'?"], 1],
    ['2*Exp(x)', "unknown function 'Exp'", ["did you mean 'exp'?"], 3],
    ['sqr(x)', "unknown function 'sqr'", ["did you mean 'sqrt'?"], 1],
    ['1 + lg(x)', "unknown function 'lg'", ["did you mean 'ln' or 'log'?"], 5],
    ['pi(2)', "unknown function 'pi'", ["'pi' is a constant, not a function"], 1],
    ['a(b + c)', "unknown function 'a'", ["to multiply, write 'a*(...)'"], 1],
    [
      'zzzz(1, 2)',
      "unknown function 'zzzz'",
      ['it is neither a builtin nor a function defined in the model'],
      1,
    ],
    ['x[foo(1)]', "unknown function 'foo'", [], 3],
  ])('rejects %s', (text, message, hints, column) => {
    const err = errorOf(() => check(text));
    expect(err.code).toBe('unknown-function');
    expect(err.message).toBe(message);
    if (hints.length) expect(err.hints).toEqual(hints);
    expect(err.span?.column).toBe(column);
    expect(err.format().split('\n')[2]).toBe(
      `  ${' '.repeat(column - 1)}${'^'.repeat(text.match(/[a-zA-Z]+(?=\()/)![0].length)}`,
    );
  });

  it.each([
    ['exp()', "'exp' takes 1 argument, but 0 were given"],
    ['exp(1, 2)', "'exp' takes 1 argument, but 2 were given"],
    ['atan2(1, 2, 3)', "'atan2' takes 2 arguments, but 3 were given"],
    ['if(a, b)', "'if' takes 3 arguments, but 2 were given"],
  ])('rejects the argument count of %s', (text, message) => {
    const err = errorOf(() => check(text));
    expect(err.code).toBe('arity');
    expect(err.message).toBe(message);
    expect(err.span?.column).toBe(1);
    expect(err.hints[0]).toMatch(/^usage: /);
  });

  it('reports the first bad call in source order', () => {
    expect(errorOf(() => check('foo(1) + bar(2)')).message).toBe("unknown function 'foo'");
    expect(errorOf(() => check('exp(foo(1))')).message).toBe("unknown function 'foo'");
    expect(errorOf(() => check('exp(1, foo(1))')).message).toBe("'exp' takes 1 argument, but 2 were given");
  });

  it('finds user functions before builtins and checks their arity', () => {
    const userFunctions = [{ name: 'g', params: ['u', 's'] }];
    expect(() => check('g(1, 2)', { userFunctions })).not.toThrow();
    expect(errorOf(() => check('g(1)', { userFunctions })).code).toBe('arity');
  });

  it('can allow unknown names while still checking known ones', () => {
    expect(() => check('linspace(0, 1, 10)', { allowUnknown: true })).not.toThrow();
    expect(errorOf(() => check('exp(1, 2)', { allowUnknown: true })).code).toBe('arity');
  });

  it('never treats user text as object keys', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(errorOf(() => check(`${name}(1)`)).code).toBe('unknown-function');
    }
  });
});
