import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  OptionError,
  camelKey,
  cliFlag,
  completions,
  defineOptions,
  describeValue,
  expectedText,
  helpLines,
  markdownTable,
  opt,
  optionDoc,
  optionKeyOf,
  optionKeys,
  parseCliValue,
  parseOptions,
  parseScriptValue,
  renderOptionError,
  renderOptionKey,
  spellKey,
  validateOptions,
  valueWords,
} from '../../src/core/options.ts';
import type { OptionsInput, OptionsOf } from '../../src/core/options.ts';
import { ExprfitError } from '../../src/core/errors.ts';

/** A draft of the spots options (src/batch/spots.ts, src/script/spots.ts, src/cli/spots.ts) in one place. */
const spotsSchema = defineOptions('spots', {
  minDistance: opt.integer({ doc: 'Peaks are separated by more than this (pixels)', default: 1, min: 1 }),
  threshold: opt.custom<number | string>({
    doc: "Detection threshold: a number, or '5sigma'",
    accept: (v): v is number | string =>
      (typeof v === 'number' && Number.isFinite(v)) ||
      (typeof v === 'string' && /^\d+(\.\d+)?sigma$/.test(v)),
    expected: "a finite number or 'Ksigma' (e.g. '5sigma')",
    parse: (t) => (/^\s*-?\d/.test(t) && !t.endsWith('sigma') ? Number(t) : t),
  }),
  smooth: opt.number({ doc: 'Gaussian smoothing sigma (pixels)', default: 0.5, min: 0 }),
  roi: opt.integer({ doc: 'Half-width of the fitted region', default: 7, min: 1, max: 1000 }),
  estimator: opt.enum(['lse', 'poisson'], {
    doc: 'Least squares or Poisson likelihood',
    default: 'lse',
    valueAliases: { lsq: 'lse', mle: 'poisson' },
  }),
  joint: opt.boolean({ doc: 'Fit close spots jointly', default: true }),
  maxGroupSize: opt.integer({
    doc: 'Largest group fitted jointly',
    default: 25,
    min: 1,
    aliases: ['maxGroup'],
  }),
  residualPasses: opt.integer({ doc: 'Passes of residual detection', min: 0, max: 10 }),
  splitBlends: opt.boolean({ doc: 'Refit wide spots as two' }),
  onProgress: opt.custom<(done: number, total: number) => void>({
    doc: 'Progress callback',
    accept: (v): v is (done: number, total: number) => void => typeof v === 'function',
    expected: 'a function',
    frontEnds: ['api'],
  }),
  out: opt.string({ doc: 'CSV output file', frontEnds: ['cli', 'script'] }),
});

/** A draft of the solver options (src/solver/options.ts): `'auto'` words, an array-or-word, bounds. */
const solverSchema = defineOptions('solver', {
  ftol: opt.number({ doc: 'Relative cost-reduction tolerance', default: 1e-15, min: 0, max: 1 }),
  maxIterations: opt.integer({ doc: 'Most iterations', default: 'auto', min: 1, also: ['auto'] }),
  xScale: opt.numberArray({
    doc: "Variable scaling: 'jac' or one scale per parameter",
    also: ['jac'],
    gt: 0,
  }),
  fScale: opt.number({ doc: 'Soft margin of robust losses', default: 1, gt: 0 }),
  acceptRatio: opt.number({ doc: 'Gain ratio that accepts a step', default: 1e-4, min: 0, lt: 0.25 }),
});

/** A draft of the fit options (src/fit/options.ts) with a cross-option rule. */
const fitSchema = defineOptions(
  'fit',
  {
    method: opt.enum(['lm', 'lbfgsb', 'nelder'], { doc: 'Minimizer', default: 'lm' }),
    loss: opt.enum(['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'], {
      doc: 'Robust loss',
      default: 'linear',
    }),
    estimator: opt.enum(['lsq', 'poisson', 'likelihood'], { doc: 'Estimator', default: 'lsq' }),
    maxfev: opt.integer({ doc: 'Most function evaluations', gt: 0 }),
    starts: opt.integer({ doc: 'Multi-start count', default: 1, min: 1, max: 10_000 }),
  },
  [
    (o) =>
      o.estimator !== 'lsq' && o.loss !== 'linear'
        ? { key: 'loss', expected: `'linear' with estimator '${o.estimator}'` }
        : undefined,
  ],
);

