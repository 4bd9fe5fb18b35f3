/**
 * The `spots` statement of `.fit` scripts and the REPL (src/script/spots.ts): the table it binds, `col`,
 * `print`, `save` to .csv/.tsv/.json/.npy/.png, its options, errors positioned at the option that caused them,
 * the static check, `:help spots` and completion.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NdArray } from '../../src/data/ndarray.ts';
import { encodeNpy, parseNpy } from '../../src/data/npy.ts';
import { checkStatements } from '../../src/script/check.ts';
import { isTable, type TableValue } from '../../src/script/values.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { Session } from '../../src/repl/session.ts';
import { makeCompleter } from '../../src/repl/completer.ts';
import { errorOf, exec, normal, writeFile, freshSessions, type Run } from './helpers.ts';
import { OptionError } from '../../src/core/options.ts';
import { getCommand } from '../../src/script/statements/index.ts';

const fresh = freshSessions();

const COLUMNS = [
  'id',
  'x',
  'y',
  'amplitude',
  'sigma_x',
  'sigma_y',
  'theta',
  'background',
  'x_err',
  'y_err',
  'amplitude_err',
  'chi2',
  'iterations',
  'status',
];

/** Spots (x, y, amplitude) with sigma 1.5 on a background of 10; the last two are 4.5 px apart. */
const TRUTH: [number, number, number][] = [
  [8.3, 9.6, 200],
  [30.7, 8.2, 150],
  [10.4, 34.1, 180],
  [27.2, 30.4, 200],
  [31.6, 31.9, 160],
];

/** A 44x40 image [rows, columns] of the spots above with Gaussian noise (sd 1.5). */
function image(seed = 11): NdArray {
  const H = 44;
  const W = 40;
  const n = normal(seed);
  const data = new Float64Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let v = 10;
      for (const [x0, y0, a] of TRUTH) v += a * Math.exp(-((j - x0) ** 2 + (i - y0) ** 2) / (2 * 1.5 ** 2));
      data[i * W + j] = v + 1.5 * n();
    }
  }
  return new NdArray(data, [H, W]);
}

/** A run with the image `img` written as img.npy and loaded. */
async function withImage(): Promise<Run> {
  const r = fresh();
  writeFile(r, 'img.npy', encodeNpy(image()));
  await exec(r, 'img = load("img.npy")');
  return r;
}

function table(r: Run, name = 'spots'): TableValue {
  const v = r.interp.variables.get(name);
  if (v === undefined || !isTable(v)) throw new Error(`${name} is not a table`);
  return v;
}

/** Every truth position matched by one row within `tol` pixels (and as many rows as spots). */
function expectTruth(xs: ArrayLike<number>, ys: ArrayLike<number>, tol: number): void {
  expect(xs.length).toBe(TRUTH.length);
  const used = new Set<number>();
  for (const [x0, y0] of TRUTH) {
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < xs.length; i++) {
      const d = Math.hypot(xs[i] - x0, ys[i] - y0);
      if (d < bestD && !used.has(i)) [best, bestD] = [i, d];
    }
    used.add(best);
    expect(bestD).toBeLessThan(tol);
  }
}

