/**
 * Feasibility study for issue 15's moonshot: a WebAssembly SIMD (f64x2) version of the batch LSE kernel for
 * the symmetric 2-D Gaussian `A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg` on a W x W ROI, emitted directly in
 * the WASM binary format (no dependency). It mirrors the JS kernel that src/batch/kernel.ts generates for this
 * model (same temporaries t2…t21, same separable exp tables, fused χ²/Jᵀr/JᵀJ accumulation), with two columns
 * per f64x2 vector; the odd last column is a half vector (`v128.load64_zero` and a (1, 0) mask on the residual).
 *
 * The per-pixel program is written in a tiny expression language (`Ex`) and compiled to f64x2 code by
 * `emitVec`, which is the piece a real backend would drive from the fragment emitter's statements instead.
 *
 * Memory (bytes): the 2^(j/64) table at 0, per-column tables (exp, x − x0, (x − x0)²; W rounded up to even,
 * padded with zeros) at 1024…, the gradient and the full Hessian at OUT, the x and y coordinates at COORDS, and
 * the observed data (all ROIs, contiguous) from DATA on. `kernel(A, x0, y0, s, bg, byteOffset) → χ²`.
 */

const W_MAX = 64;
const T_AT = 0;
const EX_AT = 1024;
const DX_AT = EX_AT + 8 * W_MAX;
const DX2_AT = DX_AT + 8 * W_MAX;
const OUT_AT = DX2_AT + 8 * W_MAX;
const COORDS_AT = OUT_AT + 8 * 32;
/** Byte offset of the observed data in the module's memory. */
export const DATA_AT = 8192;
const PAGE = 65536;
const P = 5;

// ---- binary encoding helpers ----

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

function f64Bytes(v: number): number[] {
  return [...new Uint8Array(new Float64Array([v]).buffer)];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  brIf: 0x0d,
  ret: 0x0f,
  call: 0x10,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i64Const: 0x42,
  f64Const: 0x44,
  i32LtS: 0x48,
  f64Gt: 0x64,
  f64Lt: 0x63,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i64Shl: 0x86,
  f64Neg: 0x9a,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  i32TruncF64S: 0xaa,
  i64ExtendI32S: 0xac,
  f64ReinterpretI64: 0xbf,
} as const;

/** SIMD instructions: the 0xfd prefix and the opcode as an unsigned LEB128. */
function simd(code: number): number[] {
  return [0xfd, ...uleb(code)];
}
const v = {
  load: (offset: number) => [...simd(0x00), 3, ...uleb(offset)],
  load64Zero: (offset: number) => [...simd(0x5d), 3, ...uleb(offset)],
  const: (a: number, b: number) => [...simd(0x0c), ...f64Bytes(a), ...f64Bytes(b)],
  splat: simd(0x14),
  lane: (i: number) => [...simd(0x21), i],
  add: simd(0xf0),
  sub: simd(0xf1),
  mul: simd(0xf2),
};

const get = (i: number): number[] => [op.get, ...uleb(i)];
const set = (i: number): number[] => [op.set, ...uleb(i)];
const f64c = (x: number): number[] => [op.f64Const, ...f64Bytes(x)];
const i32c = (x: number): number[] => [op.i32Const, ...sleb(x)];
const load64 = (offset: number): number[] => [op.f64Load, 3, ...uleb(offset)];
const store64 = (offset: number): number[] => [op.f64Store, 3, ...uleb(offset)];

// ---- a tiny expression language for the per-pixel program ----

type Ex =
  | { readonly k: 'local'; readonly i: number }
  | { readonly k: 'load'; readonly at: number }
  | { readonly k: 'bin'; readonly o: '+' | '-' | '*'; readonly a: Ex; readonly b: Ex };

const loc = (i: number): Ex => ({ k: 'local', i });
const mem = (at: number): Ex => ({ k: 'load', at });
const add = (a: Ex, b: Ex): Ex => ({ k: 'bin', o: '+', a, b });
const mul = (a: Ex, b: Ex): Ex => ({ k: 'bin', o: '*', a, b });

/** f64x2 code for `e` (loads at absolute addresses). */
function emitVec(e: Ex): number[] {
  if (e.k === 'local') return get(e.i);
  if (e.k === 'load') return [...i32c(0), ...v.load(e.at)];
  const o = e.o === '+' ? v.add : e.o === '-' ? v.sub : v.mul;
  return [...emitVec(e.a), ...emitVec(e.b), ...o];
}

// ---- the scalar fast exp (src/arrays/fastexp.ts, same operations in the same order) ----

const INV_L = 64 / Math.LN2;
const L_HI = 6.9314718036912381649e-1 / 64;
const L_LO = 1.90821492927058770002e-10 / 64;
const SHIFT = 6755399441055744;