function optionError(f: () => unknown): OptionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    expect(e).toBeInstanceOf(ExprfitError);
    expect((e as ExprfitError).code).toBe('option');
    return e as OptionError;
  }
  throw new Error('expected an OptionError');
}

describe('types from the declaration', () => {
  it('infers value types, required defaults and optional rest', () => {
    type Spots = OptionsOf<typeof spotsSchema>;
    expectTypeOf<Spots['roi']>().toEqualTypeOf<number>();
    expectTypeOf<Spots['estimator']>().toEqualTypeOf<'lse' | 'poisson'>();
    expectTypeOf<Spots['joint']>().toEqualTypeOf<boolean>();
    expectTypeOf<Spots['residualPasses']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Spots['threshold']>().toEqualTypeOf<number | string | undefined>();
    type Solver = OptionsOf<typeof solverSchema.specs>;
    expectTypeOf<Solver['maxIterations']>().toEqualTypeOf<number | 'auto'>();
    expectTypeOf<Solver['xScale']>().toEqualTypeOf<readonly number[] | 'jac' | undefined>();
    type Input = OptionsInput<typeof spotsSchema>;
    expectTypeOf<OptionsOf<typeof spotsSchema.specs>>().toEqualTypeOf<Spots>();
    expectTypeOf<Input['roi']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Input['estimator']>().toEqualTypeOf<'lse' | 'poisson' | 'lsq' | 'mle' | undefined>();
    const v = validateOptions(spotsSchema, { roi: 3 });
    expectTypeOf(v.roi).toEqualTypeOf<number>();
  });
});

