/**
 * Array functions of the `.fit` language and the REPL (`linspace`, `load`, `grid`, `gausskernel`, `smooth`,
 * ...): a table of entries, each with its help text. They run in the interpreter before the element-wise rest
 * of an expression is compiled (src/script/evaluate.ts). Add a function with {@link registerFunction}.
 *
 * Keyword arguments do not exist in the language: optional arguments are positional (`smooth(x, y, lam)`).
 */
import { matmul } from '../arrays/index.ts';
import { closestMatches, ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { loadArray } from '../data/node.ts';
import { savedResultOf } from './readResult.ts';
import * as A from '../arrays/index.ts';
import {
  asArray,
  asInteger,
  asNumber,
  asShape,
  asString,
  describeType,
  isSpline,
  isTable,
  positioned,
  showPathAsWritten,
  simplifyValue,
  typeError,
  type FitValue,
  type Value,
  type Where,
} from './values.ts';

/** What a function sees besides its arguments. */
export interface CallContext {
  /** Position of the whole call (for errors). */
  readonly where: Where;
  /** Position of argument `i` (falls back to the call). */
  arg(i: number): Where;
  /** A file name from the script, resolved against the script's folder. */
  resolvePath(file: string): string;
}

export interface ScriptFunction {
  readonly name: string;
  /** Allowed argument counts `[min, max]`. */
  readonly arity: readonly [number, number];
  /** How many values it returns (`grid`: 2, for `x, y = grid(img)`); default 1. */
  readonly returns?: number;
  readonly signature: string;
  readonly description: string;
  /** Example lines for `:help` and docs/cli.md. */
  readonly examples?: readonly string[];
  call(args: readonly Value[], ctx: CallContext): Value | Promise<Value>;
}

const TABLE = new Map<string, ScriptFunction>();

/** Adds (or replaces) an array function; it is then callable from scripts and the REPL and listed in `:help`. */
export function registerFunction(fn: ScriptFunction): void {
  TABLE.set(fn.name, fn);
}

export function getScriptFunction(name: string): ScriptFunction | undefined {
  return TABLE.get(name);
}

/** `1 argument`, `2 to 3 arguments`, `at least 1 argument`. */
export function arityDescription(arity: readonly [number, number]): string {
  const [lo, hi] = arity;
  const word = (k: number) => (k === 1 ? 'argument' : 'arguments');
  if (lo === hi) return `${lo} ${word(lo)}`;
  if (hi === Infinity) return `at least ${lo} ${word(lo)}`;
  return `${lo} to ${hi} arguments`;
}

export function scriptFunctionNames(): string[] {
  return [...TABLE.keys()].sort();
}

// ---------------------------------------------------------------------------------------------------------
// helpers

function arr(args: readonly Value[], i: number, ctx: CallContext, what: string): NdArray {
  return asArray(args[i], what, ctx.arg(i));
}
function num(args: readonly Value[], i: number, ctx: CallContext, what: string): number {
  return asNumber(args[i], what, ctx.arg(i));
}
function int(args: readonly Value[], i: number, ctx: CallContext, what: string): number {
  return asInteger(args[i], what, ctx.arg(i));
}
function optAxis(args: readonly Value[], i: number, ctx: CallContext): number | undefined {
  return args.length > i ? int(args, i, ctx, 'axis') : undefined;
}
/** A number or a list of numbers (one per axis). */
function numOrList(args: readonly Value[], i: number, ctx: CallContext, what: string): number | number[] {
  const v = args[i];
  if (typeof v === 'number') return v;
  if (v instanceof NdArray && v.ndim <= 1) return Array.from(v.data);
  throw typeError(`${what} must be a number or a list such as [1, 2]`, ctx.arg(i));
}
function result(a: NdArray): number | NdArray {
  return simplifyValue(a);
}
function oneOf<T extends string>(v: Value, allowed: readonly T[], what: string, where: Where): T {
  const s = asString(v, what, where);
  if ((allowed as readonly string[]).includes(s)) return s as T;
  throw new ExprfitError(
    'value',
    `${what} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${s}"`,
    {
      span: where.span,
      source: where.source,
    },
  );
}

function reduction(name: 'sum' | 'mean' | 'std' | 'min' | 'max', description: string): ScriptFunction {
  const isStd = name === 'std';
  return {
    name,
    arity: [1, isStd ? 3 : 2],
    signature: isStd ? `${name}(a, axis?, ddof?)` : `${name}(a, axis?)`,
    description,
    examples: [`${name}(img)`, `${name}(img, 0)`],
    call(args, ctx) {
      const a = arr(args, 0, ctx, `${name} argument`);
      const axis = optAxis(args, 1, ctx);
      if (name === 'std') {
        const ddof = args.length > 2 ? num(args, 2, ctx, 'ddof') : 0;
        return result(A.std(a, axis, { ddof }));
      }
      return result(A[name](a, axis));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// the builtin array functions

const BUILTINS: ScriptFunction[] = [
  {
    name: 'linspace',
    arity: [2, 3],
    signature: 'linspace(start, stop, n?)',
    description: 'n evenly spaced values from start to stop, both included (default n = 50).',
    examples: ['u = linspace(-1, 1, 30)'],
    call: (args, ctx) =>
      A.linspace(
        num(args, 0, ctx, 'start'),
        num(args, 1, ctx, 'stop'),
        args.length > 2 ? int(args, 2, ctx, 'n') : 50,
      ),
  },
  {
    name: 'arange',
    arity: [1, 3],
    signature: 'arange(stop) or arange(start, stop, step?)',
    description: 'Values start, start+step, ... below stop (numpy.arange; default start 0, step 1).',
    examples: ['k = arange(10)', 't = arange(0, 1, 0.1)'],
    call(args, ctx) {
      if (args.length === 1) return A.arange(num(args, 0, ctx, 'stop'));
      return A.arange(
        num(args, 0, ctx, 'start'),
        num(args, 1, ctx, 'stop'),
        args.length > 2 ? num(args, 2, ctx, 'step') : 1,
      );
    },
  },
  {
    name: 'zeros',
    arity: [1, 1],
    signature: 'zeros(shape)',
    description: 'An array of zeros; shape is a size or a list of sizes such as [100, 200].',
    examples: ['z = zeros([100, 200])'],
    call: (args, ctx) => A.zeros(asShape(args[0], 'zeros shape', ctx.arg(0))),
  },
  {
    name: 'ones',
    arity: [1, 1],
    signature: 'ones(shape)',
    description: 'An array of ones; shape is a size or a list of sizes.',
    examples: ['w = ones(50)'],
    call: (args, ctx) => A.ones(asShape(args[0], 'ones shape', ctx.arg(0))),
  },
  {
    name: 'full',
    arity: [2, 2],
    signature: 'full(shape, value)',
    description: 'An array of the given shape filled with value.',
    examples: ['s = full(50, 0.1)'],
    call: (args, ctx) => A.full(asShape(args[0], 'full shape', ctx.arg(0)), num(args, 1, ctx, 'value')),
  },
  {
    name: 'grid',
    arity: [1, 2],
    returns: 2,
    signature: 'grid(img) or grid(h, w) or grid([h, w])',
    description:
      'Pixel-centre coordinates of an image: x is the column index (shape [1, w]) and y the row index (shape [h, 1]); they broadcast to the image shape. Use as x, y = grid(img).',
    examples: ['x, y = grid(img)', 'x, y = grid(1000, 1000)'],
    call(args, ctx) {
      let shape: number[];
      if (args.length === 2) shape = [int(args, 0, ctx, 'h'), int(args, 1, ctx, 'w')];
      else {
        const a = arr(args, 0, ctx, 'grid argument');
        shape = a.ndim === 1 && a.size === 2 ? asShape(a, 'grid shape', ctx.arg(0)) : [...a.shape];
      }
      const g = A.grid(shape);
      return { kind: 'tuple', items: [g.x, g.y] };
    },
  },
  {
    name: 'meshgrid',
    arity: [2, 2],
    returns: 2,
    signature: 'meshgrid(x, y)',
    description:
      'Full coordinate arrays X, Y of shape [len(y), len(x)] from two vectors (numpy/MATLAB meshgrid).',
    examples: ['X, Y = meshgrid(linspace(-3, 3, 100), linspace(-2, 2, 80))'],
    call(args, ctx) {
      const [X, Y] = A.meshgrid(arr(args, 0, ctx, 'x'), arr(args, 1, ctx, 'y'));
      return { kind: 'tuple', items: [X, Y] };
    },
  },
  reduction('sum', 'Sum of all values, or along one axis (numpy.sum).'),
  reduction('mean', 'Mean of all values, or along one axis.'),
  reduction('std', 'Standard deviation (numpy.std; ddof = 1 for the sample standard deviation).'),
  reduction(
    'min',
    'With an array: its minimum, or the minima along an axis (min(a, axis)). With numbers only, or several arrays: the element-wise minimum (see also minimum).',
  ),
  reduction(
    'max',
    'With an array: its maximum, or the maxima along an axis (max(a, axis)). With numbers only, or several arrays: the element-wise maximum (see also maximum).',
  ),
  {
    name: 'reshape',
    arity: [2, 2],
    signature: 'reshape(a, shape)',
    description: 'The same values in a new shape (one size may be -1).',
    examples: ['m = reshape(arange(12), [3, 4])'],
    call(args, ctx) {
      const v = args[1];
      const shape =
        typeof v === 'number' ? [v] : v instanceof NdArray && v.ndim <= 1 ? Array.from(v.data) : undefined;
      if (!shape) throw typeError('shape must be a size or a list of sizes', ctx.arg(1));
      return A.reshape(arr(args, 0, ctx, 'reshape argument'), shape);
    },
  },
  {
    name: 'transpose',
    arity: [1, 1],
    signature: 'transpose(a)',
    description: 'The axes reversed (rows become columns).',
    examples: ['t = transpose(img)'],
    call: (args, ctx) => A.transpose(arr(args, 0, ctx, 'transpose argument')),
  },
  {
    name: 'ravel',
    arity: [1, 1],
    signature: 'ravel(a)',
    description: 'The values as a 1-D array (row-major order).',
    examples: ['v = ravel(img)'],
    call: (args, ctx) => A.ravel(arr(args, 0, ctx, 'ravel argument')),
  },
  {
    name: 'concat',
    arity: [1, Infinity],
    signature: 'concat(a, b, ..., axis?)',
    description:
      'Arrays joined along an axis (default 0); a number as the last argument is the axis. Numbers elsewhere count as 1-element arrays.',
    examples: ['t = concat(t1, t2)', 'wide = concat(left, right, 1)'],
    call(args, ctx) {
      let items = [...args];
      let axis = 0;
      if (items.length > 1 && typeof items[items.length - 1] === 'number') {
        axis = int(args, items.length - 1, ctx, 'axis');
        items = items.slice(0, -1);
      }
      const arrays = items.map((v, i) => {
        const a = asArray(v, `concat argument ${i + 1}`, ctx.arg(i));
        return a.ndim === 0 ? new NdArray(a.data, [1]) : a;
      });
      return A.concat(arrays, axis);
    },
  },
  {
    name: 'shape',
    arity: [1, 1],
    signature: 'shape(a)',
    description: 'The sizes of the axes of an array, as a 1-D array ([] for a number).',
    examples: ['print shape(img)'],
    call(args, ctx) {
      const a = arr(args, 0, ctx, 'shape argument');
      return new NdArray(Float64Array.from(a.shape), [a.ndim]);
    },
  },
  {
    name: 'size',
    arity: [1, 1],
    signature: 'size(a)',
    description: 'The number of values of an array (1 for a number).',
    examples: ['n = size(t)'],
    call: (args, ctx) => arr(args, 0, ctx, 'size argument').size,
  },
  {
    name: 'minimum',
    arity: [2, 2],
    signature: 'minimum(a, b)',
    description: 'Element-wise minimum with broadcasting (numpy.minimum), e.g. minimum(img, 100).',
    examples: ['clipped = minimum(img, 1000)'],
    // evaluated element-wise by the expression compiler (see evaluate.ts); this is the fallback
    call: () => {
      throw new ExprfitError('usage', 'minimum is evaluated element-wise');
    },
  },
  {
    name: 'maximum',
    arity: [2, 2],
    signature: 'maximum(a, b)',
    description: 'Element-wise maximum with broadcasting (numpy.maximum), e.g. maximum(y, 0).',
    examples: ['pos = maximum(y, 0)'],
    call: () => {
      throw new ExprfitError('usage', 'maximum is evaluated element-wise');
    },
  },
  {
    name: 'load',
    arity: [1, 2],
    signature: 'load("file", key?)',
    description:
      'Reads a data file as an array, or a fit result saved by save "fit.json" (result = load "fit.json": call result(t) to evaluate its model; band, confint, mcmc and plot fit=result use it): images (.png, .tif, .fits) as 2-D arrays, .npy, a table (.csv/.tsv/.txt) as [rows, columns] or one column with load("t.csv", "y"), one array of an .npz or JSON object by key. Paths are relative to the script.',
    examples: ['img = load("spots.tif")', 't = load("decay.csv", "t")', 'result = load "fit.json"'],
    async call(args, ctx) {
      const file = asString(args[0], 'file name', ctx.arg(0));
      const key = args.length > 1 ? asString(args[1], 'key', ctx.arg(1)) : undefined;
      const path = ctx.resolvePath(file);
      try {
        const saved = key === undefined ? await savedResultOf(path) : undefined;
        if (saved) return { kind: 'fit', result: saved };
        return result(await loadArray(path, key === undefined ? {} : { key }));
      } catch (err) {
        throw showPathAsWritten(err, path, file);
      }
    },
  },
  {
    name: 'gausskernel',
    arity: [2, 3],
    signature: 'gausskernel(size, sigma, mode?)',
    description:
      'A normalised Gaussian kernel (sums to 1): size a number (square) or [h, w], sigma a number or [sy, sx]; mode "sample" (density at pixel centres, default) or "integrate" (probability mass of each pixel).',
    examples: ['k = gausskernel(7, 1.5)', 'k = gausskernel([5, 9], [1, 2], "integrate")'],
    call(args, ctx) {
      const size = numOrList(args, 0, ctx, 'size');
      const sigma = numOrList(args, 1, ctx, 'sigma');
      const mode =
        args.length > 2 ? oneOf(args[2], ['sample', 'integrate'] as const, 'mode', ctx.arg(2)) : 'sample';
      return A.gausskernel(size, sigma, mode);
    },
  },
  {
    name: 'mvnpdf',
    arity: [3, 4],
    signature: 'mvnpdf(points, mean, cov) or mvnpdf(x, y, mean, cov)',
    description:
      'Multivariate normal density (MATLAB mvnpdf, scipy multivariate_normal.pdf): at the rows of points [n, d], or on a grid x, y (any broadcasting shapes) with a 2-vector mean and a 2x2 covariance.',
    examples: ['p = mvnpdf(x, y, [50, 40], [[30, 10], [10, 20]])'],
    call(args, ctx) {
      if (args.length === 4) {
        return A.mvnpdf2(
          arr(args, 0, ctx, 'x'),
          arr(args, 1, ctx, 'y'),
          arr(args, 2, ctx, 'mean'),
          arr(args, 3, ctx, 'covariance'),
        );
      }
      const mean = args[1];
      return A.mvnpdf(
        arr(args, 0, ctx, 'points'),
        typeof mean === 'number' ? mean : arr(args, 1, ctx, 'mean'),
        typeof args[2] === 'number' ? args[2] : arr(args, 2, ctx, 'covariance'),
      );
    },
  },
  {
    name: 'gaussfilter',
    arity: [2, 5],
    signature: 'gaussfilter(img, sigma, mode?, cval?, truncate?)',
    description:
      'Gaussian smoothing (scipy.ndimage.gaussian_filter): sigma a number or one per axis; mode "reflect" (default), "nearest", "mirror", "constant" (with cval) or "wrap"; truncate 4.',
    examples: ['sm = gaussfilter(img, 2)', 'sm = gaussfilter(img, [1, 3], "nearest")'],
    call(args, ctx) {
      const mode =
        args.length > 2
          ? oneOf(args[2], ['reflect', 'nearest', 'mirror', 'constant', 'wrap'] as const, 'mode', ctx.arg(2))
          : 'reflect';
      return A.gaussfilter(
        arr(args, 0, ctx, 'image'),
        numOrList(args, 1, ctx, 'sigma'),
        mode,
        args.length > 3 ? num(args, 3, ctx, 'cval') : 0,
        args.length > 4 ? num(args, 4, ctx, 'truncate') : 4,
      );
    },
  },
  {
    name: 'rbfkernel',
    arity: [2, 3],
    signature: 'rbfkernel(X, sigma) or rbfkernel(X, Y, sigma)',
    description:
      'The Gaussian kernel matrix exp(-|xi - yj|^2 / (2 sigma^2)) between the rows of X [n, d] and Y [m, d] (Y = X when omitted).',
    examples: ['K = rbfkernel(pts, 0.5)'],
    call(args, ctx) {
      if (args.length === 2) return A.rbfkernel(arr(args, 0, ctx, 'X'), null, num(args, 1, ctx, 'sigma'));
      return A.rbfkernel(arr(args, 0, ctx, 'X'), arr(args, 1, ctx, 'Y'), num(args, 2, ctx, 'sigma'));
    },
  },
  {
    name: 'gaussian2d',
    arity: [6, 8],
    signature: 'gaussian2d(x, y, x0, y0, sx, sy, theta?, amplitude?)',
    description:
      'amplitude*exp(-(u^2/(2 sx^2) + v^2/(2 sy^2))) with (u, v) the offsets from (x0, y0) rotated by theta (radians; default 0, amplitude 1), computed separably on grids.',
    examples: ['g = gaussian2d(x, y, 20, 30, 3, 5)'],
    call(args, ctx) {
      return A.gaussian2d(arr(args, 0, ctx, 'x'), arr(args, 1, ctx, 'y'), {
        mx: num(args, 2, ctx, 'x0'),
        my: num(args, 3, ctx, 'y0'),
        sx: num(args, 4, ctx, 'sx'),
        sy: num(args, 5, ctx, 'sy'),
        theta: args.length > 6 ? num(args, 6, ctx, 'theta') : 0,
        amplitude: args.length > 7 ? num(args, 7, ctx, 'amplitude') : 1,
      });
    },
  },
  {
    name: 'gaussians',
    arity: [3, 4],
    signature: 'gaussians(img_or_shape, centres, sigmas, amplitudes?)',
    description:
      'The sum of many 2-D Gaussian kernels on an [h, w] image: centres is a [k, 2] array of (x, y) pixel positions, sigmas a number, k numbers or a [k, 2] array of (sx, sy), amplitudes a number or k numbers (default 1). Each kernel is added only within 4 sigma of its centre, separably.',
    examples: [
      'heat = gaussians([200, 300], [[50, 60], [120, 80]], 5, [1, 2])',
      'heat = gaussians(img, centres, 2.5)',
    ],
    call(args, ctx) {
      const first = arr(args, 0, ctx, 'img_or_shape');
      const shape = first.ndim === 1 && first.size === 2 ? Array.from(first.data) : [...first.shape];
      return named('sumOfGaussians', 'gaussians', () =>
        A.sumOfGaussians(
          shape,
          arr(args, 1, ctx, 'centres'),
          scalarOrArray(arr(args, 2, ctx, 'sigmas')),
          args.length > 3 ? scalarOrArray(arr(args, 3, ctx, 'amplitudes')) : 1,
        ),
      );
    },
  },
  {
    name: 'smooth',
    arity: [2, 4],
    signature: 'smooth(x, y, lam?, xnew?)',
    description:
      'A natural cubic smoothing spline through (x, y) (scipy make_smoothing_spline): its values at x, or at xnew. lam >= 0 is the penalty weight (0 interpolates, inf gives the least-squares line); without it, or with lam = -1, it is chosen by GCV. Other negative values are errors.',
    examples: ['ys = smooth(x, y)', 'ys = smooth(x, y, 0.5)', 'yu = smooth(x, y, -1, linspace(0, 10, 200))'],
    call(args, ctx) {
      const sp = makeSpline(args, ctx);
      if (args.length > 3)
        return new NdArray(sp.evaluate(arr(args, 3, ctx, 'xnew')), [...arr(args, 3, ctx, 'xnew').shape]);
      return new NdArray(Float64Array.from(sp.values));
    },
  },
  {
    name: 'spline',
    arity: [2, 3],
    signature: 'spline(x, y, lam?)',
    description:
      'A natural cubic smoothing spline as a value: sp = spline(x, y) (lam by GCV, as with lam = -1) or spline(x, y, lam) with lam >= 0; then sp(u) evaluates it at u and sp(u, k) its k-th derivative; print sp shows lam, edf and gcv.',
    examples: ['sp = spline(t, y)', 'yu = sp(linspace(0, 10, 200))'],
    call: (args, ctx) => ({ kind: 'spline', spline: makeSpline(args, ctx) }),
  },
  {
    name: 'cr',
    arity: [2, 3],
    signature: 'cr(x, df, constraint?) or cr(x, [k1, k2, ...], constraint?)',
    description:
      'Natural cubic regression spline basis (patsy cr): an [n, df] array whose columns can be weighted by parameters in a model (model y = b0*B[:, 0] + b1*B[:, 1] + ...). The second argument is df (a number: df - 2 interior knots at quantiles of x) or a list of interior knots (patsy knots=[...]; df = their count + 2; the boundary knots are min(x) and max(x)); constraint "center" as patsy.',
    examples: ['B = cr(x, 4)', 'B = cr(x, [2.5, 5, 7.5])', 'B = cr(x, 6, "center")'],
    call(args, ctx) {
      const second = args[1];
      const opts: A.CrBasisOptions = {};
      if (second instanceof NdArray && second.ndim === 1) opts.knots = second.data;
      else if (second instanceof NdArray && second.ndim > 1) {
        throw typeError(
          `the knots must be a list such as [2.5, 5, 7.5], but this is ${describeType(second)}`,
          ctx.arg(1),
        );
      } else if (typeof second === 'number' || second instanceof NdArray) {
        opts.df = int(args, 1, ctx, 'df');
      } else {
        throw typeError(
          `the second argument of cr is df (a number) or a list of knots, but it is ${describeType(second)}`,
          ctx.arg(1),
        );
      }
      if (args.length > 2) opts.constraints = oneOf(args[2], ['center'] as const, 'constraint', ctx.arg(2));
      const x = arr(args, 0, ctx, 'x');
      return named('crBasis', 'cr', () => A.crBasis(x, opts));
    },
  },
  {
    name: 'col',
    arity: [2, 2],
    signature: 'col(table, "name")',
    description:
      'A column of a table (the spots statement makes the table spots) as a 1-D array, one value per row.',
    examples: ['sx = col(spots, "x")', 'print mean(col(spots, "amplitude"))'],
    call(args, ctx) {
      const t = args[0];
      if (!isTable(t)) {
        throw typeError(`col needs a table such as spots, but this is ${describeType(t)}`, ctx.arg(0));
      }
      const name = asString(args[1], 'the column name', ctx.arg(1));
      if (!t.names.includes(name)) {
        const close = closestMatches(name, t.names);
        throw new ExprfitError('value', `the table has no column ${JSON.stringify(name)}`, {
          span: ctx.arg(1).span,
          source: ctx.arg(1).source,
          hints: [close.length ? `did you mean "${close[0]}"?` : `the columns are: ${t.names.join(', ')}`],
        });
      }
      return new NdArray(Float64Array.from(t.columns[name]), [t.rows]);
    },
  },
  {
    name: 'dot',
    arity: [2, 2],
    signature: 'dot(A, b)',
    description:
      'The matrix product A @ b (numpy): a matrix [..., K] times a vector [K], or times a matrix [K, m]. In a model, B @ beta with a vector parameter (docs/vector-params.md).',
    examples: ['y = B @ [1, 2, 3]', 'C = dot(A, B)'],
    call: (args, ctx) => matmul(arr(args, 0, ctx, 'dot operand 1'), arr(args, 1, ctx, 'dot operand 2')),
  },
];

/** A 0-d array as its number (one value for every item), other arrays as they are. */
function scalarOrArray(a: NdArray): number | NdArray {
  return a.ndim === 0 ? a.data[0] : a;
}

/** Runs the API function `from` for the script function `to`: its errors name `to` (rebuilt from their detail). */
function named<T>(from: string, to: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof ExprfitError ? renamed(err, from, to) : err;
  }
}

function renamed(err: ExprfitError, from: string, to: string): ExprfitError {
  const { function: fn, separator, reason } = err.detail;
  if (fn !== from || reason === undefined) return err;
  return err.reworded(`${to}${separator ?? ': '}${reason}`, { function: to });
}

/** The `lam` argument of smooth() and spline() that asks for the GCV choice (as leaving it out does). */
const GCV = -1;

function makeSpline(args: readonly Value[], ctx: CallContext): A.SmoothingSpline {
  const x = arr(args, 0, ctx, 'x');
  const y = arr(args, 1, ctx, 'y');
  const lam = args.length > 2 ? num(args, 2, ctx, 'lam') : GCV;
  if (lam === GCV) return A.smoothingSpline(x, y);
  if (!(lam >= 0)) {
    const at = ctx.arg(2);
    throw new ExprfitError('value', `lam must be >= 0, or -1 to choose it by GCV; got ${lam}`, {
      span: at.span,
      source: at.source,
      hints: ['leave lam out (or write -1) for the automatic choice; 0 interpolates'],
    });
  }
  return A.smoothingSpline(x, y, { lam });
}

for (const f of BUILTINS) registerFunction(f);

/** Calls a spline value: `sp(u)` or `sp(u, order)`. */
export function callSpline(v: Value, args: readonly Value[], ctx: CallContext): NdArray | number {
  if (!isSpline(v)) throw typeError('only splines can be called', ctx.where);
  if (args.length < 1 || args.length > 2) {
    throw new ExprfitError(
      'arity',
      `a spline takes 1 or 2 arguments (points, derivative order), got ${args.length}`,
      {
        span: ctx.where.span,
        source: ctx.where.source,
      },
    );
  }
  const u = arr(args, 0, ctx, 'points');
  const order = args.length > 1 ? int(args, 1, ctx, 'derivative order') : 0;
  return result(new NdArray(v.spline.evaluate(u, order), [...u.shape]));
}

/** Calls a fit value: `result(t)` evaluates its first model line at the points, its variables in order. */
export function callFit(v: FitValue, args: readonly Value[], ctx: CallContext): NdArray | number {
  const [lhs] = Object.keys(v.result.data);
  const variables = v.result.data[lhs]?.variables ?? [];
  if (args.length !== variables.length) {
    const wanted = variables.length ? variables.join(', ') : 'none';
    throw new ExprfitError(
      'arity',
      `this fit's model takes ${variables.length} argument(s) (${wanted}), got ${args.length}`,
      {
        span: ctx.where.span,
        source: ctx.where.source,
      },
    );
  }
  const data = Object.fromEntries(variables.map((name, i) => [name, arr(args, i, ctx, name)]));
  try {
    return result(v.result.eval(data, lhs));
  } catch (err) {
    throw positioned(err, ctx.where);
  }
}