/** Body of `fexp(x: f64) → f64` (function index 2); local 1 = kk, 2 = r, 3 = ki (i32). */
function fastExpBody(): number[] {
  const [x, kk, r, ki] = [0, 1, 2, 3];
  let poly = f64c(1 / 720);
  for (const c of [1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1])
    poly = [...f64c(c), ...get(r), ...poly, op.f64Mul, op.f64Add];
  return [
    ...vec([
      [...uleb(2), F64],
      [...uleb(1), I32],
    ]),
    ...get(x),
    ...f64c(-708),
    op.f64Gt,
    ...get(x),
    ...f64c(709),
    op.f64Lt,
    op.i32And,
    op.if,
    0x40,
    ...get(x),
    ...f64c(INV_L),
    op.f64Mul,
    ...f64c(SHIFT),
    op.f64Add,
    ...f64c(SHIFT),
    op.f64Sub,
    ...set(kk),
    ...get(x),
    ...get(kk),
    ...f64c(L_HI),
    op.f64Mul,
    op.f64Sub,
    ...get(kk),
    ...f64c(L_LO),
    op.f64Mul,
    op.f64Sub,
    ...set(r),
    ...get(kk),
    op.i32TruncF64S,
    ...set(ki),
    // 2^k with k = ki >> 6: the exponent bits (k + 1023) << 52
    ...get(ki),
    ...i32c(6),
    op.i32ShrS,
    ...i32c(1023),
    op.i32Add,
    op.i64ExtendI32S,
    op.i64Const,
    ...sleb(52),
    op.i64Shl,
    op.f64ReinterpretI64,
    // × T[ki & 63]
    ...get(ki),
    ...i32c(63),
    op.i32And,
    ...i32c(3),
    op.i32Shl,
    ...load64(T_AT),
    op.f64Mul,
    ...poly,
    op.f64Mul,
    op.ret,
    op.end,
    ...get(x),
    op.call,
    0,
    op.end,
  ];
}

// ---- the kernel ----

/** Locals of the kernel after its 6 parameters (A, x0, y0, s, bg: f64; off: i32). */
const L = {
  ptr: 6, // i32: byte address of the current row's data
  c: 7, // i32: column / row counter
  t3: 8, // f64 scalars
  t13: 9,
  t19: 10,
  t0: 11,
  t5: 12,
  t6: 13,
  t7: 14,
  // v128 from here
  P0: 15,
  P4: 16,
  T13: 17,
  T19: 18,
  T7: 19,
  T10: 20,
  T15: 21,
  T20: 22,
  t4: 23,
  t8: 24,
  t11: 25,
  t14: 26,
  t16: 27,
  t21: 28,
  r: 29,
  MASK: 30,
  acc: 31, // chi, g0…g4, h0…h13 (h14 is the point count): 20 accumulators
} as const;
const N_ACC = 20;

function localDecls(): number[] {
  return vec([
    [...uleb(2), I32],
    [...uleb(7), F64],
    [...uleb(L.acc + N_ACC - L.P0), V128],
  ]);
}

/** Column tables: ex[c] = fexp(-(x_c − x0)²/t3), dx[c] = x_c − x0, dx2[c] = dx[c]². */
function columnLoop(w: number, expFn: number): number[] {
  return [
    ...i32c(0),
    ...set(L.c),
    op.loop,
    0x40,
    ...get(L.c),
    ...i32c(3),
    op.i32Shl,
    ...set(L.ptr),
    ...get(L.ptr),
    ...get(L.ptr),
    ...load64(COORDS_AT),
    ...get(1),
    op.f64Sub,
    op.tee,
    ...uleb(L.t0),
    ...store64(DX_AT),
    ...get(L.ptr),
    ...get(L.t0),
    ...get(L.t0),
    op.f64Mul,
    ...store64(DX2_AT),
    ...get(L.ptr),
    ...get(L.t0),
    ...get(L.t0),
    op.f64Mul,
    op.f64Neg,
    ...get(L.t3),
    op.f64Div,
    op.call,
    expFn,
    ...store64(EX_AT),
    ...get(L.c),
    ...i32c(1),
    op.i32Add,
    op.tee,
    ...uleb(L.c),
    ...i32c(w),
    op.i32LtS,
    op.brIf,
    0,
    op.end,
  ];
}

/** Row terms (t5, t6, t7, t10, t15, t20) splatted into vectors. */
function rowTerms(w: number, expFn: number): number[] {
  const splat = (scalar: number[], to: number): number[] => [...scalar, ...v.splat, ...set(to)];
  return [
    ...get(L.c),
    ...i32c(3),
    op.i32Shl,
    ...load64(COORDS_AT + 8 * w),
    ...get(2),
    op.f64Sub,
    op.tee,
    ...uleb(L.t5),
    ...get(L.t5),
    op.f64Mul,
    ...set(L.t6),
    ...get(L.t6),
    op.f64Neg,
    ...get(L.t3),
    op.f64Div,
    op.call,
    expFn,
    op.tee,
    ...uleb(L.t7),
    ...v.splat,
    ...set(L.T7),
    ...splat([...get(0), ...get(L.t7), op.f64Mul], L.T10),
    ...splat([...get(L.t5), ...get(L.t13), op.f64Mul], L.T15),
    ...splat([...get(L.t6), ...get(L.t19), op.f64Mul], L.T20),
  ];
}