describe('validateOptions', () => {
  it('fills defaults and keeps given values', () => {
    const o = validateOptions(spotsSchema, { roi: 3, joint: false });
    expect(o).toEqual({
      roi: 3,
      joint: false,
      minDistance: 1,
      smooth: 0.5,
      estimator: 'lse',
      maxGroupSize: 25,
    });
    expect(validateOptions(spotsSchema)).toMatchObject({ roi: 7 });
    expect(validateOptions(solverSchema, {}).maxIterations).toBe('auto');
  });

  it('treats undefined values as absent', () => {
    expect(validateOptions(spotsSchema, { roi: undefined }).roi).toBe(7);
  });

  it.each([
    ['roi', 2.5, 'an integer >= 1 and <= 1000'],
    ['roi', 0, 'an integer >= 1 and <= 1000'],
    ['roi', 1001, 'an integer >= 1 and <= 1000'],
    ['roi', '7', 'an integer >= 1 and <= 1000'],
    ['roi', 2 ** 60, 'an integer >= 1 and <= 1000'],
    ['smooth', -0.1, 'a finite number >= 0'],
    ['smooth', NaN, 'a finite number >= 0'],
    ['smooth', Infinity, 'a finite number >= 0'],
    ['joint', 1, 'true or false'],
    ['estimator', 'gauss', "one of 'lse' or 'poisson'"],
    ['out', 3, 'a string'],
  ])('rejects %s = %s (must be %s)', (key, value, expected) => {
    const frontEnd = key === 'out' ? 'script' : 'api'; // out is not an API option
    const e = optionError(() => validateOptions(spotsSchema, { [key]: value }, frontEnd));
    expect(e.detail).toMatchObject({ kind: 'option', scope: 'spots', problem: 'invalid', key, expected });
    expect(Object.is(e.detail.value, value)).toBe(true);
    expect(e.message).toContain(`must be ${expected}, got ${describeValue(value)}`);
  });

  it('checks inclusive and exclusive bounds at the edge', () => {
    expect(validateOptions(solverSchema, { ftol: 0 }).ftol).toBe(0);
    expect(validateOptions(solverSchema, { ftol: 1 }).ftol).toBe(1);
    expect(optionError(() => validateOptions(solverSchema, { fScale: 0 })).detail.expected).toBe(
      'a finite number > 0',
    );
    expect(optionError(() => validateOptions(solverSchema, { acceptRatio: 0.25 })).message).toBe(
      "solver option 'acceptRatio' must be a finite number >= 0 and < 0.25, got 0.25",
    );
  });

  it('accepts words besides numbers and arrays of numbers', () => {
    expect(validateOptions(solverSchema, { maxIterations: 50 }).maxIterations).toBe(50);
    expect(validateOptions(solverSchema, { xScale: 'jac' }).xScale).toBe('jac');
    expect(validateOptions(solverSchema, { xScale: [1, 2] }).xScale).toEqual([1, 2]);
    const e = optionError(() => validateOptions(solverSchema, { xScale: [1, 0] }));
    expect(e.detail.expected).toBe("'jac' or an array of finite numbers (each > 0)");
    expect(optionError(() => validateOptions(solverSchema, { maxIterations: 'often' })).detail.expected).toBe(
      "'auto' or an integer >= 1",
    );
  });

  it('maps value aliases and suggests close enum words', () => {
    expect(validateOptions(spotsSchema, { estimator: 'mle' }).estimator).toBe('poisson');
    const e = optionError(() => validateOptions(spotsSchema, { estimator: 'poison' }));
    expect(e.hints).toEqual(["did you mean 'poisson'?"]);
  });

  it('accepts key aliases and rejects a key given twice', () => {
    expect(validateOptions(spotsSchema, { maxGroup: 4 }).maxGroupSize).toBe(4);
    const e = optionError(() => validateOptions(spotsSchema, { maxGroup: 4, maxGroupSize: 5 }));
    expect(e.detail).toMatchObject({ problem: 'duplicate', key: 'maxGroupSize' });
  });

  it('rejects unknown keys with suggestions in the front end spelling', () => {
    const api = optionError(() => validateOptions(spotsSchema, { minDistanse: 3 }));
    expect(api.detail).toMatchObject({ problem: 'unknown', key: 'minDistanse', value: 3 });
    expect(api.message).toBe("unknown spots option 'minDistanse'");
    expect(api.hints).toEqual(["did you mean 'minDistance'?"]);
    const cli = optionError(() => validateOptions(spotsSchema, { 'min-distanse': 3 }, 'cli'));
    expect(cli.message).toBe("unknown spots option '--min-distanse'");
    expect(cli.hints).toEqual(["did you mean '--min-distance'?"]);
    const script = optionError(() => validateOptions(spotsSchema, { min_distanse: 3 }, 'script'));
    expect(script.message).toBe("unknown spots option 'min_distanse'");
    expect(script.hints).toEqual(["did you mean 'min_distance'?"]);
    expect(optionError(() => validateOptions(spotsSchema, { zzzzzz: 1 })).hints).toEqual([]);
  });

  it('keeps options to their front ends', () => {
    const f = () => undefined;
    expect(validateOptions(spotsSchema, { onProgress: f }).onProgress).toBe(f);
    expect(
      optionError(() => validateOptions(spotsSchema, { on_progress: 'x' }, 'script')).detail.problem,
    ).toBe('unknown');
    expect(optionError(() => validateOptions(spotsSchema, { out: 'a.csv' })).detail.problem).toBe('unknown');
    expect(validateOptions(spotsSchema, { out: 'a.csv' }, 'cli').out).toBe('a.csv');
  });

  it('treats __proto__ and constructor as unknown keys and never touches prototypes', () => {
    const evil = JSON.parse('{"__proto__": {"polluted": 1}}') as object;
    const e = optionError(() => validateOptions(spotsSchema, evil));
    expect(e.detail).toMatchObject({ problem: 'unknown', key: '__proto__' });
    expect(optionError(() => validateOptions(spotsSchema, { constructor: 1 })).detail.key).toBe(
      'constructor',
    );
    expect(optionError(() => validateOptions(spotsSchema, { toString: 1 })).detail.key).toBe('toString');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const o = validateOptions(spotsSchema, Object.assign(Object.create(null) as object, { roi: 2 }));
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(o.roi).toBe(2);
  });

  it('rejects options that are not a plain object', () => {
    for (const bad of [null, 3, 'roi', [1], new Map(), new Date()]) {
      const e = optionError(() => validateOptions(spotsSchema, bad));
      expect(e.detail.problem).toBe('not-object');
      expect(e.message).toMatch(/^spots options must be an object, got /);
    }
  });

  it('applies cross-option rules after defaults', () => {
    expect(validateOptions(fitSchema, { loss: 'huber' }).loss).toBe('huber');
    const e = optionError(() => validateOptions(fitSchema, { loss: 'huber', estimator: 'poisson' }));
    expect(e.detail).toMatchObject({ problem: 'invalid', key: 'loss', value: 'huber' });
    expect(e.message).toBe("fit option 'loss' must be 'linear' with estimator 'poisson', got 'huber'");
  });

  it('checks custom values with their own test', () => {
    expect(validateOptions(spotsSchema, { threshold: '5sigma' }).threshold).toBe('5sigma');
    expect(validateOptions(spotsSchema, { threshold: 12 }).threshold).toBe(12);
    const e = optionError(() => validateOptions(spotsSchema, { threshold: 'high' }));
    expect(e.detail.expected).toBe("a finite number or 'Ksigma' (e.g. '5sigma')");
  });

  it('bounds the length of number arrays', () => {
    const small = defineOptions('t', { xs: opt.numberArray({ doc: 'xs', maxLength: 3 }) });
    expect(validateOptions(small, { xs: [1, 2, 3] }).xs).toEqual([1, 2, 3]);
    expect(optionError(() => validateOptions(small, { xs: [1, 2, 3, 4] })).detail.key).toBe('xs');
    expect(parseCliValue(small.specs.xs, '1,2,3,4')).toBe('1,2,3,4');
  });
});

