/**
 * Fused per-fit kernels for batch fitting: one generated function evaluates a model over one fit's data and
 * accumulates χ², the gradient vector and the (approximate) Hessian directly — no residual vector, no Jacobian
 * matrix, no per-point closures.
 *
 * The code comes from the compiler's fragment emitter (`emitPointFragments`, src/compile/fragments.ts) and the
 * typed code builder, so everything that reaches `new Function` is generated names, exprfit's own template text
 * and number literals (docs/compile.md, "Security model"). The emitter hoists parameter-only subexpressions out
 * of the loops, computes row terms once per row and tabulates costly column-only terms in a small loop of their
 * own before the main loop nest; with `exp(a(x) + b(y))` factored symbolically beforehand (separable.ts), an
 * axis-aligned Gaussian on a grid needs no `exp` per pixel (issue 5's separability trick).
 *
 * Unweighted least squares on a 2-D grid whose value and derivatives are sums of products of row and column
 * factors (the axis-aligned Gaussian) gets a kernel of its own (separableSums.ts): JᵀJ from 1-D sums, only the
 * residual, χ² and Jᵀr per pixel (`batchKernel` there chooses). Two more tricks are applied here, around the emitter:
 * - per-point transcendentals that remain (the rotated Gaussian's `exp` with its cross term) are computed in a
 *   loop of their own before the accumulation loop, into a scratch array (V8 spills every floating-point
 *   register around a `Math.exp` call; the accumulation loop then has no calls at all). This is done with two
 *   fragment emissions: the pre-pass emits the selected CSE temps as outputs, the main emission sees each of
 *   them as one more variable loaded from the scratch array (1.5x on the rotated Gaussian);
 * - for Poisson likelihood, `Σ y·ln f` is summed in the accumulation loop with the table-driven logarithm of
 *   fastlog.ts (no call per point); where a point needs the full logarithm (f not a positive normal number,
 *   or near 1) the caller sums it from the model values stored in a scratch array (`sumYLogF`).
 *
 * Estimators (the Gpufit formulas; `w` is the weight of a point):
 * - least squares: r = y − f; χ² = Σ w²r²; g_j = Σ w² r ∂f/∂p_j; H_jk = Σ w² ∂f/∂p_j ∂f/∂p_k;
 * - Poisson MLE: χ² = 2 Σ w (f − y − y ln(f/y)) (the term is 2wf where y = 0);
 *   g_j = Σ w (y/f − 1) ∂f/∂p_j; H_jk = Σ w (y/f²) ∂f/∂p_j ∂f/∂p_k (Gpufit's Hessian approximation), or in
 *   `fisher` mode the expected information Σ w/f ∂f/∂p_j ∂f/∂p_k (Fisher scoring).
 *
 * In both, δ = H⁻¹g is the Gauss–Newton step. `g` is half the negative gradient of χ².
 */
import { constantValue, type Expr } from '../ast/index.ts';
import {
  _,
  Block,
  buildFunction,
  type Code,
  type CodeArg,
  emitPointFragments,
  type FragmentLoad,
  type FragmentValue,
  Name,
  NameScope,
  RUNTIME,
  type OperandLayout,
  type Stmt,
  type SymbolicProgram,
} from '../compile/index.ts';
import { R } from '../functions/index.ts';
import { FUSED_LN } from './fastlog.ts';

export type BatchEstimator = 'lse' | 'poisson';

/** Shape-independent description of one fit's loop nest: the cache key of generated functions. */
export interface BatchLayout {
  /** Number of loop levels (>= 1). Observed data and weights are contiguous over all of them. */
  readonly levels: number;
  /** One per spec variable, in spec order. */
  readonly variables: readonly OperandLayout[];
}

export interface AccumulateOptions {
  readonly estimator: BatchEstimator;
  /** A weight array (same layout as the observed data) is passed. */
  readonly weighted: boolean;
  /** Poisson only: the expected (Fisher) information instead of Gpufit's Hessian approximation. */
  readonly fisher?: boolean;
  /** Compute per-point transcendentals in a separate loop (default true). */
  readonly splitTranscendentals?: boolean;
  /**
   * Accumulate the gradient and Hessian in loops over an array of the point's derivatives instead of
   * P(P+1)/2 scalar locals (default: above {@link LOOP_ACCUMULATION_ABOVE} parameters).
   */
  readonly loops?: boolean;
}

