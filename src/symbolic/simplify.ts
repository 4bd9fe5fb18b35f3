/**
 * simplify: a bottom-up normalizer plus a table of named rewrite rules (rules.ts).
 *
 * Sums and products are brought into a canonical form (these are the "ring rules" of the rule table):
 *  - sums: flattened into a rational constant plus terms `coefficient * rest`; like terms are combined
 *    (`2*x + 3*x` -> `5*x`, `x - x` -> `0`), terms are ordered canonically (constant first when positive,
 *    last when negative; a positive term leads when there is one), `-(a - b)` -> `b - a`, `--x` -> `x`;
 *  - products: flattened into a rational coefficient times factors `base^exponent`; like factors are
 *    combined (`x*x` -> `x^2`, `x^a*x^b` -> `x^(a+b)`, `x/x` -> `1`), factors are ordered canonically
 *    (numbers, names, calls, then compound bases), `x^1` -> `x`, `x^0` -> `1`, `x*0` -> `0`, `x*1` -> `x`;
 *    integer powers up to 16 distribute over products (`(2*x)^2` -> `4*x^2`; higher ones would overflow
 *    or underflow factor by factor) and nest (`(x^a)^2` -> `x^(2*a)`);
 *    non-integer powers never do (`(x^2)^0.5` stays: it is |x|). Negative exponents go to a denominator.
 *    A sum used as a factor with an integer exponent that has more negative than positive terms is
 *    negated (`a*(-u - v)` -> `-a*(u + v)`, `(-u - v)^2` -> `(u + v)^2`), so that CSE sees one
 *    subexpression where the rules of differentiation produced two signs (rotated coordinates). A
 *    product whose sign would fall on a balanced sum takes it into the sum: `-(x - b)/c` -> `(b - x)/c`.
 *  - constant folding of every operator and builtin (with the registry evaluators), never into NaN or
 *    +-Infinity: such an expression is kept as it is (`1/0`, `log(0)` stay).
 * Nothing is expanded (`(a + b)*c` stays a product) and the names `pi` and `e` are not folded (a model may
 * declare parameters with those names).
 *
 * The normal form is a fixed point by construction (`simplify(simplify(e))` is `simplify(e)`; tested);
 * rule rewriting at one node is capped at MAX_REWRITES steps, so simplify always terminates.
 * Results are memoized per node (nodes are immutable), which makes re-simplifying shared or already
 * simplified subtrees free: `differentiate` relies on that.
 */
import {
  add,
  array,
  assertNever,
  binary,
  type BinaryOp,
  call,
  CHAIN_GROUP,
  compareExpr,
  constant,
  constantValue,
  div,
  type Expr,
  exprEquals,
  hashExpr,
  index,
  mul,
  neg,
  num,
  pow,
  product,
  signedSum,
  unary,
} from '../ast/index.ts';
import { arityOk, BINARY_OPERATORS, getFunction, UNARY_OPERATORS } from '../functions/index.ts';
import {
  C0,
  C1,
  coefAbs,
  coefAdd,
  coefFromNumber,
  coefIsMinusOne,
  coefIsOne,
  coefMul,
  coefNeg,
  coefPowInt,
  coefValue,
  type Coef,
} from './coef.ts';
import { RULES_BY_HEAD, ruleHead, type Rule, type RuleContext } from './rules.ts';

/** A factor `base^exp` of a product; `exp` is a number or a non-constant expression. */
export interface Factor {
  readonly base: Expr;
  readonly exp: number | Expr;
}

/** `coef * product of factors` (factors merged by base and sorted). */
export interface ProductForm {
  readonly coef: Coef;
  readonly factors: readonly Factor[];
}

/** One term of a sum: `coef * rest`, where `rest` is the product of `factors` with coefficient 1. */
export interface Term {
  readonly coef: Coef;
  readonly factors: readonly Factor[];
  readonly rest: Expr;
}

/** `constant + sum of terms` (terms merged by rest and sorted). */
export interface SumForm {
  readonly constant: Coef;
  readonly terms: readonly Term[];
}

const MAX_REWRITES = 16;
const RULE_CONTEXT: RuleContext = { negatedForm: (e) => negatedForm(e) };

const memo = new WeakMap<Expr, Expr>();
const productMemo = new WeakMap<Expr, ProductForm>();
const sumMemo = new WeakMap<Expr, SumForm>();