describe('spots statement', () => {
  it('finds and fits the spots, binds the table spots and notes the summary', async () => {
    const r = await withImage();
    await exec(r, 'spots img roi=5 estimator=poisson min_distance=2');
    const t = table(r);
    expect(t.names).toEqual(COLUMNS);
    expect(t.rows).toBe(TRUTH.length);
    expectTruth(t.columns.x, t.columns.y, 0.1);
    expect(Array.from(t.columns.status)).toEqual(new Array(TRUTH.length).fill(0));
    expect(r.info).toHaveLength(1);
    expect(r.info[0]).toMatch(/^spots img: 5 spots, 5 converged, 1 crowded group fitted jointly, [\d.]+ s$/);
    expect(r.interp.unconverged).toBe(0);
  });

  it('print shows the summary and the first rows; col gives a column as an array', async () => {
    const r = await withImage();
    await exec(
      r,
      'spots img\nprint spots\nsx = col(spots, "x")\nprint size(sx)\nset digits=3\nprint spots\nprint col(spots, "id")',
    );
    const lines = r.out[0].split('\n');
    expect(lines[0]).toMatch(/^table \(14 columns\): 5 spots, 5 converged/);
    expect(lines[1].trim().split(/\s+/)).toEqual(COLUMNS);
    expect(lines).toHaveLength(2 + TRUTH.length);
    const first = lines[2].trim().split(/\s+/).map(Number);
    expect(first[0]).toBe(0);
    expect(first[1]).toBeCloseTo(table(r).columns.x[0], 4);
    expect(r.out[1]).toBe('5');
    expect(r.out[2].split('\n')[2].trim().split(/\s+/)[1]).toMatch(/^\d+\.\d$/); // 3 digits, e.g. 27.2
    expect(r.out[3]).toBe('[0, 1, 2, 3, 4]');
    const sx = r.interp.variables.get('sx') as NdArray;
    expect(sx.shape).toEqual([5]);
    expect(Array.from(sx.data)).toEqual(Array.from(table(r).columns.x));
  });

  it('prints at most 10 rows and counts the rest', async () => {
    const r = fresh();
    // 16 spots on a 4x4 lattice, 10 px apart
    const W = 44;
    const data = new Float64Array(W * W).fill(5);
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++)
        for (let i = 0; i < W; i++)
          for (let j = 0; j < W; j++)
            data[i * W + j] += 100 * Math.exp(-((j - 7 - 10 * a) ** 2 + (i - 7 - 10 * b) ** 2) / 2);
    r.interp.variables.set('img', new NdArray(data, [W, W]));
    await exec(r, 'spots img threshold=50\nprint spots');
    const lines = r.out[0].split('\n');
    expect(lines[0]).toMatch(/16 spots/);
    expect(lines).toHaveLength(2 + 10 + 1);
    expect(lines[12]).toBe('... 6 more spots');
  });

  it('saves the table as .csv (the columns of issue 5), .tsv, .json, .npy and the overlay as .png', async () => {
    const r = await withImage();
    await exec(
      r,
      [
        'spots img roi=5',
        'save spots to "out/spots.csv"',
        'save spots to "out/spots.tsv"',
        'save spots to "out/spots.json"',
        'save spots to "out/spots.npy"',
        'save spots to "out/overlay.png"',
        'save spots to "out/overlay2.png" scale=2 nsigma=3 range=[0, 100]',
      ].join('\n'),
    );
    const csv = readFileSync(join(r.dir, 'out/spots.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(COLUMNS.join(','));
    expect(csv).toHaveLength(1 + TRUTH.length);
    const rows = csv.slice(1).map((l) => l.split(',').map(Number));
    expectTruth(
      rows.map((c) => c[1]),
      rows.map((c) => c[2]),
      0.1,
    );
    expect(rows[0][1]).toBe(table(r).columns.x[0]); // full precision
    expect(readFileSync(join(r.dir, 'out/spots.tsv'), 'utf8').split('\n')[0]).toBe(COLUMNS.join('\t'));
    const json = JSON.parse(readFileSync(join(r.dir, 'out/spots.json'), 'utf8')) as Record<string, number[]>;
    expect(Object.keys(json)).toEqual(COLUMNS);
    expect(json.y).toEqual(Array.from(table(r).columns.y));
    const npy = parseNpy(readFileSync(join(r.dir, 'out/spots.npy')), 'spots.npy');
    expect(npy.shape).toEqual([TRUTH.length, COLUMNS.length]);
    expect(npy.get(1, 2)).toBe(table(r).columns.y[1]);
    for (const f of ['overlay.png', 'overlay2.png']) {
      const png = readFileSync(join(r.dir, 'out', f));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
    // width of the PNG (IHDR): the default scale for a 40-pixel-wide image is 8, scale=2 gives 80
    expect(readFileSync(join(r.dir, 'out/overlay.png')).readUInt32BE(16)).toBe(320);
    expect(readFileSync(join(r.dir, 'out/overlay2.png')).readUInt32BE(16)).toBe(80);
    expect(r.info.filter((l) => l.startsWith('wrote'))).toHaveLength(6);
    // the CSV reads back with data
    await exec(r, 'data "out/spots.csv" prefix=t_\nprint t_amplitude[0] == col(spots, "amplitude")[0]');
    expect(r.out.at(-1)).toBe('1');
  });

  it('writes out= and overlay= files, names the table with name=, and reads threshold=5sigma', async () => {
    const r = await withImage();
    await exec(r, 'spots img threshold=5sigma name=cells out="o/cells.csv" overlay="o/cells.png"');
    expect(r.interp.variables.has('spots')).toBe(false);
    expect(table(r, 'cells').rows).toBe(TRUTH.length);
    expect(readFileSync(join(r.dir, 'o/cells.csv'), 'utf8').split('\n')[0]).toBe(COLUMNS.join(','));
    expect(existsSync(join(r.dir, 'o/cells.png'))).toBe(true);
    expect(r.info[0]).toMatch(/\(table cells\)$/);
    expect(r.info.slice(1)).toEqual([
      `wrote ${join(r.dir, 'o/cells.csv')}`,
      `wrote ${join(r.dir, 'o/cells.png')}`,
    ]);
    // the same as the string form
    await exec(r, 'spots img threshold="5sigma"');
    expect(Array.from(table(r).columns.x)).toEqual(Array.from(table(r, 'cells').columns.x));
  });

  it('passes the options through: models, estimators, joint=false, peaks from a table, start values, threads', async () => {
    const r = await withImage();
    await exec(
      r,
      [
        'spots img model=rotated estimator=lse name=rot',
        'spots img joint=false name=alone',
        'spots img peaks=rot roi=4 name=again',
        'spots img peaks=[[8, 10], [31, 8]] name=two',
        'spots img model="A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))^p + bg" start_p=1 name=user',
        'spots img model=A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg name=expr',
        'spots img threads=2 name=threaded',
        'spots img threads=1 name=single',
      ].join('\n'),
    );
    const rot = table(r, 'rot');
    expectTruth(rot.columns.x, rot.columns.y, 0.1);
    expect(rot.columns.theta.some((v) => v !== 0)).toBe(true);
    expect(rot.columns.sigma_x.some((v, i) => v !== rot.columns.sigma_y[i])).toBe(true);
    expect(r.info[0]).toMatch(/^spots img: 5 spots, 5 converged, 1 crowded group/);
    expect(r.info[1]).toMatch(/0 crowded groups/);
    expect(table(r, 'again').rows).toBe(TRUTH.length);
    expect(table(r, 'two').rows).toBe(2);
    for (const n of ['user', 'expr']) expectTruth(table(r, n).columns.x, table(r, n).columns.y, 0.15);
    expect(Array.from(table(r, 'threaded').columns.x)).toEqual(Array.from(table(r, 'single').columns.x));
  });

  it('a spots table is a value: assigned, listed by :vars, but not usable in arithmetic', async () => {
    const r = await withImage();
    await exec(r, 'spots img\nt = spots');
    expect(table(r, 't').rows).toBe(TRUTH.length);
    const e = await errorOf(() => exec(r, 'y = spots + 1'));
    expect(e.message).toMatch(/a table \(5 rows; columns id, x, y, .*\) cannot be used in arithmetic/);
  });

  it('spot fits that do not converge are a warning and count as an unconverged fit (exit status 3)', async () => {
    const r = await withImage();
    // sqrt(q) with q < 0: every fit is non-finite from the start
    await exec(r, 'spots img model="A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))*sqrt(q) + bg" start_q=-1');
    const t = table(r);
    expect(t.rows).toBeGreaterThan(0);
    expect(Array.from(t.columns.status).every((v) => v === 3)).toBe(true);
    expect(r.warn).toEqual([
      `warning: spots img: ${t.rows} of ${t.rows} spot fits did not converge (${t.rows} non-finite); see the status column`,
    ]);
    expect(r.interp.unconverged).toBe(1);
  });

  it('finding no spot gives an empty table', async () => {
    const r = await withImage();
    await exec(r, 'spots img threshold=1e9\nprint spots\nsave spots to "none.csv"');
    expect(table(r).rows).toBe(0);
    expect(r.out[0]).toMatch(/^table \(14 columns\): 0 spots/);
    expect(readFileSync(join(r.dir, 'none.csv'), 'utf8')).toBe(COLUMNS.join(',') + '\n');
  });
});

describe('spots errors are positioned', () => {
  // [script line after `img = ...`, message, the text the caret marks]
  const bad: [string, RegExp, string][] = [
    ['spots', /spots needs an image/, 'spots'],
    ['spots zz', /unknown name 'zz'/, 'zz'],
    ['spots img extra', /spots takes one image argument/, 'extra'],
    ['spots v', /spots needs a 2-D image \[rows, columns\], but this is an array of shape \[3\]/, 'v'],
    ['spots img roi=0', /^spots option 'roi' must be an integer >= 1, got 0$/, '0'],
    ['spots img roi=2.5', /^spots option 'roi' must be an integer >= 1, got 2\.5$/, '2.5'],
    ['spots img max_peaks=-1', /^spots option 'max_peaks' must be an integer >= 1, got -1$/, '-1'],
    ['spots img threads=0', /^spots option 'threads' must be an integer >= 1 and <= 256, got 0$/, '0'],
    [
      'spots img estimator=poison',
      /^spots option 'estimator' must be one of 'lse' or 'poisson', got 'poison'$/,
      'poison',
    ],
    ['spots img stop=fast', /^spots option 'stop' must be 'gpufit', 'strict' or /, 'fast'],
    ['spots img joint=maybe', /^spots option 'joint' must be true or false, got 'maybe'$/, 'maybe'],
    ['spots img modle=rotated', /^unknown spots option 'modle'$/, 'modle'],
    ['spots img model=rotatd', /unknown spot model 'rotatd'/, 'rotatd'],
    [
      'spots img model="A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))*beta + bg"',
      /no start value for the model parameter 'beta'/,
      '"A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))*beta + bg"',
    ],
    ['spots img model="A*exp(-(x-x0)^2-(y-y0)^2 + bg"', /in the model: unexpected end of input/, '"'],
    ['spots img threshold=[1, 2]', /threshold is a number or like "5sigma"/, '[1, 2]'],
    [
      'spots img threshold=t',
      /^spots option 'threshold' must be a number \(absolute, may be negative\) or k·sigma with k >= 0 like '5sigma', got 't'$/,
      't',
    ],
    ['spots img peaks=[1, 2]', /peaks is a table with columns x and y, or an array \[n, 2\]/, '[1, 2]'],
    ['spots img peaks=[[1000, 3]]', /peak 0 at \(1000, 3\) is outside the 40x44 image/, '[[1000, 3]]'],
    [
      'spots img residual_passes=-1',
      /^spots option 'residual_passes' must be an integer >= 0, got -1$/,
      '-1',
    ],
    ['spots img name=1', /name must be a name/, '1'],
    ['param spots = 1\nspots img', /'spots' is a parameter/, 'spots'],
    [
      'spots img\nsave spots to "s.svg"',
      /a table is saved as \.csv, .* or \.png \(the overlay\), not \.svg/,
      '"s.svg"',
    ],
    ['spots img\nsave spots to "s.csv" scale=2', /option scale is for the overlay/, 'scale'],
    [
      'spots img\nsave spots to "s.png" colormap=grey',
      /unknown option 'colormap' for saving a table/,
      'colormap',
    ],
    ['save img to "i.png" nsigma=2', /option nsigma is for the overlay of a spots table/, 'nsigma'],
    ['spots img\nprint col(spots, "xx")', /the table has no column "xx"/, '"xx"'],
    ['print col(img, "x")', /col needs a table/, 'img'],
    ['spots zeros([0, 0])', /^the image is empty \(shape \[0, 0\]\)/, 'zeros([0, 0])'],
    ['e = zeros([0, 5])\nspots e', /^the image is empty \(shape \[0, 5\]\)/, 'e'],
    ['n = full([8, 9], nan)\nspots n', /^the image has no finite pixels: all 72 pixels/, 'n'],
    [
      'spots img threshold="-5sigma"',
      /^spots option 'threshold' must be .* k·sigma with k >= 0 .*, got '-5sigma'$/,
      '"-5sigma"',
    ],
    [
      'spots img threshold=-3sigma',
      /^spots option 'threshold' must be .* k·sigma with k >= 0 .*, got '-3sigma'$/,
      '-3',
    ],
    [
      'spots img model="A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))*beta + bg" start_beta=1 start_bta=2',
      /start value for 'bta': the model has no such parameter/,
      '2',
    ],
  ];
  it.each(bad)('%s', async (text, message, marked) => {
    const r = await withImage();
    await exec(r, 'v = [1, 2, 3]');
    const e = await errorOf(() => exec(r, text));
    expect(e.message).toMatch(message);
    expect(e.span).toBeDefined();
    expect(e.source?.text).toBe(text);
    const lastLine = text.split('\n').length;
    expect(e.span!.line).toBe(lastLine);
    expect(text.slice(e.span!.start, e.span!.end)).toBe(marked);
    expect(e.format()).toMatch(/test\.fit:\d+:\d+: error: /);
  });

  it('hints at the fix', async () => {
    const r = await withImage();
    const hint = async (text: string) => (await errorOf(() => exec(r, text))).hints.join('\n');
    expect(await hint('spots img modle=rotated')).toMatch(/did you mean 'model'/);
    expect(await hint('spots img model="A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))*beta + bg"')).toMatch(
      /start_beta=/,
    );
    expect(await hint('spots img no_joint')).toMatch(/joint=false/);
    expect(await hint('spots img\nprint col(spots, "amplitud")')).toMatch(/did you mean "amplitude"/);
  });
});

describe('spots in the static check', () => {
  async function check(text: string) {
    const r = fresh();
    writeFile(r, 'img.npy', encodeNpy(image()));
    return checkStatements(parseScript(text, 'x.fit'), { text, file: 'x.fit' }, { baseDir: r.dir });
  }

  it('knows the table name the statement defines', async () => {
    await check(
      'img = load("img.npy")\nspots img roi=5 threshold="5sigma" estimator=poisson threads=2\nsave spots to "s.csv"\nprint col(spots, "x")',
    );
    await check(
      'img = load("img.npy")\nspots img name=cells model=rotated\nprint cells\nsave cells to "c.png" scale=2',
    );
    await check(
      'img = load("img.npy")\nspots img threshold=5sigma\nspots img peaks=spots model="A*exp(-x^2-y^2)+c"',
    );
  });

  const bad: [string, RegExp, number][] = [
    ['print spots', /unknown name 'spots'/, 1],
    ['img = load("img.npy")\nspots imgg', /unknown name 'imgg'/, 2],
    ['img = load("img.npy")\nspots', /spots needs an image/, 2],
    ['img = load("img.npy")\nspots img roi=5 estimater=lse', /^unknown spots option 'estimater'$/, 2],
    [
      'img = load("img.npy")\nspots img estimator=lsee',
      /^spots option 'estimator' must be one of 'lse' or 'poisson', got 'lsee'$/,
      2,
    ],
    ['img = load("img.npy")\nspots img model=rotatd', /unknown spot model 'rotatd'/, 2],
    ['img = load("img.npy")\nspots img threshold=sigma5', /threshold is a number or like "5sigma"/, 2],
    ['img = load("img.npy")\nspots img roi=k', /unknown name 'k'/, 2],
    ['img = load("img.npy")\nspots img name=cells\nprint spots', /unknown name 'spots'/, 3],
    ['img = load("img.npy")\nparam spots = 1\nspots img', /'spots' is a parameter/, 3],
    ['img = load("img.npy")\nspots img a b', /spots takes one image argument/, 2],
  ];
  it.each(bad)('rejects %s', async (text, message, line) => {
    const e = await errorOf(() => check(text));
    expect(e.message).toMatch(message);
    expect(e.span?.line).toBe(line);
  });
});

describe('spots in the REPL', () => {
  it('runs, prints the summary on the output, and has help and completion', async () => {
    const r = fresh();
    writeFile(r, 'img.npy', encodeNpy(image()));
    const out: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: r.dir });
    expect(await s.handle('img = load("img.npy")')).toBe('ok');
    expect(await s.handle('spots img roi=5')).toBe('ok');
    expect(out.at(-1)).toMatch(/^spots img: 5 spots/);
    expect(await s.handle('print col(spots, "x")[0]')).toBe('ok');
    expect(Number(out.at(-1))).toBeCloseTo(table({ interp: s.interp } as Run).columns.x[0], 12);
    expect(await s.handle(':vars')).toBe('ok');
    expect(out.at(-1)).toMatch(/spots\s+table, 5 rows: id, x, y, amplitude/);
    expect(await s.handle(':help spots')).toBe('ok');
    expect(out.at(-1)).toMatch(/^spots: find and fit the spots/);
    expect(out.at(-1)).toContain('save spots to "spots.png"');
    expect(await s.handle(':help col')).toBe('ok');
    expect(out.at(-1)).toMatch(/col\(table, "name"\)/);
    expect(await s.handle(':help')).toBe('ok');
    expect(out.at(-1)).toMatch(/\n {2}spots +find and fit the spots/);
    expect(await s.handle('spots img roi=0')).toBe('error');
    expect(errors).toHaveLength(1);
    const complete = makeCompleter(s.interp, r.dir);
    expect(complete('spo')[0]).toContain('spots');
    expect(complete(':help spo')[0]).toContain('spots');
    expect(complete('x = col(sp')[0]).toContain('spots');
  });
});