/**
 * Above this many parameters the Hessian is accumulated in loops: with P(P+1)/2 scalar locals V8 stops
 * optimising the kernel: on Node 20 an evaluation at P = 41 took 73 ms unrolled, 1.3 ms in loops; up to
 * P = 33 the unrolled kernel is optimised and 2-3x faster than the loops (bench/joint.bench.ts).
 */
export const LOOP_ACCUMULATION_ABOVE = 33;

/**
 * `(p, fixed, dims, strides, arrays, tables, obs, off, wt, hess, grad, scratch, cst) → number`:
 * evaluates one fit whose observed values start at `obs[off]` (weights at `wt[off]`, the *squared* weights
 * for least squares, the weights for Poisson), writes the full symmetric n x n Hessian (row-major) into `hess`
 * and the gradient into `grad`. Least squares: returns χ². Poisson: stores the model values in scratch slice
 * `valueSlice` and returns Σ w·f; the caller adds the logarithms (χ² = 2(Σ w f − Σ w y ln f + cst)).
 * `scratch` needs `scratchPerPoint * size` elements; `tables` as described by `tableLevels`.
 */
export type AccumulateFn = (
  p: Float64Array,
  fixed: Float64Array,
  dims: Int32Array,
  strides: Int32Array,
  arrays: Float64Array[],
  tables: Float64Array[][],
  obs: Float64Array,
  off: number,
  wt: Float64Array | null,
  hess: Float64Array,
  grad: Float64Array,
  scratch: Float64Array,
  cst: number,
) => number;

export interface AccumulateKernel {
  readonly fn: AccumulateFn;
  readonly source: string;
  /**
   * Scratch tables: `tables[0]` (the pre-pass' tables) and `tables[1]` (the main nest's), each a list of
   * Float64Arrays whose sizes are the products of the listed levels' sizes.
   */
  readonly tableLevels: readonly (readonly (readonly number[])[])[];
  /** Scratch arrays per point: the number of `size`-long slices the kernel uses. */
  readonly scratchPerPoint: number;
  /** Poisson: the scratch slice holding the model values (for Σ w y ln f, see fastlog.ts); -1 otherwise. */
  readonly valueSlice: number;
  /**
   * Poisson: the kernel also sums w·y·ln f and leaves it in `FUSED_LN.lnOut[0]` (fastlog.ts), or NaN where
   * the caller must compute it with `sumYLogF` from the model values.
   */
  readonly fusedLog: boolean;
}