/** Simplifies an expression (see the module comment). Never throws for well-formed trees. */
export function simplify(e: Expr): Expr {
  return simp(e);
}

function simp(e: Expr): Expr {
  const hit = memo.get(e);
  if (hit) return hit;
  let r = simpNode(e);
  // apply the rule table at the root of the normalized node, re-normalizing after each rewrite
  for (let i = 0; i < MAX_REWRITES; i++) {
    const next = applyRules(r);
    if (next === undefined) break;
    const m = memo.get(next);
    r = m ?? simpNode(next);
  }
  memo.set(e, r);
  if (r !== e) memo.set(r, r);
  return r;
}

/**
 * The rules by head, looked up by operator or function name (no head string built per node). Function names
 * are remembered up to a bound (a session may call any number of user functions).
 */
const rulesByOp = {
  binary: new Map<string, readonly Rule[] | null>(),
  unary: new Map<string, readonly Rule[] | null>(),
  call: new Map<string, readonly Rule[] | null>(),
};
const MAX_REMEMBERED_HEADS = 256;

function opRules(
  byName: Map<string, readonly Rule[] | null>,
  name: string,
  e: Expr,
): readonly Rule[] | undefined {
  let rules = byName.get(name);
  if (rules === undefined) {
    rules = RULES_BY_HEAD.get(ruleHead(e)) ?? null;
    if (byName.size < MAX_REMEMBERED_HEADS) byName.set(name, rules);
  }
  return rules ?? undefined;
}

function rulesOf(e: Expr): readonly Rule[] | undefined {
  if (e.kind === 'binary') return opRules(rulesByOp.binary, e.op, e);
  if (e.kind === 'unary') return opRules(rulesByOp.unary, e.op, e);
  if (e.kind === 'call') return opRules(rulesByOp.call, e.fn, e);
  return RULES_BY_HEAD.get(ruleHead(e));
}

function applyRules(e: Expr): Expr | undefined {
  const rules = rulesOf(e);
  if (!rules) return undefined;
  for (const rule of rules) {
    const out = rule.apply(e, RULE_CONTEXT);
    if (out !== undefined && !exprEquals(out, e)) return out;
  }
  return undefined;
}

function isSumNode(e: Expr): boolean {
  return e.kind === 'binary' && (e.op === '+' || e.op === '-');
}

function isProductNode(e: Expr): boolean {
  return (
    (e.kind === 'binary' && (e.op === '*' || e.op === '/' || e.op === '^')) ||
    (e.kind === 'unary' && e.op === '-')
  );
}

// ------------------------------------------------------------------------------------------------------
// node dispatch

function simpNode(e: Expr): Expr {
  switch (e.kind) {
    case 'num':
      return e.value < 0 || Object.is(e.value, -0) ? constant(e.value, e.span) : e;
    case 'sym':
    case 'str':
      return e;
    case 'array': {
      const items = e.items.map(simp);
      return items.every((x, i) => x === e.items[i]) ? e : array(items, e.span);
    }
    case 'index':
      return index(
        simp(e.target),
        e.items.map((it) =>
          it.kind === 'at'
            ? { kind: 'at', index: simp(it.index) }
            : {
                kind: 'slice',
                ...(it.start ? { start: simp(it.start) } : {}),
                ...(it.stop ? { stop: simp(it.stop) } : {}),
                ...(it.step ? { step: simp(it.step) } : {}),
              },
        ),
        e.span,
      );
    case 'unary': {
      const a = simp(e.arg);
      if (e.op === '-') {
        const v = constantValue(a);
        if (v !== undefined) return foldedOr(-v, () => neg(a));
        return normalizeSum(e.arg === a ? e : neg(a));
      }
      const v = constantValue(a);
      if (v !== undefined) return constant(UNARY_OPERATORS.not.evaluate(v));
      return a === e.arg ? e : unary('not', a, e.span);
    }
    case 'binary': {
      if (isLongChain(e, SUM_OPS)) return normalizeSum(simpOperands(e, SUM_OPS));
      if (isLongChain(e, PRODUCT_OPS)) return normalizeProduct(simpOperands(e, PRODUCT_OPS));
      const l = simp(e.left);
      const r = simp(e.right);
      const node = l === e.left && r === e.right ? e : binary(e.op, l, r, e.span);
      switch (e.op) {
        case '+':
        case '-':
          return normalizeSum(node);
        case '*':
        case '/':
        case '^':
          return normalizeProduct(node);
        default: {
          const lv = constantValue(l);
          const rv = constantValue(r);
          if (lv !== undefined && rv !== undefined) return constant(BINARY_OPERATORS[e.op].evaluate(lv, rv));
          return node;
        }
      }
    }
    case 'call': {
      let changed = false;
      const args = e.args.map((a) => {
        const s = simp(a);
        if (s !== a) changed = true;
        return s;
      });
      const def = getFunction(e.fn);
      if (def?.aliasOf) return simp(call(def.aliasOf, args, e.span, e.fnSpan));
      if (def && e.fn !== 'if' && arityOk(def, args.length)) {
        const values: number[] = [];
        for (const a of args) {
          const v = constantValue(a);
          if (v === undefined) break;
          values.push(v);
        }
        if (values.length === args.length) {
          const v = def.evaluate(...values);
          if (Number.isFinite(v)) return constant(v);
        }
      }
      return changed ? call(e.fn, args, e.span, e.fnSpan) : e;
    }
    default:
      return assertNever(e);
  }
}