describe('errors per front end', () => {
  it('renders the same detail in each spelling', () => {
    const e = optionError(() => validateOptions(spotsSchema, { maxGroupSize: 0 }));
    expect(e.message).toBe("spots option 'maxGroupSize' must be an integer >= 1, got 0");
    expect(e.forFrontEnd('cli').message).toBe(
      "spots option '--max-group-size' must be an integer >= 1, got 0",
    );
    expect(e.forFrontEnd('script').message).toBe(
      "spots option 'max_group_size' must be an integer >= 1, got 0",
    );
    expect(e.forFrontEnd('cli').detail).toBe(e.detail);
    expect(renderOptionError(e.detail, 'api').message).toBe(e.message);
  });
});

describe('key spellings', () => {
  it.each([
    ['minDistance', 'minDistance', '--min-distance', 'min_distance='],
    ['roi', 'roi', '--roi', 'roi='],
    ['maxGroupSize', 'maxGroupSize', '--max-group-size', 'max_group_size='],
    ['fScale', 'fScale', '--f-scale', 'f_scale='],
  ])('%s', (key, api, cli, script) => {
    expect(renderOptionKey(key, 'api')).toBe(api);
    expect(renderOptionKey(key, 'cli')).toBe(cli);
    expect(renderOptionKey(key, 'script')).toBe(script);
    expect(camelKey(cli, 'cli')).toBe(key);
    expect(camelKey(script, 'script')).toBe(key);
    expect(camelKey(spellKey(key, 'script'), 'script')).toBe(key);
  });

  it('an unknown key such as __proto__ is named as the user wrote it (was _proto__ in scripts)', () => {
    expect(camelKey('__proto__', 'script')).toBe('__proto__');
    expect(camelKey('--__proto__', 'cli')).toBe('__proto__');
    const schema = defineOptions('t', { minDistance: opt.number({ doc: 'x' }) });
    expect(() => validateOptions(schema, JSON.parse('{"__proto__": 1}'), 'script')).toThrow(
      /^unknown t option '__proto__'$/,
    );
  });

  it('rejects declarations that are not camelCase or collide', () => {
    expect(() => defineOptions('t', { min_distance: opt.number({ doc: 'x' }) })).toThrow(/not camelCase/);
    expect(() =>
      defineOptions('t', { a: opt.number({ doc: 'x', aliases: ['b'] }), b: opt.number({ doc: 'y' }) }),
    ).toThrow(/declared twice/);
  });
});