describe('spots options from the schema', () => {
  it('an option error names the key as a script writes it, at the value; the detail keeps the key', async () => {
    const r = await withImage();
    for (const [text, message, marked] of [
      ['spots img max_group_size=0', "spots option 'max_group_size' must be an integer >= 1, got 0", '0'],
      ['spots img maxGroup=0', "spots option 'max_group_size' must be an integer >= 1, got 0", '0'],
      [
        'spots img split_blends=perhaps',
        "spots option 'split_blends' must be true or false, got 'perhaps'",
        'perhaps',
      ],
      ['spots img min_distanse=2', "unknown spots option 'min_distanse'", 'min_distanse'],
      [
        'spots img roi=3 max_group=3 max_group_size=4',
        "spots option 'max_group_size' is given twice (4)",
        '4',
      ],
    ]) {
      const e = await errorOf(() => exec(r, text));
      expect(e.message).toBe(message);
      expect(text.slice(e.span!.start, e.span!.end)).toBe(marked);
      expect((e as OptionError).detail.key).toMatch(/^(maxGroupSize|splitBlends|minDistanse)$/);
    }
    const unknown = await errorOf(() => exec(r, 'spots img min_distanse=2'));
    expect(unknown.hints).toEqual(["did you mean 'min_distance'?"]);
  });

  it('takes every option of the schema: max_group_size, residual_passes, split_blends, words bare or quoted', async () => {
    const r = await withImage();
    await exec(
      r,
      [
        'spots img max_group_size=1 name=alone',
        'spots img residual_passes=1 split_blends=false stop="strict" estimator=mle joint=yes name=all',
      ].join('\n'),
    );
    expect(r.info[0]).toMatch(/0 crowded groups fitted jointly/);
    expect(table(r, 'all').rows).toBe(TRUTH.length);
  });

  it('offers the options and their words for completion and lists them in :help', () => {
    const complete = makeCompleter(fresh().interp, '.');
    expect(complete('spots img max_gr')[0]).toEqual(['max_group_size=']);
    expect(complete('spots img estimator=')[0]).toEqual(['lse', 'poisson', 'lsq', 'mle']);
    expect(complete('spots img split_blends=')[0]).toEqual(['true', 'false']);
    expect(getCommand('spots')!.help).toMatch(
      /\n {2}max_group_size=<integer> +groups with more spots .* \(default 25\)/,
    );
  });
});