const SUM_OPS: readonly BinaryOp[] = ['+', '-'];
const PRODUCT_OPS: readonly BinaryOp[] = ['*', '/'];

/** More than CHAIN_GROUP operands joined by `ops` below `e` (counting stops there). */
/** The work list of {@link isLongChain}, reused (it calls nothing that could reenter it). */
const chainPending: Expr[] = [];

function isLongChain(e: Expr, ops: readonly BinaryOp[]): boolean {
  if (e.kind !== 'binary' || !ops.includes(e.op)) return false;
  let count = 0;
  const pending = chainPending;
  pending.push(e);
  while (pending.length > 0 && count <= CHAIN_GROUP) {
    const x = pending.pop()!;
    if (x.kind === 'binary' && ops.includes(x.op)) pending.push(x.left, x.right);
    else count++;
  }
  pending.length = 0;
  return count > CHAIN_GROUP;
}

/**
 * A long sum or product with the operands of its whole chain of `ops` simplified, but not the chain's
 * inner nodes: the chain is normalized once as a whole, not once per node, which would cost time
 * quadratic in the length of the chain. (Short chains are simplified node by node, which folds
 * constant subexpressions such as `0.01*8.2` before they meet the other operands.)
 */
function simpOperands(e: Expr, ops: readonly BinaryOp[]): Expr {
  if (e.kind !== 'binary' || !ops.includes(e.op)) return simp(e);
  const l = simpOperands(e.left, ops);
  const r = simpOperands(e.right, ops);
  return l === e.left && r === e.right ? e : binary(e.op, l, r, e.span);
}

function foldedOr(v: number, otherwise: () => Expr): Expr {
  return Number.isFinite(v) ? constant(v) : otherwise();
}

// ------------------------------------------------------------------------------------------------------
// products

interface FactorAcc {
  coef: Coef;
  readonly list: Factor[];
}

function expToExpr(x: number | Expr): Expr {
  return typeof x === 'number' ? constant(x) : x;
}

/**
 * A sum that reads better (and is canonical) negated: more negative items than positive ones (the constant
 * counts as an item). Ties keep their orientation (`x - b` stays), so `s` and `-s` are the same subexpression
 * up to sign whenever the signs are unbalanced, as in the derivatives of rotated coordinates.
 */
function hasNegativeLead(s: Expr): boolean {
  return isSumNode(s) && sumBalance(s) < 0;
}

/**
 * The largest integer exponent that distributes over a product or quotient (`(a*b)^16` -> `a^16*b^16`).
 * Beyond it the factors' powers can overflow or underflow where the power of the product does not
 * (`(y/x)^256` at x = y = 0.01), so the product stays the base of one factor.
 */
const MAX_DISTRIBUTED_POWER = 16;

/** A product or quotient, possibly negated: a power of it would be spread over several factors. */
function hasSeveralFactors(e: Expr): boolean {
  if (e.kind === 'unary' && e.op === '-') return hasSeveralFactors(e.arg);
  return e.kind === 'binary' && (e.op === '*' || e.op === '/');
}

function pushFactor(base: Expr, exp: number | Expr, acc: FactorAcc): void {
  if (typeof exp === 'number' && Number.isInteger(exp) && hasNegativeLead(base)) {
    base = buildSum(negateSumForm(sumForm(base)));
    if (exp % 2 !== 0) acc.coef = coefNeg(acc.coef);
  }
  acc.list.push({ base, exp });
}