/**
 * The per-pixel program of the JS kernel, on the pair of columns starting at byte `col`, accumulating the
 * slots `from` ≤ slot < `to` (0 χ², 1…5 g, 6…19 the upper triangle of H less ∂bg²).
 */
function pixelPair(col: number, half: boolean, from: number, to: number): number[] {
  const t4 = mem(EX_AT + col);
  const dx = mem(DX_AT + col);
  const dx2 = mem(DX2_AT + col);
  const defs: [number, Ex][] = [
    [L.t4, t4],
    [L.t8, mul(loc(L.t4), loc(L.T7))],
    [L.t11, mul(loc(L.t4), loc(L.T10))],
    [L.t14, mul(mul(loc(L.t11), dx), loc(L.T13))],
    [L.t16, mul(loc(L.t11), loc(L.T15))],
    [L.t21, add(mul(mul(loc(L.t11), dx2), loc(L.T19)), mul(loc(L.t11), loc(L.T20)))],
  ];
  const acc = (slot: number, e: Ex): number[] =>
    slot < from || slot >= to ? [] : [...emitVec(add(loc(L.acc + slot), e)), ...set(L.acc + slot)];
  const out = defs.flatMap(([at, e]) => [...emitVec(e), ...set(at)]);
  if (from > P) return [...out, ...hessianPart(acc)];
  // r = y − (A t8 + bg), masked to lane 0 for the odd last column
  out.push(...get(L.ptr), ...(half ? v.load64Zero(col) : v.load(col)));
  out.push(...emitVec(add(mul(loc(L.P0), loc(L.t8)), loc(L.P4))), ...v.sub);
  if (half) out.push(...get(L.MASK), ...v.mul);
  out.push(...set(L.r));
  out.push(...acc(0, mul(loc(L.r), loc(L.r))));
  for (let j = 0; j < P; j++) out.push(...acc(1 + j, D[j] === -1 ? loc(L.r) : mul(loc(L.r), loc(D[j]))));
  return [...out, ...hessianPart(acc)];
}

/** ∂f/∂p_j as locals; -1: ∂f/∂bg = 1. */
const D = [L.t8, L.t14, L.t16, L.t21, -1];

/** The Hessian slots' accumulations (`acc` drops the slots outside the current pass). */
function hessianPart(acc: (slot: number, e: Ex) => number[]): number[] {
  const term = (a: number, b: number): Ex | null =>
    a === -1 && b === -1 ? null : a === -1 ? loc(b) : b === -1 ? loc(a) : mul(loc(a), loc(b));
  const out: number[] = [];
  let slot = 1 + P;
  for (let j = 0; j < P; j++) {
    for (let k = j; k < P; k++) {
      const e = term(D[j], D[k]);
      if (e) out.push(...acc(slot++, e));
    }
  }
  return out;
}

/** Pass boundaries in accumulator slots: one pass, or χ²/g/H row 0 then the rest of H (fewer live registers). */
const PASSES = { 1: [0, N_ACC], 2: [0, 2 * P + 1, N_ACC] } as const;

function rowLoop(w: number, expFn: number, passes: 1 | 2): number[] {
  const body: number[] = [...rowTerms(w, expFn)];
  const cut = PASSES[passes];
  for (let q = 0; q + 1 < cut.length; q++) {
    for (let c = 0; c < w; c += 2) body.push(...pixelPair(8 * c, c + 1 === w, cut[q], cut[q + 1]));
  }
  return [
    ...i32c(0),
    ...set(L.c),
    ...get(5),
    ...i32c(DATA_AT),
    op.i32Add,
    ...set(L.ptr),
    op.loop,
    0x40,
    ...body,
    ...get(L.ptr),
    ...i32c(8 * w),
    op.i32Add,
    ...set(L.ptr),
    ...get(L.c),
    ...i32c(1),
    op.i32Add,
    op.tee,
    ...uleb(L.c),
    ...i32c(w),
    op.i32LtS,
    op.brIf,
    0,
    op.end,
  ];
}