/** Builds the fused accumulation kernel of `program` (value + derivatives) for one layout. */
export function generateAccumulate(
  program: SymbolicProgram,
  layout: BatchLayout,
  opts: AccumulateOptions,
): AccumulateKernel {
  const P = program.spec.params.length;
  const loops = opts.loops ?? P > LOOP_ACCUMULATION_ABOVE;
  const scope = new NameScope();
  const L = layout.levels;
  if (L < 1) throw new Error('internal: batch kernels need at least one loop level');
  const V = program.spec.variables.length;
  const F = program.spec.fixed.length;
  const pa = scope.name('pa');
  const fa = scope.name('fa');
  const dim = scope.name('dim');
  const st = scope.name('st');
  const arr = scope.name('arr');
  const tab = scope.name('tab');
  const obs = scope.name('obs');
  const off = scope.name('off');
  const wt = scope.name('wt');
  const hs = scope.name('hs');
  const gr = scope.name('gr');
  const scr = scope.name('scr');
  const cst = scope.name('cst');
  const fnName = scope.name('fit');
  const dimNames: Name[] = [];
  for (let l = 0; l < L; l++) dimNames.push(scope.name('n'));
  const size = scope.name('sz');
  const fullMask = L >= 31 ? 0x7fffffff : (1 << L) - 1;
  const levels = Array.from({ length: L }, (_x, l) => l);
  const inner = L - 1;

  const header = new Block();
  for (let l = 0; l < L; l++) header.push(_`const ${dimNames[l]} = ${dim}[${l}];`);
  header.push(_`const ${size} = ${timesAll(dimNames)};`);
  const params = program.spec.params.map((_p, i) => {
    const n = scope.name('p');
    header.push(_`const ${n} = ${pa}[${i}];`);
    return n;
  });
  const fixed = program.spec.fixed.map((_p, i) => {
    const n = scope.name('f');
    header.push(_`const ${n} = ${fa}[${i}];`);
    return n;
  });
  void F;

  // Variables: a single-level variable is a load (tabulation possible), a scalar a value before the loops,
  // a multi-level one a value the loops below load at its deepest level.
  const arrays = layout.variables.map((_o, op) => {
    const n = scope.name('d');
    header.push(_`const ${n} = ${arr}[${op}];`);
    return n;
  });
  const strideOf = (op: number, l: number): Name => {
    const n = scope.name('s');
    header.push(_`const ${n} = ${st}[${op * L + l}];`);
    return n;
  };
  type VarBinding = FragmentValue | FragmentLoad;
  interface MultiLoad {
    readonly name: Name;
    readonly op: number;
    readonly levels: readonly number[];
    /** Per level: the stride name, or undefined for a unit stride. */
    readonly strides: readonly (Name | undefined)[];
  }
  // `asLoad`: single-level variables as fragment loads (needed for tables); otherwise the loops load them.
  const bindVariable = (op: number, asLoad: boolean, loads: MultiLoad[]): VarBinding => {
    const o = layout.variables[op];
    if (o.mask === 0) {
      const n = scope.name('v');
      header.push(_`const ${n} = ${arrays[op]}[0];`);
      return { code: n, level: -1 };
    }
    const ls = levels.filter((l) => o.mask & (1 << l));
    if (ls.length === 1 && asLoad) {
      const s = o.unitInner ? undefined : strideOf(op, ls[0]);
      return {
        load: (i: Name) => (s ? _`${arrays[op]}[${i} * ${s}]` : _`${arrays[op]}[${i}]`),
        level: ls[0],
      };
    }
    const name = scope.name('v');
    const unit = (l: number): boolean => l === ls[ls.length - 1] && o.unitInner;
    loads.push({ name, op, levels: ls, strides: ls.map((l) => (unit(l) ? undefined : strideOf(op, l))) });
    return { code: name, level: ls[ls.length - 1] };
  };
  const singleLevelOnly = layout.variables.every((o) => o.mask === 0 || (o.mask & (o.mask - 1)) === 0);
  const guard = { onUnsafe: _`return NaN;` };

  // Per-point transcendentals (CSE temps) go to a pre-pass nest; the main nest reads them as variables.
  const selected = opts.splitTranscendentals === false ? [] : perPointTemps(program, layout, fullMask);
  const blocks: (Code | Block)[] = [];
  const scratchLoads: Code[] = [];
  let scratchSlices = 0;
  const tableLevels: (readonly number[])[][] = [];
  const k = scope.name('k');
  const kk = scope.name('k');
  let mainProgram = program;
  const extraBindings: VarBinding[] = [];
  if (selected.length) {
    const idx = levels.map(() => scope.name('i'));
    const loads: MultiLoad[] = [];
    const vars = layout.variables.map((_o, op) => bindVariable(op, singleLevelOnly, loads));
    const tables = scope.name('ta');
    header.push(_`const ${tables} = ${tab}[0];`);
    const pre: SymbolicProgram = {
      ...program,
      outputs: selected.map((t) => ({ kind: 'sym', name: t }) as Expr),
    };
    const frag = emitPointFragments(pre, {
      scope,
      levels: L,
      params,
      fixed,
      variables: vars,
      ...(singleLevelOnly
        ? { tables: { loops: levels.map((l) => ({ index: idx[l], size: dimNames[l] })), scratch: tables } }
        : {}),
      reassociate: guard,
    });
    tableLevels.push(frag.tableLevels.map((t) => [...t]));
    const outs = [frag.value, ...frag.derivatives];
    const body: Stmt[] = [];
    const bases = outs.map((_o, j) => {
      const b = scope.name('sb');
      header.push(j === 0 ? _`const ${b} = 0;` : _`const ${b} = ${size} * ${j};`);
      return b;
    });
    outs.forEach((c, j) => body.push(_`${scr}[${bases[j]} + ${kk}] = ${c};`));
    body.push(_`${kk}++;`);
    for (const s of frag.pre) blocks.push(s);
    for (const s of frag.tableLoops) blocks.push(s);
    blocks.push(_`let ${kk} = 0;`);
    blocks.push(renderLoops(L, idx, dimNames, loads, arrays, frag.atLevel, body));
    scratchSlices = outs.length;
    // The main program sees each selected temp as one more variable, loaded from the scratch slice.
    const roles = new Map(program.roles);
    selected.forEach((t, j) => roles.set(t, { kind: 'variable', index: V + j }));
    mainProgram = {
      ...program,
      spec: { ...program.spec, variables: [...program.spec.variables, ...selected] },
      roles,
    };
    selected.forEach((_t, j) => {
      const n = scope.name('t');
      extraBindings.push({ code: n, level: inner });
      scratchLoads.push(_`const ${n} = ${scr}[${bases[j]} + ${k} - ${off}];`);
    });
  } else {
    tableLevels.push([]);
  }
  const idx = levels.map(() => scope.name('i'));
  const mainLoads: MultiLoad[] = [];
  const mainTables = singleLevelOnly && !selected.length;
  const vars = [
    ...layout.variables.map((_o, op) => bindVariable(op, mainTables, mainLoads)),
    ...extraBindings,
  ];
  const tablesMain = scope.name('tb');
  header.push(_`const ${tablesMain} = ${tab}[1];`);
  const frag = emitPointFragments(mainProgram, {
    scope,
    levels: L,
    params,
    fixed,
    variables: vars,
    // Tables need every variable as a single-level load; the scratch values of the pre-pass are not.
    ...(mainTables
      ? { tables: { loops: levels.map((l) => ({ index: idx[l], size: dimNames[l] })), scratch: tablesMain } }
      : {}),
    reassociate: guard,
  });
  tableLevels.push(frag.tableLevels.map((t) => [...t]));
  const f = frag.value;
  // Literal derivatives (0, or 1 for an added background) are folded into the accumulation.
  const d: CodeArg[] = frag.derivatives.map((c, j) => constantValue(mainProgram.outputs[1 + j]) ?? c);
  const isZero = (c: CodeArg): boolean => typeof c === 'number' && c === 0;

  // Accumulators.
  const chi = scope.name('chi');
  const sf = scope.name('sf');
  const g = d.map(() => scope.name('g'));
  const h: Name[][] = d.map(() => []);
  for (let a = 0; a < P; a++) for (let b = a; b < P; b++) h[a][b] = scope.name('h');

  const body: Stmt[] = [];
  const yv = scope.name('y');
  body.push(_`const ${yv} = ${obs}[${k}];`);
  const ww = scope.name('w');
  if (opts.weighted) body.push(_`const ${ww} = ${wt}[${k}];`);
  const poisson = opts.estimator === 'poisson';
  // Poisson: Σ w y ln f in this loop too (fastlog.ts), where the platform allows.
  const lnSum = poisson && FUSED_LN ? fusedLnSum(scope, header) : undefined;
  let gf: CodeArg; // factor of the gradient terms
  let hf: CodeArg | undefined; // factor of the Hessian terms (undefined: 1)
  if (!poisson) {
    const r = scope.name('r');
    body.push(_`const ${r} = ${yv} - ${f};`);
    if (opts.weighted) {
      const rw = scope.name('r');
      body.push(_`const ${rw} = ${r} * ${ww};`);
      body.push(_`${chi} += ${r} * ${rw};`);
      gf = rw;
      hf = ww;
    } else {
      body.push(_`${chi} += ${r} * ${r};`);
      gf = r;
      hf = undefined;
    }
  } else {
    const inv = scope.name('q');
    const q = scope.name('q');
    body.push(_`${scr}[${size} * ${scratchSlices} + ${k} - ${off}] = ${f};`);
    if (lnSum) {
      for (const stmt of lnSum.point(f, opts.weighted ? _`${yv} * ${ww}` : yv)) body.push(stmt);
    }
    body.push(_`const ${inv} = 1 / ${f};`);
    body.push(_`const ${q} = ${yv} * ${inv};`);
    const c = scope.name('c');
    const hw = scope.name('c');
    if (opts.weighted) {
      body.push(_`${sf} += ${ww} * ${f};`);
      body.push(_`const ${c} = (${q} - 1) * ${ww};`);
      body.push(opts.fisher ? _`const ${hw} = ${ww} * ${inv};` : _`const ${hw} = ${ww} * ${q} * ${inv};`);
    } else {
      body.push(_`${sf} += ${f};`);
      body.push(_`const ${c} = ${q} - 1;`);
      if (!opts.fisher) body.push(_`const ${hw} = ${q} * ${inv};`);
    }
    gf = c;
    hf = opts.fisher && !opts.weighted ? inv : hw;
  }
  const dv = scope.name('dv');
  if (loops) {
    d.forEach((c, a) => {
      if (!isZero(c) && c !== 1) body.push(_`${dv}[${a}] = ${c};`);
    });
    body.push(accumulateLoop({ scope, P, dv, hs, gr, gf, ...(hf !== undefined ? { hf } : {}) }));
  }
  for (let a = 0; a < P && !loops; a++) {
    if (isZero(d[a])) continue;
    body.push(d[a] === 1 ? _`${g[a]} += ${gf};` : _`${g[a]} += ${gf} * ${d[a]};`);
  }
  for (let a = 0; a < P && !loops; a++) {
    if (isZero(d[a])) continue;
    let da: CodeArg = d[a];
    if (hf !== undefined) {
      const n = scope.name('e');
      body.push(d[a] === 1 ? _`const ${n} = ${hf};` : _`const ${n} = ${hf} * ${d[a]};`);
      da = n;
    }
    for (let b = a; b < P; b++) {
      if (isZero(d[b])) continue;
      body.push(d[b] === 1 ? _`${h[a][b]} += ${da};` : _`${h[a][b]} += ${da} * ${d[b]};`);
    }
  }
  body.push(_`${k}++;`);

  const fn = new Block();
  for (const s of header.lines) fn.push(s);
  for (const s of blocks) fn.push(s);
  for (const s of frag.pre) fn.push(s);
  for (const s of frag.tableLoops) fn.push(s);
  fn.push(_`let ${chi} = 0, ${sf} = 0;`);
  if (loops) {
    fn.push(_`const ${dv} = new Float64Array(${P});`);
    d.forEach((c, a) => {
      if (c === 1) fn.push(_`${dv}[${a}] = 1;`);
    });
    fn.push(_`${hs}.fill(0, 0, ${P * P});`);
    fn.push(_`${gr}.fill(0, 0, ${P});`);
  } else {
    for (const n of g) fn.push(_`let ${n} = 0;`);
    for (let a = 0; a < P; a++) for (let b = a; b < P; b++) fn.push(_`let ${h[a][b]} = 0;`);
  }
  fn.push(_`let ${k} = ${off};`);
  const atLevel = frag.atLevel.map((b, l) => (l === inner ? [...scratchLoads, ...b] : [...b]));
  fn.push(renderLoops(L, idx, dimNames, mainLoads, arrays, atLevel, body));
  if (loops) fn.push(mirrorLoop(scope, P, hs));
  for (let a = 0; a < P && !loops; a++) fn.push(_`${gr}[${a}] = ${g[a]};`);
  for (let a = 0; a < P && !loops; a++) {
    for (let b = a; b < P; b++) {
      fn.push(_`${hs}[${a * P + b}] = ${h[a][b]};`);
      if (b !== a) fn.push(_`${hs}[${b * P + a}] = ${h[a][b]};`);
    }
  }
  if (lnSum) fn.push(lnSum.finish);
  fn.push(poisson ? _`return ${sf};` : _`return ${chi};`);
  void cst;
  const built = buildFunction<AccumulateFn>(
    fnName,
    [pa, fa, dim, st, arr, tab, obs, off, wt, hs, gr, scr, cst],
    fn,
    lnSum ? { ...R, ...FUSED_LN } : R,
  );
  return {
    fn: built.fn,
    source: built.source,
    tableLevels,
    scratchPerPoint: scratchSlices + (poisson ? 1 : 0),
    valueSlice: poisson ? scratchSlices : -1,
    fusedLog: lnSum !== undefined,
  };

  function renderLoops(
    nLevels: number,
    loopIdx: readonly Name[],
    sizes: readonly Name[],
    loads: readonly MultiLoad[],
    data: readonly Name[],
    at: readonly (readonly Stmt[])[],
    innermost: readonly Stmt[],
  ): Block {
    // Multi-level variable loads at their deepest level, with row offsets accumulated outside.
    const extra: Stmt[][] = levels.map(() => []);
    for (const ld of loads) {
      let acc: CodeArg | undefined;
      ld.levels.forEach((l, j) => {
        const sj = ld.strides[j];
        const term = sj ? _`${loopIdx[l]} * ${sj}` : _`${loopIdx[l]}`;
        if (j < ld.levels.length - 1) {
          const b = scope.name('b');
          extra[l].push(acc ? _`const ${b} = ${acc} + ${term};` : _`const ${b} = ${term};`);
          acc = b;
        } else {
          extra[l].push(_`const ${ld.name} = ${data[ld.op]}[${acc ? _`${acc} + ${term}` : term}];`);
        }
      });
    }
    let innerBlock: Block | undefined;
    for (let l = nLevels - 1; l >= 0; l--) {
      const i = loopIdx[l];
      const b = new Block(_`for (let ${i} = 0; ${i} < ${sizes[l]}; ${i}++) {`);
      for (const s of extra[l]) b.push(s);
      for (const s of at[l]) b.push(s);
      if (l === nLevels - 1) for (const s of innermost) b.push(s);
      if (innerBlock) b.push(innerBlock);
      innerBlock = b;
    }
    return innerBlock!;
  }
}