function pushConstant(c: number, p: number, acc: FactorAcc): void {
  const cc = coefFromNumber(c);
  const powered = cc === undefined ? undefined : Number.isInteger(p) ? coefPowInt(cc, p) : powFloat(c, p);
  const next = powered === undefined ? undefined : coefMul(acc.coef, powered);
  if (next !== undefined) {
    acc.coef = next;
    return;
  }
  // not foldable (0^-2, NaN, overflow): keep as a factor, folding c^|p| when that is finite (0^-2 -> 1/0)
  if (Math.abs(p) !== 1) {
    const m = Math.pow(c, Math.abs(p));
    if (Number.isFinite(m)) {
      acc.list.push({ base: constant(m), exp: Math.sign(p) });
      return;
    }
  }
  acc.list.push({ base: constant(c), exp: p });
}

function powFloat(c: number, p: number): Coef | undefined {
  const v = Math.pow(c, p);
  return Number.isFinite(v) ? coefFromNumber(v) : undefined;
}

/** Collects the factors of `e^p` (`e` simplified, `p` an integer). */
function collectFactors(e: Expr, p: number, acc: FactorAcc): void {
  const c = constantValue(e);
  if (c !== undefined) {
    pushConstant(c, p, acc);
    return;
  }
  if (e.kind === 'unary' && e.op === '-') {
    if (p % 2 !== 0) acc.coef = coefNeg(acc.coef);
    collectFactors(e.arg, p, acc);
    return;
  }
  if (e.kind === 'binary') {
    if (e.op === '*') {
      collectFactors(e.left, p, acc);
      collectFactors(e.right, p, acc);
      return;
    }
    if (e.op === '/') {
      collectFactors(e.left, p, acc);
      collectFactors(e.right, -p, acc);
      return;
    }
    if (e.op === '^') {
      const k = constantValue(e.right);
      if (k !== undefined) {
        const m = k * p;
        // integer powers distribute ((a*b)^2, (x^0.5)^2 = x for x >= 0); non-integer ones keep their base,
        // and so do large ones over a product or quotient: (y/x)^256 is 1 at x = y, y^256/x^256 is 0/0
        if (Number.isSafeInteger(m) && (Math.abs(m) <= MAX_DISTRIBUTED_POWER || !hasSeveralFactors(e.left))) {
          collectFactors(e.left, m, acc);
          return;
        }
        const bc = constantValue(e.left);
        if (bc !== undefined && Number.isFinite(m)) {
          pushConstant(bc, m, acc);
          return;
        }
        if (m === 0) return;
        pushFactor(e.left, m, acc);
        return;
      }
      if (p === 0) return;
      pushFactor(e.left, p === 1 ? e.right : simp(mul(constant(p), e.right)), acc);
      return;
    }
  }
  if (p === 0) return;
  pushFactor(e, p, acc);
}

function addExponents(a: number | Expr, b: number | Expr): number | Expr {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const s = simp(add(expToExpr(a), expToExpr(b)));
  const v = constantValue(s);
  return v !== undefined ? v : s;
}

/** Up to this many items, like factors or terms are found by a scan and sorted by insertion (no allocation). */
const SHORT_LIST = 16;

/**
 * The index of the first of `items` whose key equals `key`, or -1: for a short list a scan (`exprEquals`
 * tells most keys apart by kind or name, without hashing), for a long one through `byHash` (hash -> indexes).
 */
function findKey<T>(
  items: readonly T[],
  keyOf: (item: T) => Expr,
  byHash: Map<number, number[]> | undefined,
  key: Expr,
): number {
  if (byHash) {
    const idxs = byHash.get(hashExpr(key));
    if (idxs) for (const k of idxs) if (exprEquals(keyOf(items[k]), key)) return k;
    return -1;
  }
  for (let k = 0; k < items.length; k++) if (exprEquals(keyOf(items[k]), key)) return k;
  return -1;
}

/** Records the key of the item just appended at index `i` in `byHash` (see {@link findKey}). */
function addKey(byHash: Map<number, number[]> | undefined, key: Expr, i: number): void {
  if (!byHash) return;
  const h = hashExpr(key);
  const idxs = byHash.get(h);
  if (idxs) idxs.push(i);
  else byHash.set(h, [i]);
}

