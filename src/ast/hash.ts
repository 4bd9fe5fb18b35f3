/**
 * Structural hashing, equality and a total order on expression trees. Spans are ignored throughout.
 * Used by CSE (hash-consing) and simplify (like terms, canonical ordering).
 *
 * Numbers compare with `Object.is` semantics: `NaN` equals `NaN`, `0` and `-0` differ.
 */
import { assertNever, type Expr, type IndexItem } from './expr.ts';

const hashCache = new WeakMap<Expr, number>();

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x5bd1e995);
  return (h ^ (h >>> 15)) | 0;
}

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return mix(h, s.length);
}

function hashNumber(h: number, v: number): number {
  if (Number.isNaN(v)) return mix(h, 0x7ff80000);
  f64[0] = v;
  return mix(mix(h, u32[0]), u32[1]);
}

const KIND_SEED: Record<Expr['kind'], number> = {
  num: 0x1234567,
  sym: 0x2345678,
  unary: 0x3456789,
  binary: 0x456789a,
  call: 0x56789ab,
  str: 0x6789abc,
  array: 0x789abcd,
  index: 0x89abcde,
};

function hashItem(h: number, it: IndexItem): number {
  if (it.kind === 'at') return mix(mix(h, 1), hashExpr(it.index));
  h = mix(h, 2);
  h = mix(h, it.start ? hashExpr(it.start) : 3);
  h = mix(h, it.stop ? hashExpr(it.stop) : 5);
  return mix(h, it.step ? hashExpr(it.step) : 7);
}

/** A 32-bit structural hash (memoized per node; nodes are immutable). */
export function hashExpr(e: Expr): number {
  const cached = hashCache.get(e);
  if (cached !== undefined) return cached;
  let h = KIND_SEED[e.kind];
  switch (e.kind) {
    case 'num':
      h = hashNumber(h, e.value);
      break;
    case 'sym':
      h = hashString(h, e.name);
      break;
    case 'str':
      h = hashString(h, e.value);
      break;
    case 'unary':
      h = mix(hashString(h, e.op), hashExpr(e.arg));
      break;
    case 'binary':
      h = mix(mix(hashString(h, e.op), hashExpr(e.left)), hashExpr(e.right));
      break;
    case 'call':
      h = hashString(h, e.fn);
      if (e.prefix !== undefined) h = hashString(h, e.prefix);
      for (const a of e.args) h = mix(h, hashExpr(a));
      h = mix(h, e.args.length);
      break;
    case 'array':
      for (const a of e.items) h = mix(h, hashExpr(a));
      h = mix(h, e.items.length);
      break;
    case 'index':
      h = mix(h, hashExpr(e.target));
      for (const it of e.items) h = hashItem(h, it);
      h = mix(h, e.items.length);
      break;
    default:
      assertNever(e);
  }
  hashCache.set(e, h);
  return h;
}

function optEquals(a: Expr | undefined, b: Expr | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return exprEquals(a, b);
}

function itemEquals(a: IndexItem, b: IndexItem): boolean {
  if (a.kind === 'at') return b.kind === 'at' && exprEquals(a.index, b.index);
  return (
    b.kind === 'slice' &&
    optEquals(a.start, b.start) &&
    optEquals(a.stop, b.stop) &&
    optEquals(a.step, b.step)
  );
}

/** Structural equality, spans ignored. */
export function exprEquals(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'num':
      return Object.is(a.value, (b as typeof a).value);
    case 'sym':
      return a.name === (b as typeof a).name;
    case 'str':
      return a.value === (b as typeof a).value;
    default:
      break;
  }
  if (hashExpr(a) !== hashExpr(b)) return false;
  switch (a.kind) {
    case 'unary': {
      const o = b as typeof a;
      return a.op === o.op && exprEquals(a.arg, o.arg);
    }
    case 'binary': {
      const o = b as typeof a;
      return a.op === o.op && exprEquals(a.left, o.left) && exprEquals(a.right, o.right);
    }
    case 'call': {
      const o = b as typeof a;
      if (a.fn !== o.fn || a.prefix !== o.prefix || a.args.length !== o.args.length) return false;
      for (let i = 0; i < a.args.length; i++) if (!exprEquals(a.args[i], o.args[i])) return false;
      return true;
    }
    case 'array': {
      const o = b as typeof a;
      if (a.items.length !== o.items.length) return false;
      for (let i = 0; i < a.items.length; i++) if (!exprEquals(a.items[i], o.items[i])) return false;
      return true;
    }
    case 'index': {
      const o = b as typeof a;
      if (a.items.length !== o.items.length || !exprEquals(a.target, o.target)) return false;
      for (let i = 0; i < a.items.length; i++) if (!itemEquals(a.items[i], o.items[i])) return false;
      return true;
    }
    default:
      return assertNever(a);
  }
}