describe('values from text', () => {
  const s = spotsSchema.specs;
  it.each([
    [s.roi, '7', 7],
    [s.roi, ' 7 ', 7],
    [s.roi, '7.5', 7.5],
    [s.roi, 'seven', 'seven'],
    [s.roi, '', ''],
    [s.smooth, '1e-3', 1e-3],
    [s.smooth, 'inf', Infinity],
    [s.joint, 'yes', true],
    [s.joint, 'OFF', false],
    [s.joint, '0', false],
    [s.joint, 'maybe', 'maybe'],
    [s.estimator, 'Poisson', 'poisson'],
    [s.estimator, 'MLE', 'mle'],
    [s.estimator, 'x', 'x'],
    [s.out, '5', '5'],
    [solverSchema.specs.maxIterations, 'auto', 'auto'],
    [solverSchema.specs.xScale, '1,2.5', [1, 2.5]],
    [solverSchema.specs.xScale, 'jac', 'jac'],
    [solverSchema.specs.xScale, '1,a', '1,a'],
    [s.threshold, '12', 12],
    [s.threshold, '5sigma', '5sigma'],
  ])('parseCliValue(%#) reads %j', (spec, text, expected) => {
    expect(parseCliValue(spec, text)).toEqual(expected);
  });

  it('parseScriptValue passes typed values and reads bare words', () => {
    expect(parseScriptValue(s.roi, 3)).toBe(3);
    expect(parseScriptValue(s.joint, 1)).toBe(true);
    expect(parseScriptValue(s.joint, 'no')).toBe(false);
    expect(parseScriptValue(s.estimator, 'mle')).toBe('mle');
    expect(parseScriptValue(solverSchema.specs.xScale, new Float64Array([1, 2]))).toEqual([1, 2]);
  });

  it('parseOptions validates CLI strings and script values in their spelling', () => {
    const cli = parseOptions(spotsSchema, { 'min-distance': '3', joint: 'no', estimator: 'mle' }, 'cli');
    expect(cli).toMatchObject({ minDistance: 3, joint: false, estimator: 'poisson' });
    // commander hands over camelCase keys: read the same way, reported as flags
    expect(parseOptions(spotsSchema, { minDistance: '3', maxGroupSize: '9' }, 'cli')).toMatchObject({
      minDistance: 3,
      maxGroupSize: 9,
    });
    const script = parseOptions(spotsSchema, { max_group: 4, residual_passes: 2 }, 'script');
    expect(script).toMatchObject({ maxGroupSize: 4, residualPasses: 2 });
    const e = optionError(() => parseOptions(spotsSchema, { roi: 'seven' }, 'cli'));
    expect(e.message).toBe("spots option '--roi' must be an integer >= 1 and <= 1000, got 'seven'");
    expect(optionError(() => parseOptions(spotsSchema, { rio: '3' }, 'cli')).hints).toEqual([
      "did you mean '--roi'?",
    ]);
  });
});