/** Keeps the items that pass `keep`, in place. */
function retain<T>(a: T[], keep: (item: T) => boolean): T[] {
  let n = 0;
  for (const x of a) if (keep(x)) a[n++] = x;
  a.length = n;
  return a;
}

/**
 * Sorts in place and stably, as `Array.prototype.sort` does (which allocates work space on every call):
 * short lists by insertion.
 */
function sortStable<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  if (a.length > SHORT_LIST) return a.sort(cmp);
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    for (; j >= 0 && cmp(a[j], x) > 0; j--) a[j + 1] = a[j];
    a[j + 1] = x;
  }
  return a;
}

const byBase = (a: Factor, b: Factor): number => compareExpr(a.base, b.base);
const byRest = (a: Term, b: Term): number => compareExpr(a.rest, b.rest);

const baseOf = (f: Factor): Expr => f.base;
const restOfTerm = (t: Term): Expr => t.rest;
const nonZeroExp = (f: Factor): boolean => f.exp !== 0;
const nonZeroCoef = (t: Term): boolean => t.coef.n !== 0;

function mergeFactors(list: readonly Factor[]): Factor[] {
  const merged: Factor[] = [];
  const byHash = list.length > SHORT_LIST ? new Map<number, number[]>() : undefined;
  for (const f of list) {
    const i = findKey(merged, baseOf, byHash, f.base);
    if (i >= 0) {
      merged[i] = { base: merged[i].base, exp: addExponents(merged[i].exp, f.exp) };
      continue;
    }
    addKey(byHash, f.base, merged.length);
    merged.push(f);
  }
  return sortStable(retain(merged, nonZeroExp), byBase);
}

function sumBalance(s: Expr): number {
  const form = sumForm(s);
  let balance = form.constant.n < 0 ? -1 : form.constant.n > 0 ? 1 : 0;
  for (const t of form.terms) balance += t.coef.n < 0 ? -1 : 1;
  return balance;
}

/**
 * The sign of a product is written on its first numerator factor; when that is a balanced sum
 * (`-(a - b)/c`, which would re-simplify to `(b - a)/c`), the sign goes into the sum instead: the flipped
 * form, or undefined when the product stays as it is.
 */
function canonicalSign(coef: Coef, factors: readonly Factor[]): ProductForm | undefined {
  if (coef.n !== -1) return undefined;
  const i = factors.findIndex((f) =>
    typeof f.exp === 'number' ? f.exp > 0 : negatedForm(f.exp) === undefined,
  );
  if (i < 0 || factors[i].exp !== 1 || !isSumNode(factors[i].base) || sumBalance(factors[i].base) !== 0) {
    return undefined;
  }
  const flipped = [...factors];
  flipped[i] = { base: buildSum(negateSumForm(sumForm(factors[i].base))), exp: 1 };
  sortStable(flipped, byBase);
  return { coef: coefNeg(coef), factors: flipped };
}

function productFormOf(e: Expr): ProductForm {
  const acc: FactorAcc = { coef: C1, list: [] };
  collectFactors(e, 1, acc);
  const merged = mergeFactors(acc.list);
  const signed = canonicalSign(acc.coef, merged);
  let factors = signed ? signed.factors : merged;
  let coef = signed ? signed.coef : acc.coef;
  // constant bases whose exponents merged into something foldable (rare): fold now when finite
  if (factors.some((f) => constantValue(f.base) !== undefined && typeof f.exp === 'number')) {
    const rest: Factor[] = [];
    for (const f of factors) {
      const c = constantValue(f.base);
      if (c !== undefined && typeof f.exp === 'number') {
        const tmp: FactorAcc = { coef, list: [] };
        pushConstant(c, f.exp, tmp);
        if (tmp.list.length === 0) {
          coef = tmp.coef;
          continue;
        }
      }
      rest.push(f);
    }
    factors = rest;
  }
  return { coef, factors };
}

/** The product form of a simplified expression (memoized). */
export function productForm(e: Expr): ProductForm {
  let f = productMemo.get(e);
  if (!f) {
    f = productFormOf(e);
    productMemo.set(e, f);
  }
  return f;
}

/**
 * `e` with a negative sign pulled out, when it visibly has one: unary minus, or a product with a negative
 * coefficient. `undefined` otherwise. (Used by the odd/even function rules and for negative exponents.)
 */
