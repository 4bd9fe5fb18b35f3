/**
 * rbfkernel: the Gaussian (RBF) kernel matrix between point sets, blockwise via |x|^2 + |y|^2 - 2 x.y.
 */
import { codeGenerationAllowed } from '../compile/index.ts';
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { FAST_EXP_TABLES, fastExp, fastExpSnippet } from './fastexp.ts';
import { asArray, asMatrix, checkArraySize, checkPositive, fmtShape } from './util.ts';

const BLOCK = 64;
/** Rows of X per step in the generated kernels (each loaded y_j is used R times). */
const R = 8;
/** Largest dimension with a generated (unrolled) kernel. */
const DMAX = 32;

type BlockKernel = (
  x: Float64Array,
  y: Float64Array,
  sx: Float64Array,
  sy: Float64Array,
  m: number,
  g: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  out: Float64Array,
  tables: typeof FAST_EXP_TABLES,
) => void;

const kernels = new Map<string, BlockKernel>();

function treeSum(terms: readonly string[]): string {
  if (terms.length === 1) return terms[0];
  const h = terms.length >> 1;
  return `(${treeSum(terms.slice(0, h))} + ${treeSum(terms.slice(h))})`;
}

/**
 * Generated block kernel for dimension d, `rows` rows of X per step: the rows' coordinates live in locals,
 * each y_j is loaded once per step, the dot products are unrolled, and exp is inlined. `mirrored` also
 * writes K[j, i] (the symmetric case; the `rows` values land next to each other in row j).
 */
function blockKernel(d: number, rows: number, mirrored: boolean): BlockKernel {
  const key = `${d}:${rows}:${mirrored}`;
  let f = kernels.get(key);
  if (!f) {
    const xl: string[] = [];
    for (let q = 0; q < rows; q++) {
      xl.push(`const s${q} = sx[i + ${q}], ob${q} = (i + ${q}) * m;`);
      for (let k = 0; k < d; k++) xl.push(`const x${q}_${k} = x[(i + ${q}) * ${d} + ${k}];`);
    }
    const yl: string[] = [];
    for (let k = 0; k < d; k++) yl.push(`const y${k} = y[yb + ${k}];`);
    const outs: string[] = [];
    for (let q = 0; q < rows; q++) {
      const dot = treeSum(Array.from({ length: d }, (_, k) => `x${q}_${k} * y${k}`));
      outs.push(`{ let d2 = s${q} + syj - 2 * ${dot}; if (d2 < 0) d2 = 0; const t = g * d2; let v;
${fastExpSnippet('t', 'v')}
out[ob${q} + j] = v;${mirrored ? ` out[j * m + i + ${q}] = v;` : ''} }`);
    }
    const body = `const { T, P2, INV_L, L_HI, L_LO, SHIFT } = tables;
for (let i = i0; i + ${rows} <= i1; i += ${rows}) {
${xl.join('\n')}
for (let j = j0; j < j1; j++) { const yb = j * ${d}; const syj = sy[j]; ${yl.join(' ')}
${outs.join('\n')} } }`;
    f = new Function(
      'x',
      'y',
      'sx',
      'sy',
      'm',
      'g',
      'i0',
      'i1',
      'j0',
      'j1',
      'out',
      'tables',
      body,
    ) as BlockKernel;
    kernels.set(key, f);
  }
  return f;
}

/**
 * K[i, j] = exp(-|x_i - y_j|^2 / (2 sigma^2)) for the rows x_i of X [n, d] and y_j of Y [m, d]
 * (a 1-D array is n points in 1 dimension). Without Y, K = K(X, X) is symmetric: only the blocks on and
 * above the diagonal are computed, each value written to both (i, j) and (j, i), and the diagonal is
 * exactly 1. Squared distances come
 * from |x|^2 + |y|^2 - 2 x.y in cache blocks of 64 x 64 points, negatives from rounding clamped to 0.
 * Equals `np.exp(-scipy.spatial.distance.cdist(X, Y, 'sqeuclidean') / (2 * sigma**2))` and
 * sklearn's `rbf_kernel(X, Y, gamma=1/(2 sigma^2))`. Returns an [n, m] array.
 */