/** Lane sums of the accumulators into the gradient and the full symmetric Hessian; returns χ². */
function epilogue(w: number): number[] {
  const hsum = (slot: number): number[] => [
    ...get(L.acc + slot),
    ...v.lane(0),
    ...get(L.acc + slot),
    ...v.lane(1),
    op.f64Add,
  ];
  const out: number[] = [];
  const put = (at: number, val: number[]): number[] => [...i32c(0), ...val, ...store64(OUT_AT + 8 * at)];
  for (let j = 0; j < P; j++) out.push(...put(j, hsum(1 + j)));
  let slot = 1 + P;
  for (let j = 0; j < P; j++) {
    for (let k = j; k < P; k++) {
      const val = j === P - 1 && k === P - 1 ? f64c(w * w) : hsum(slot++);
      out.push(...put(P + j * P + k, val));
      if (k !== j) out.push(...put(P + k * P + j, val));
    }
  }
  return [...out, ...hsum(0)];
}

function kernelBody(w: number, expFn: number, passes: 1 | 2): number[] {
  const prologue = [
    ...get(3),
    ...get(3),
    op.f64Mul,
    ...f64c(2),
    op.f64Mul, // t3 = 2 s² (the JS kernel: 2 * (s * s))
    ...set(L.t3),
    ...f64c(1),
    ...get(3),
    ...get(3),
    op.f64Mul,
    op.f64Div,
    ...set(L.t13),
    ...f64c(1),
    ...get(3),
    ...get(3),
    op.f64Mul,
    ...get(3),
    op.f64Mul,
    op.f64Div,
    ...set(L.t19),
    ...get(0),
    ...v.splat,
    ...set(L.P0),
    ...get(4),
    ...v.splat,
    ...set(L.P4),
    ...get(L.t13),
    ...v.splat,
    ...set(L.T13),
    ...get(L.t19),
    ...v.splat,
    ...set(L.T19),
    ...v.const(1, 0),
    ...set(L.MASK),
  ];
  return [
    ...localDecls(),
    ...prologue,
    ...columnLoop(w, expFn),
    ...rowLoop(w, expFn, passes),
    ...epilogue(w),
    op.end,
  ];
}

/** `fast`: the table-driven exp compiled into the module; `math`: every exp calls the imported Math.exp. */
export type ExpChoice = 'fast' | 'math';

/**
 * The whole module: imports `m.exp` (Math.exp: for the `math` variant, and outside fexp's range) and exports
 * `kernel` and `mem`.
 */
function gaussianModule(
  w: number,
  dataBytes: number,
  exp: ExpChoice,
  passes: 1 | 2,
): Uint8Array<ArrayBuffer> {
  if (w < 1 || w > W_MAX) throw new RangeError(`ROI width ${w} outside 1…${W_MAX}`);
  const pages = Math.ceil((DATA_AT + dataBytes) / PAGE);
  const body = (code: number[]): number[] => [...uleb(code.length), ...code];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vec([
        [0x60, ...vec([[F64], [F64], [F64], [F64], [F64], [I32]]), ...vec([[F64]])],
        [0x60, ...vec([[F64]]), ...vec([[F64]])],
      ]),
    ),
    ...section(2, vec([[...str('m'), ...str('exp'), 0x00, 0x01]])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(
      7,
      vec([
        [...str('kernel'), 0x00, 1],
        [...str('mem'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([body(kernelBody(w, exp === 'fast' ? 2 : 0, passes)), body(fastExpBody())])),
  ];
  return new Uint8Array(bytes);
}

export interface WasmGaussian {
  readonly kernel: (A: number, x0: number, y0: number, s: number, bg: number, off: number) => number;
  /** Gradient (5) then the row-major Hessian (25), valid after each call. */
  readonly out: Float64Array;
  /** The observed data area (copy all ROIs here once); `off` is a byte offset into it. */
  readonly data: Float64Array;
}

/**
 * Instantiates the module for W x W ROIs with x = y = 0…W−1 and room for `nValues` observed values; `passes`
 * 2 runs the pixel loop twice per row, accumulating half of the 20 sums each time.
 */
export function instantiateGaussian(
  w: number,
  nValues: number,
  exp: ExpChoice,
  passes: 1 | 2 = 1,
): WasmGaussian {
  const mod = new WebAssembly.Module(gaussianModule(w, 8 * nValues, exp, passes));
  const inst = new WebAssembly.Instance(mod, { m: { exp: Math.exp } });
  const memory = inst.exports.mem as WebAssembly.Memory;
  const f64 = new Float64Array(memory.buffer);
  for (let j = 0; j < 64; j++) f64[T_AT / 8 + j] = Math.pow(2, j / 64);
  for (let i = 0; i < w; i++) f64[COORDS_AT / 8 + i] = f64[COORDS_AT / 8 + w + i] = i;
  return {
    kernel: inst.exports.kernel as WasmGaussian['kernel'],
    out: new Float64Array(memory.buffer, OUT_AT, P + P * P),
    data: new Float64Array(memory.buffer, DATA_AT, nValues),
  };
}