export function negatedForm(e: Expr): Expr | undefined {
  if (e.kind === 'unary' && e.op === '-') return e.arg;
  if (e.kind === 'binary' && (e.op === '*' || e.op === '/')) {
    const f = productForm(e);
    if (f.coef.n < 0) return buildProduct(coefNeg(f.coef), f.factors);
  }
  return undefined;
}

function factorExpr(base: Expr, exp: number | Expr): Expr {
  return exp === 1 ? base : pow(base, expToExpr(exp));
}

/** A constant base with a numeric exponent survives only when folding failed (0^-1, overflow, NaN). */
function isUnfoldedConstant(f: Factor): boolean {
  return typeof f.exp === 'number' && constantValue(f.base) !== undefined;
}

/** Rebuilds `coef * factors` as a tree (numerator / denominator). */
export function buildProduct(coef: Coef, factors: readonly Factor[]): Expr {
  if (factors.some(isUnfoldedConstant)) {
    // The value is not finite (or 0 times such a value). Keep the constants outside the product of the
    // other factors, so that re-simplifying the inner product (bottom-up) cannot fold them away.
    if (coef.n === 0) return div(num(0), num(0));
    const regular = factors.filter((f) => !isUnfoldedConstant(f));
    let acc: Expr | undefined =
      regular.length === 0 && coefIsOne(coef) ? undefined : buildProduct(coef, regular);
    for (const f of factors) {
      if (!isUnfoldedConstant(f)) continue;
      const k = f.exp as number;
      const fe = factorExpr(f.base, Math.abs(k));
      if (k > 0) acc = acc ? mul(acc, fe) : fe;
      else acc = div(acc ?? num(1), fe);
    }
    return acc!;
  }
  if (coef.n === 0) return num(0);
  const signed = canonicalSign(coef, factors);
  if (signed) ({ coef, factors } = signed);
  if (factors.length === 0) {
    const v = coefValue(coef);
    return Number.isFinite(v) ? constant(v) : div(constant(coef.n), num(coef.d));
  }
  if (factors.length === 1 && factors[0].exp === 1 && isSumNode(factors[0].base)) {
    if (coefIsOne(coef)) return factors[0].base;
    if (coefIsMinusOne(coef)) return buildSum(negateSumForm(sumForm(factors[0].base)));
  }
  const numer: Expr[] = [];
  const denom: Expr[] = [];
  for (const f of factors) {
    if (typeof f.exp === 'number') {
      if (f.exp > 0) numer.push(factorExpr(f.base, f.exp));
      else denom.push(factorExpr(f.base, -f.exp));
    } else {
      const positive = negatedForm(f.exp);
      if (positive !== undefined) denom.push(factorExpr(f.base, positive));
      else numer.push(factorExpr(f.base, f.exp));
    }
  }
  const a = coefAbs(coef);
  if (a.n !== 1) numer.unshift(num(a.n));
  if (a.d !== 1) denom.unshift(num(a.d));
  if (numer.length === 0) numer.push(num(1));
  if (coef.n < 0) numer[0] = neg(numer[0]);
  const top = product(numer);
  return denom.length === 0 ? top : div(top, product(denom));
}

function normalizeProduct(node: Expr): Expr {
  const f = productFormOf(node);
  const r = buildProduct(f.coef, f.factors);
  if (isProductNode(r) && !productMemo.has(r)) {
    productMemo.set(r, f);
    // with coefficient 1, r is what restOf(f) would build again (buildProduct(C1, f.factors))
    if (coefIsOne(f.coef)) restMemo.set(f, r);
  }
  return r;
}

// ------------------------------------------------------------------------------------------------------
// sums

interface TermAcc {
  constant: Coef;
  readonly terms: Term[];
}

const restMemo = new WeakMap<ProductForm, Expr>();
function restOf(pf: ProductForm): Expr {
  let r = restMemo.get(pf);
  if (!r) {
    r = buildProduct(C1, pf.factors);
    restMemo.set(pf, r);
  }
  return r;
}