export function rbfkernel(X: NdArray | number[][], Y?: NdArray | number[][] | null, sigma = 1): NdArray {
  const A = points(X, 'X');
  const sym = Y === undefined || Y === null;
  const B = sym ? A : points(Y, 'Y');
  checkPositive('rbfkernel sigma', sigma);
  const [n, d] = A.shape;
  const m = B.shape[0];
  if (B.shape[1] !== d) {
    throw new ExprfitError(
      'shape',
      `rbfkernel: X ${fmtShape(A.shape)} and Y ${fmtShape(B.shape)} must have the same number of columns (dimensions)`,
    );
  }
  checkArraySize('rbfkernel', [n, m]);
  const x = A.data;
  const y = B.data;
  const sx = sqNorms(x, n, d);
  const sy = sym ? sx : sqNorms(y, m, d);
  const g = -1 / (2 * sigma * sigma);
  const out = new Float64Array(n * m);
  // generated unrolled blocks, unless code generation from strings is disallowed (then the plain loops)
  const gen = d >= 1 && d <= DMAX && codeGenerationAllowed();
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j0 = sym ? i0 : 0; j0 < m; j0 += BLOCK) {
      const j1 = Math.min(m, j0 + BLOCK);
      // off-diagonal blocks of the symmetric case also write their mirror image
      const mir = sym && j0 !== i0;
      if (gen) {
        const iR = i0 + Math.floor((i1 - i0) / R) * R;
        blockKernel(d, R, mir)(x, y, sx, sy, m, g, i0, iR, j0, j1, out, FAST_EXP_TABLES);
        if (iR < i1) blockKernel(d, 1, mir)(x, y, sx, sy, m, g, iR, i1, j0, j1, out, FAST_EXP_TABLES);
      } else block(x, y, sx, sy, d, m, g, i0, i1, j0, j1, mir, out);
    }
  }
  if (sym) for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return new NdArray(out, [n, m]);
}

/**
 * The points [n, d] of one argument (a 1-D array is n points in one dimension); a coordinate that is NaN or
 * infinite is an error naming the argument and the index (its distances, and so its kernel row, would be NaN).
 */
function points(v: unknown, name: 'X' | 'Y'): NdArray {
  const raw = asArray(v, `rbfkernel ${name}`);
  const a = asMatrix(raw, `rbfkernel ${name}`);
  const d = a.shape[1];
  const data = a.data;
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k])) {
      const at = raw.ndim === 1 ? `${k}` : `${Math.floor(k / d)}, ${k % d}`;
      throw new ExprfitError(
        'value',
        `rbfkernel ${name}[${at}] is ${data[k]}: every coordinate of the points must be finite`,
      );
    }
  }
  return a;
}

function sqNorms(x: Float64Array, n: number, d: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    const b = i * d;
    for (let k = 0; k < d; k++) t += x[b + k] * x[b + k];
    s[i] = t;
  }
  return s;
}

/** Plain block loop, for dimensions without a generated kernel. */
function block(
  x: Float64Array,
  y: Float64Array,
  sx: Float64Array,
  sy: Float64Array,
  d: number,
  m: number,
  g: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  mir: boolean,
  out: Float64Array,
): void {
  for (let i = i0; i < i1; i++) {
    const xb = i * d;
    const si = sx[i];
    const ob = i * m;
    for (let j = j0; j < j1; j++) {
      const yb = j * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x[xb + k] * y[yb + k];
      let d2 = si + sy[j] - 2 * dot;
      if (d2 < 0) d2 = 0;
      const v = fastExp(g * d2);
      out[ob + j] = v;
      if (mir) out[j * m + i] = v;
    }
  }
}