const KIND_RANK: Record<Expr['kind'], number> = {
  num: 0,
  sym: 1,
  call: 2,
  binary: 3,
  unary: 4,
  str: 5,
  array: 6,
  index: 7,
};

const OP_RANK: Record<string, number> = {
  '^': 0,
  '*': 1,
  '/': 2,
  '+': 3,
  '-': 4,
  '<': 5,
  '<=': 6,
  '>': 7,
  '>=': 8,
  '==': 9,
  '!=': 10,
  and: 11,
  or: 12,
  not: 13,
};

function compareNumbers(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  if (Number.isNaN(a)) return 1;
  if (Number.isNaN(b)) return -1;
  if (a < b) return -1;
  if (a > b) return 1;
  return Object.is(a, -0) ? -1 : 1; // -0 before 0
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareLists(a: readonly Expr[], b: readonly Expr[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareExpr(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareOpt(a: Expr | undefined, b: Expr | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareExpr(a, b);
}

function compareItems(a: IndexItem, b: IndexItem): number {
  if (a.kind !== b.kind) return a.kind === 'at' ? -1 : 1;
  if (a.kind === 'at') return compareExpr(a.index, (b as typeof a).index);
  const o = b as typeof a;
  return compareOpt(a.start, o.start) || compareOpt(a.stop, o.stop) || compareOpt(a.step, o.step);
}

/**
 * A total order on trees, consistent with `exprEquals` (0 exactly when structurally equal). Numbers come
 * first, then names (alphabetically), calls (by name, then arguments), binary and unary nodes.
 */
export function compareExpr(a: Expr, b: Expr): number {
  if (a === b) return 0;
  if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
  switch (a.kind) {
    case 'num':
      return compareNumbers(a.value, (b as typeof a).value);
    case 'sym':
      return compareStrings(a.name, (b as typeof a).name);
    case 'str':
      return compareStrings(a.value, (b as typeof a).value);
    case 'unary': {
      const o = b as typeof a;
      return OP_RANK[a.op] - OP_RANK[o.op] || compareExpr(a.arg, o.arg);
    }
    case 'binary': {
      const o = b as typeof a;
      return OP_RANK[a.op] - OP_RANK[o.op] || compareExpr(a.left, o.left) || compareExpr(a.right, o.right);
    }
    case 'call': {
      const o = b as typeof a;
      return (
        compareStrings(a.fn, o.fn) ||
        compareStrings(a.prefix ?? '', o.prefix ?? '') ||
        compareLists(a.args, o.args)
      );
    }
    case 'array':
      return compareLists(a.items, (b as typeof a).items);
    case 'index': {
      const o = b as typeof a;
      const c = compareExpr(a.target, o.target);
      if (c !== 0) return c;
      const n = Math.min(a.items.length, o.items.length);
      for (let i = 0; i < n; i++) {
        const d = compareItems(a.items[i], o.items[i]);
        if (d !== 0) return d;
      }
      return a.items.length - o.items.length;
    }
    default:
      return assertNever(a);
  }
}

/** A map keyed by expression structure (hash buckets with structural equality). */
export class ExprMap<V> {
  private readonly buckets = new Map<number, { key: Expr; value: V }[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: Expr): V | undefined {
    const bucket = this.buckets.get(hashExpr(key));
    if (!bucket) return undefined;
    for (const entry of bucket) if (exprEquals(entry.key, key)) return entry.value;
    return undefined;
  }

  has(key: Expr): boolean {
    return this.canonicalKey(key) !== undefined;
  }

  set(key: Expr, value: V): this {
    const h = hashExpr(key);
    let bucket = this.buckets.get(h);
    if (!bucket) {
      bucket = [];
      this.buckets.set(h, bucket);
    }
    for (const entry of bucket) {
      if (exprEquals(entry.key, key)) {
        entry.value = value;
        return this;
      }
    }
    bucket.push({ key, value });
    this.count++;
    return this;
  }

  /** The first-inserted key structurally equal to `key` (hash-consing), or `undefined`. */
  canonicalKey(key: Expr): Expr | undefined {
    const bucket = this.buckets.get(hashExpr(key));
    if (!bucket) return undefined;
    for (const entry of bucket) if (exprEquals(entry.key, key)) return entry.key;
    return undefined;
  }
}