function collectTerms(e: Expr, mult: Coef, acc: TermAcc): void {
  const c = constantValue(e);
  if (c !== undefined) {
    const cc = coefFromNumber(c);
    const prod = cc && coefMul(mult, cc);
    const next = prod && coefAdd(acc.constant, prod);
    if (next) acc.constant = next;
    else acc.terms.push({ coef: mult, factors: [{ base: constant(c), exp: 1 }], rest: constant(c) });
    return;
  }
  if (e.kind === 'unary' && e.op === '-') {
    collectTerms(e.arg, coefNeg(mult), acc);
    return;
  }
  if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) {
    collectTerms(e.left, mult, acc);
    collectTerms(e.right, e.op === '-' ? coefNeg(mult) : mult, acc);
    return;
  }
  const pf = isProductNode(e) ? productForm(e) : undefined;
  if (!pf) {
    acc.terms.push({ coef: mult, factors: [{ base: e, exp: 1 }], rest: e });
    return;
  }
  const k = coefMul(mult, pf.coef);
  if (k === undefined) {
    acc.terms.push({ coef: mult, factors: [{ base: e, exp: 1 }], rest: e });
    return;
  }
  if (pf.factors.length === 0) {
    const next = coefAdd(acc.constant, k);
    if (next) {
      acc.constant = next;
      return;
    }
  }
  if (pf.factors.length === 1 && pf.factors[0].exp === 1 && isSumNode(pf.factors[0].base)) {
    if (coefIsOne(k) || coefIsMinusOne(k)) {
      collectTerms(pf.factors[0].base, k, acc);
      return;
    }
  }
  acc.terms.push({ coef: k, factors: pf.factors, rest: restOf(pf) });
}

function mergeTerms(terms: readonly Term[]): Term[] {
  const merged: Term[] = [];
  const byHash = terms.length > SHORT_LIST ? new Map<number, number[]>() : undefined;
  for (const t of terms) {
    const i = findKey(merged, restOfTerm, byHash, t.rest);
    const c = i >= 0 ? coefAdd(merged[i].coef, t.coef) : undefined;
    if (c !== undefined) {
      merged[i] = { coef: c, factors: merged[i].factors, rest: merged[i].rest };
      continue;
    }
    addKey(byHash, t.rest, merged.length);
    merged.push(t);
  }
  return sortStable(retain(merged, nonZeroCoef), byRest);
}

function sumFormOf(e: Expr): SumForm {
  const acc: TermAcc = { constant: C0, terms: [] };
  collectTerms(e, C1, acc);
  return { constant: acc.constant, terms: mergeTerms(acc.terms) };
}

/** The sum form of a simplified expression (memoized). */
export function sumForm(e: Expr): SumForm {
  let f = sumMemo.get(e);
  if (!f) {
    f = sumFormOf(e);
    sumMemo.set(e, f);
  }
  return f;
}

function negateSumForm(f: SumForm): SumForm {
  return {
    constant: coefNeg(f.constant),
    terms: f.terms.map((t) => ({ coef: coefNeg(t.coef), factors: t.factors, rest: t.rest })),
  };
}

function termExpr(coef: Coef, t: Term): Expr {
  return coefIsOne(coef) ? t.rest : buildProduct(coef, t.factors);
}

/** Rebuilds a sum form as a tree: `a + b - c ...`, led by a positive item when there is one. */
export function buildSum(f: SumForm): Expr {
  const items: { coef: Coef; term?: Term }[] = [];
  const hasConst = f.constant.n !== 0;
  if (hasConst && f.constant.n > 0) items.push({ coef: f.constant });
  for (const t of f.terms) items.push({ coef: t.coef, term: t });
  if (hasConst && f.constant.n < 0) items.push({ coef: f.constant });
  if (items.length === 0) return num(0);
  if (items[0].coef.n < 0) {
    const i = items.findIndex((it) => it.coef.n > 0);
    if (i > 0) items.unshift(...items.splice(i, 1));
  }
  const itemExpr = (coef: Coef, term: Term | undefined): Expr =>
    term ? termExpr(coef, term) : buildProduct(coef, []);
  const terms = [itemExpr(items[0].coef, items[0].term)];
  const ops: ('+' | '-')[] = [];
  for (let i = 1; i < items.length; i++) {
    const { coef, term } = items[i];
    ops.push(coef.n < 0 ? '-' : '+');
    terms.push(itemExpr(coef.n < 0 ? coefNeg(coef) : coef, term));
  }
  return signedSum(terms, ops);
}

function normalizeSum(node: Expr): Expr {
  const f = sumFormOf(node);
  const r = buildSum(f);
  if (isSumNode(r) && !sumMemo.has(r)) sumMemo.set(r, f);
  return r;
}