/**
 * Σ w·y·ln f accumulated in the kernel's loop, with the table logarithm of fastlog.ts (`lnNormal`, the same
 * operations in the same order as `sumYLogF`, so the same sum): header declarations, the statements of one
 * point (model value `f`, weighted count `yw`), and the store of the sum at the end. A point whose f is not
 * a positive normal number, or lies within 2^-7 of 1, makes the sum NaN: the caller then runs `sumYLogF`.
 */
function fusedLnSum(
  scope: NameScope,
  header: Block,
): { point: (f: CodeArg, yw: CodeArg) => Stmt[]; finish: Code } {
  const ln = FUSED_LN!;
  const decl = (code: Code): Name => {
    const n = scope.name('ln');
    header.push(_`const ${n} = ${code};`);
    return n;
  };
  const lf = decl(_`${RUNTIME}.lnF`);
  const lh = decl(_`${RUNTIME}.lnHi`);
  const lp = decl(_`${RUNTIME}.lnInvP2`);
  const lc = decl(_`${RUNTIME}.lnInvC`);
  const ll = decl(_`${RUNTIME}.lnLogC`);
  const lo = decl(_`${RUNTIME}.lnOut`);
  const sum = scope.name('ly');
  header.push(_`let ${sum} = 0;`);
  const bits = ln.tableBits;
  const point = (f: CodeArg, yw: CodeArg): Stmt[] => {
    const hi = scope.name('hi');
    const yi = scope.name('yl');
    const d = scope.name('dl');
    const e = scope.name('el');
    const j = scope.name('jl');
    const r = scope.name('rl');
    const r2 = scope.name('rl');
    const normal = _`${hi} >= 1048576 && ${hi} < 2146435072`; // 0x00100000 <= hi < 0x7ff00000
    const inner = new Block(_`if (${yi} !== 0 && ${normal}) {`);
    inner.push(_`const ${d} = ${f} - 1;`);
    inner.push(_`if (${d} < 0.0078125 && ${d} > -0.0078125) ${sum} = NaN;`);
    inner.push(_`const ${e} = (${hi} >>> 20) - 1023;`);
    inner.push(_`const ${j} = (${hi} >>> ${20 - bits}) & ${(1 << bits) - 1};`);
    inner.push(_`const ${r} = ${f} * ${lp}[${e} + 1022] * ${lc}[${j}] - 1;`);
    inner.push(_`const ${r2} = ${r} * ${r};`);
    const p = _`${r} - ${r2} * 0.5 + ${r2} * ${r} * (${1 / 3} - ${r} * 0.25)`;
    inner.push(_`${sum} += ${yi} * (${e} * ${ln.ln2Hi} + (${ll}[${j}] + (${e} * ${ln.ln2Lo} + (${p}))));`);
    return [
      _`${lf}[0] = ${f};`,
      _`const ${hi} = ${lh}[1];`,
      _`const ${yi} = ${yw};`,
      _`if (!(${normal})) ${sum} = NaN;`,
      inner,
    ];
  };
  return { point, finish: _`${lo}[0] = ${sum};` };
}