describe('help, completion and docs', () => {
  it('lists keys per front end in declaration order', () => {
    expect(optionKeys(spotsSchema, 'api')).not.toContain('out');
    expect(optionKeys(spotsSchema, 'cli')).not.toContain('onProgress');
    expect(completions(spotsSchema).slice(0, 3)).toEqual(['min_distance=', 'threshold=', 'smooth=']);
    expect(completions(spotsSchema, 'cli')).toContain('--max-group-size');
  });

  it('spells CLI flags', () => {
    expect(cliFlag('minDistance', spotsSchema.specs.minDistance)).toBe('--min-distance <integer>');
    expect(cliFlag('joint', spotsSchema.specs.joint)).toBe('--[no-]joint');
    expect(cliFlag('estimator', spotsSchema.specs.estimator)).toBe('--estimator <lse|poisson>');
    expect(cliFlag('maxIterations', solverSchema.specs.maxIterations)).toBe(
      '--max-iterations <integer|auto>',
    );
  });

  it('writes :help lines with docs and defaults', () => {
    const lines = helpLines(spotsSchema, 'script');
    expect(lines[0]).toMatch(
      /^ {2}min_distance=<integer> +Peaks are separated by more than this \(pixels\) \(default 1\)$/,
    );
    expect(lines.some((l) => l.includes('on_progress'))).toBe(false);
    expect(helpLines(spotsSchema, 'cli')[0]).toMatch(/^ {2}--min-distance <integer> /);
  });

  it('generates the markdown table', () => {
    const table = markdownTable(fitSchema);
    expect(table.split('\n')).toEqual([
      '| option | type | default | allowed | description |',
      '|---|---|---|---|---|',
      "| `method` | lm\\|lbfgsb\\|nelder | `lm` | one of 'lm', 'lbfgsb' or 'nelder' | Minimizer |",
      "| `loss` | linear\\|soft_l1\\|huber\\|cauchy\\|arctan | `linear` | one of 'linear', 'soft_l1', 'huber', 'cauchy' or 'arctan' | Robust loss |",
      "| `estimator` | lsq\\|poisson\\|likelihood | `lsq` | one of 'lsq', 'poisson' or 'likelihood' | Estimator |",
      '| `maxfev` | integer |  | an integer > 0 | Most function evaluations |',
      '| `starts` | integer | `1` | an integer >= 1 and <= 10000 | Multi-start count |',
      '',
    ]);
    expect(markdownTable(spotsSchema, 'cli')).toContain('| `--max-group-size` | integer | `25` |');
  });

  it('describes expected values', () => {
    expect(expectedText(spotsSchema.specs.joint)).toBe('true or false');
    expect(expectedText(spotsSchema.specs.out)).toBe('a string');
  });
});

describe('helpers for front ends', () => {
  it('valueWords: enum values and aliases, true/false', () => {
    expect(valueWords(spotsSchema.specs.estimator)).toEqual(['lse', 'poisson', 'lsq', 'mle']);
    expect(valueWords(spotsSchema.specs.joint)).toEqual(['true', 'false']);
    expect(valueWords(spotsSchema.specs.roi)).toEqual([]);
  });

  it('optionKeyOf maps a spelling or alias to its key', () => {
    expect(optionKeyOf(spotsSchema, 'max_group', 'script')).toBe('maxGroupSize');
    expect(optionKeyOf(spotsSchema, '--min-distance', 'cli')).toBe('minDistance');
    expect(optionKeyOf(spotsSchema, 'minDistance', 'api')).toBe('minDistance');
    expect(optionKeyOf(spotsSchema, 'constructor', 'script')).toBeUndefined();
    expect(optionKeyOf(spotsSchema, 'onProgress', 'cli')).toBeUndefined();
  });

  it('OptionError.at spells the key for a front end and points at a span of a script', () => {
    const e = optionError(() => validateOptions(spotsSchema, { maxGroupSize: 0 }));
    const source = { text: 'spots img max_group_size=0', file: 'a.fit' };
    const span = { start: 25, end: 26, line: 1, column: 26 };
    const at = e.at('script', span, source);
    expect(at).toBeInstanceOf(OptionError);
    expect(at.message).toBe("spots option 'max_group_size' must be an integer >= 1, got 0");
    expect(at.detail).toBe(e.detail);
    expect(at.span).toBe(span);
    expect(at.format()).toMatch(/^a\.fit:1:26: error: spots option 'max_group_size'/);
    expect(at.forFrontEnd('cli').span).toBe(span);
  });

  it("optionDoc adds the default; helpLines aligns a front end's own rows with the schema's", () => {
    expect(optionDoc(spotsSchema.specs.roi)).toBe('Half-width of the fitted region (default 7)');
    const lines = helpLines(spotsSchema, 'script', [['name=<name>', 'the table']]);
    const at = lines[0].indexOf('Peaks');
    expect(lines.at(-1)!.indexOf('the table')).toBe(at);
  });
});
