import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Block,
  Code,
  Name,
  NameScope,
  _,
  buildFunction,
  numLit,
  trustedCall,
} from '../../src/compile/codegen.ts';
import { getFunction, functionNames } from '../../src/functions/registry.ts';
import { ExprfitError } from '../../src/core/errors.ts';

describe('numLit', () => {
  it('round-trips every double exactly', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const parsed = new Function(`return ${numLit(v).text};`)() as number;
        expect(Object.is(parsed, v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '(-Infinity)'],
    [-0, '(-0)'],
    [0, '0'],
    [-2.5, '(-2.5)'],
    [1e21, '1e+21'],
    [5e-324, '5e-324'],
    [0.1, '0.1'],
  ])('%s is written %s', (v, text) => {
    expect(numLit(v).text).toBe(text);
  });

  it('negative literals compose with subtraction and unary minus', () => {
    const n = new NameScope().name('x');
    const code = _`return (${n} - ${-3}) * -${-0};`;
    const f = new Function(n.str, code.text) as (x: number) => number;
    expect(Object.is(f(1), 0)).toBe(true);
  });
});

describe('names and code', () => {
  it('hands out unique names of the generated form', () => {
    const s = new NameScope();
    const names = [s.name('t'), s.name('t'), s.name('v'), s.name('tb')];
    expect(names.map(String)).toEqual(['t0', 't1', 'v0', 'tb0']);
  });

  it('rejects prefixes and names that are not generated identifiers', () => {
    const s = new NameScope();
    for (const bad of ['', 'T', 'constructor', '__proto__', 'a b', 'a;', '$']) {
      expect(() => s.name(bad)).toThrow(/internal/);
    }
    for (const bad of ['constructor', 'this', 'eval', 'x', 'Function', 'a0; process.exit()']) {
      expect(() => new Name(bad)).toThrow(/internal/);
    }
  });

  it('never splices strings into code', () => {
    const evil = 'process.exit(1)';
    expect(() => _`return ${evil as unknown as Code};`).toThrow(/only Code, Name and numbers/);
    expect(() => numLit('1' as unknown as number)).toThrow(/internal/);
  });

  it('builds functions only from names and code blocks', () => {
    const s = new NameScope();
    const a = s.name('a');
    const body = new Block();
    body.push(_`return ${a} * 2;`);
    const f = buildFunction<(x: number) => number>(s.name('fn'), [a], body, {});
    expect(f.fn(21)).toBe(42);
    expect(f.source).toContain('function fn0(a0)');
    expect(() => buildFunction(s.name('fn'), ['x' as unknown as Name], body, {})).toThrow(/internal/);
  });

  it('a function with too many locals for the stack is an ExprfitError when called, not a RangeError', () => {
    // each local is a slot of the interpreter frame: 300,000 of them (2.4 MB) exceed the default stack
    const s = new NameScope();
    const a = s.name('a');
    const body = new Block();
    const locals: Name[] = [];
    for (let i = 0; i < 300_000; i++) {
      const t = s.name('t');
      body.const(t, _`${a} * ${i}`);
      locals.push(t);
    }
    body.push(_`return ${locals[0]} + ${locals[locals.length - 1]};`);
    const f = buildFunction<(x: number) => number>(s.name('fn'), [a], body, {});
    let error: unknown;
    try {
      f.fn(1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExprfitError);
    expect((error as Error).message).toContain('300,000 intermediate values');
  });
});

describe('trustedCall', () => {
  it('accepts every builtin emit rule', () => {
    const s = new NameScope();
    for (const name of functionNames()) {
      const def = getFunction(name)!;
      const [lo, hi] = def.arity;
      for (const n of new Set([lo, Math.min(hi, lo + 1), Math.min(hi, 3)])) {
        const args = Array.from({ length: n }, () => _`${s.name('a')}`);
        expect(() => trustedCall(def.emit, name, args)).not.toThrow();
      }
    }
  });

  it('rejects emit rules that reference anything but their arguments, Math and R', () => {
    const arg = [_`${new NameScope().name('a')}`];
    expect(() => trustedCall((a) => `process.exit(${a[0]})`, 'bad1', arg)).toThrow(/references 'process'/);
    expect(() => trustedCall((a) => `${a[0]}; foo()`, 'bad2', arg)).toThrow(/unsafe/);
    expect(() => trustedCall((a) => `"${a[0]}"`, 'bad3', arg)).toThrow(/unsafe/);
    expect(() => trustedCall((a) => `(() => ${a[0]})()`, 'bad4', arg)).toThrow(/unsafe/);
    expect(trustedCall((a) => `Math.exp(${a[0]} * 1e-3)`, 'ok', arg).text).toBe('(Math.exp(a0 * 1e-3))');
  });
});