/** One point's gradient and Hessian terms accumulated in loops over its derivatives `dv` (upper triangle). */
function accumulateLoop(o: {
  scope: NameScope;
  P: number;
  dv: Name;
  hs: Name;
  gr: Name;
  gf: CodeArg;
  hf?: CodeArg;
}): Block {
  const { scope, P, dv, hs, gr, gf, hf } = o;
  const a = scope.name('a');
  const b = scope.name('b');
  const da = scope.name('da');
  const e = scope.name('e');
  const row = scope.name('row');
  const outer = new Block(_`for (let ${a} = 0; ${a} < ${P}; ${a}++) {`);
  outer.push(_`const ${da} = ${dv}[${a}];`);
  outer.push(_`if (${da} === 0) continue;`);
  outer.push(_`${gr}[${a}] += ${gf} * ${da};`);
  outer.push(hf === undefined ? _`const ${e} = ${da};` : _`const ${e} = ${hf} * ${da};`);
  outer.push(_`const ${row} = ${a} * ${P};`);
  const inner = new Block(_`for (let ${b} = ${a}; ${b} < ${P}; ${b}++) {`);
  inner.push(_`${hs}[${row} + ${b}] += ${e} * ${dv}[${b}];`);
  outer.push(inner);
  return outer;
}

/** Copies the upper triangle of the P x P Hessian into the lower. */
function mirrorLoop(scope: NameScope, P: number, hs: Name): Block {
  const a = scope.name('a');
  const b = scope.name('b');
  const outer = new Block(_`for (let ${a} = 1; ${a} < ${P}; ${a}++) {`);
  const inner = new Block(_`for (let ${b} = 0; ${b} < ${a}; ${b}++) {`);
  inner.push(_`${hs}[${a} * ${P} + ${b}] = ${hs}[${b} * ${P} + ${a}];`);
  outer.push(inner);
  return outer;
}

function timesAll(names: readonly Name[]): CodeArg {
  let c: CodeArg = names[0];
  for (let i = 1; i < names.length; i++) c = _`${c} * ${names[i]}`;
  return c;
}

const TRANSCENDENTAL = new Set([
  'exp',
  'log',
  'log10',
  'log2',
  'log1p',
  'expm1',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'atan2',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'erf',
  'erfc',
  'gamma',
  'lgamma',
  'pow',
]);

/**
 * The loop-level mask of an expression (memoized): the levels its variables vary along, through CSE temps;
 * 0 for parameters, fixed values and constants.
 */
export function loopMaskFunction(program: SymbolicProgram, layout: BatchLayout): (e: Expr) => number {
  const masks = new Map<Expr, number>();
  const mask = (e: Expr): number => {
    const hit = masks.get(e);
    if (hit !== undefined) return hit;
    let m = 0;
    switch (e.kind) {
      case 'sym': {
        const role = program.roles.get(e.name);
        if (role?.kind === 'variable') m = layout.variables[role.index].mask;
        else if (role?.kind === 'temp') m = mask(program.temps[role.index].expr);
        break;
      }
      case 'unary':
        m = mask(e.arg);
        break;
      case 'binary':
        m = mask(e.left) | mask(e.right);
        break;
      case 'call':
        for (const a of e.args) m |= mask(a);
        break;
      default:
        break;
    }
    masks.set(e, m);
    return m;
  };
  return mask;
}

/**
 * The CSE temps of the program that are calls to transcendental functions computed once per point: when one
 * of them depends on every loop level, all those that vary along the innermost level (column-only ones are
 * tabulated in the pre-pass), in temp order (a temp only references earlier temps). None otherwise.
 */
function perPointTemps(program: SymbolicProgram, layout: BatchLayout, fullMask: number): string[] {
  const mask = loopMaskFunction(program, layout);
  const innerBit = (fullMask + 1) >>> 1;
  const calls = program.temps.filter((t) => t.expr.kind === 'call' && TRANSCENDENTAL.has(t.expr.fn));
  if (!calls.some((t) => mask(t.expr) === fullMask)) return [];
  return calls.filter((t) => (mask(t.expr) & innerBit) !== 0).map((t) => t.name);
}
