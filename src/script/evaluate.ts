/**
 * Evaluation of `.fit` expressions over numbers and arrays.
 *
 * Calls of array functions (`linspace`, `load`, `grid`, `sum`, ...), spline calls, indexing/slicing, array
 * literals and strings are evaluated here first, each bound to a temporary name; what remains is an
 * element-wise expression of names. When every name holds a number it is evaluated by the reference
 * evaluator; otherwise it is compiled to one fused loop (src/compile `compileValues`) with numpy broadcasting.
 */
import { slice, type SliceSpec } from '../arrays/index.ts';
import { call as callNode, type Expr, type IndexItem, sym } from '../ast/index.ts';
import { compileValues } from '../compile/index.ts';
import { closestMatches, ExprfitError, type SourceSpan, type SourceText } from '../core/index.ts';
import { broadcastShapes, checkArraySize, NdArray } from '../data/index.ts';
import { arityOk, arityText, functionNames, getConstant, getFunction } from '../functions/index.ts';
import { evaluate as evaluateScalar, inline, type UserFunctions } from '../symbolic/index.ts';
import {
  arityDescription,
  callFit,
  callSpline,
  getScriptFunction,
  scriptFunctionNames,
  type CallContext,
} from './functions.ts';
import {
  asArray,
  asInteger,
  describeType,
  isFit,
  isSpline,
  positioned,
  simplifyValue,
  typeError,
  type Value,
  type Where,
} from './values.ts';

/** Names the language knows without declarations, besides `pi` and `e`. */
export const SCRIPT_CONSTANTS: Readonly<Record<string, number>> = Object.freeze({ inf: Infinity, nan: NaN });

/** What an expression can see. */
export interface EvalScope {
  /** A variable's value or a parameter's current value, or undefined. */
  lookup(name: string): Value | undefined;
  readonly userFunctions: UserFunctions;
  /** Every name in scope (for "did you mean" hints). */
  knownNames(): Iterable<string>;
  resolvePath(file: string): string;
}

/** Temporaries get names no identifier can have, so they never collide with user names. */
const TEMP_PREFIX = '#';

interface Lowering {
  /** name → value of every name the element-wise remainder uses. */
  readonly bindings: Map<string, number | NdArray>;
  /** temp name → the source text it stands for (for error messages). */
  readonly labels: Map<string, string>;
  counter: number;
}

export class Evaluator {
  constructor(
    private readonly scope: EvalScope,
    private readonly source: SourceText,
  ) {}

  private where(span: SourceSpan | undefined): Where {
    return { span, source: this.source };
  }

  private text(span: SourceSpan | undefined): string {
    return span ? this.source.text.slice(span.start, span.end) : '(value)';
  }

  /** The value of `e`. Errors are ExprfitErrors positioned in the source. */
  async evaluate(e: Expr): Promise<Value> {
    try {
      return await this.node(e);
    } catch (err) {
      throw positioned(err, this.where(e.span));
    }
  }

  /** Values that are whole by themselves (arrays functions, names, literals), else the element-wise path. */
  private async node(e: Expr): Promise<Value> {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'str':
        return e.value;
      case 'sym': {
        const v = this.lookupName(e.name, e.span);
        return v;
      }
      case 'array':
        return this.arrayLiteral(e);
      case 'index':
        return this.index(e);
      case 'call': {
        const direct = await this.directCall(e);
        if (direct !== undefined) return direct;
        return this.elementwise(e);
      }
      case 'unary':
      case 'binary':
        return this.elementwise(e);
    }
  }

  private lookupName(name: string, span: SourceSpan | undefined): Value {
    const v = this.scope.lookup(name);
    if (v !== undefined) return v;
    if (Object.hasOwn(SCRIPT_CONSTANTS, name)) return SCRIPT_CONSTANTS[name];
    const c = getConstant(name);
    if (c !== undefined) return c;
    const hints: string[] = [];
    const close = closestMatches(name, this.scope.knownNames());
    if (close.length) hints.push(`did you mean '${close[0]}'?`);
    else if (getScriptFunction(name) || getFunction(name))
      hints.push(`'${name}' is a function: call it as ${name}(...)`);
    throw new ExprfitError('unknown-name', `unknown name '${name}'`, { span, source: this.source, hints });
  }

  /**
   * Calls evaluated as a whole: user functions (inlined), array functions, spline values, `min`/`max` as
   * reductions. Returns undefined for element-wise builtin calls.
   */
  private async directCall(e: Extract<Expr, { kind: 'call' }>): Promise<Value | undefined> {
    const span = e.fnSpan ?? e.span;
    if (this.scope.userFunctions.has(e.fn)) {
      let expanded: Expr;
      try {
        expanded = inline(e, this.scope.userFunctions);
      } catch (err) {
        throw positioned(err, this.where(span));
      }
      return this.node(expanded);
    }
    const own = this.scope.lookup(e.fn);
    if (own !== undefined && isSpline(own)) {
      const args = await this.args(e);
      return callSpline(own, args, this.callContext(e));
    }
    if (own !== undefined && isFit(own)) return callFit(own, await this.args(e), this.callContext(e));
    if (e.fn === 'minimum' || e.fn === 'maximum') return undefined;
    if ((e.fn === 'min' || e.fn === 'max') && e.args.length >= 1 && e.args.length <= 2) {
      // numpy: min(a) / min(a, axis) reduce an array; with numbers only (or two arrays) it is element-wise
      const args = await this.args(e);
      const first = args[0];
      if (first instanceof NdArray && (args.length === 1 || typeof args[1] === 'number')) {
        return this.callScriptFunction(e, args);
      }
      if (args.length === 1) {
        if (typeof first === 'number') return first;
        throw typeError(
          `${e.fn} needs numbers or arrays, not ${describeType(first)}`,
          this.where(e.args[0].span),
        );
      }
      return this.elementwiseOfValues(e, args);
    }
    const fn = getScriptFunction(e.fn);
    if (fn) {
      if (e.args.length < fn.arity[0] || e.args.length > fn.arity[1]) {
        throw new ExprfitError(
          'arity',
          `'${e.fn}' takes ${arityDescription(fn.arity)}, but ${e.args.length === 1 ? '1 was' : `${e.args.length} were`} given`,
          { span, source: this.source, hints: [`usage: ${fn.signature}`] },
        );
      }
      const args = await this.args(e);
      return this.callScriptFunction(e, args);
    }
    if (getFunction(e.fn)) return undefined;
    if (own !== undefined) {
      throw typeError(`'${e.fn}' is ${describeType(own)}, not a function`, this.where(span), [
        `to multiply, write '${e.fn}*(...)'; to index, write ${e.fn}[...]`,
      ]);
    }
    const candidates = [...functionNames(), ...scriptFunctionNames(), ...this.scope.userFunctions.keys()];
    const close = closestMatches(e.fn, candidates);
    throw new ExprfitError('unknown-function', `unknown function '${e.fn}'`, {
      span,
      source: this.source,
      hints: close.length ? [`did you mean '${close[0]}'?`] : [`to multiply, write '${e.fn}*(...)'`],
    });
  }

  private async args(e: Extract<Expr, { kind: 'call' }>): Promise<Value[]> {
    const out: Value[] = [];
    for (const a of e.args) out.push(await this.evaluate(a));
    return out;
  }

  private callContext(e: Extract<Expr, { kind: 'call' }>): CallContext {
    return {
      where: this.where(e.span),
      arg: (i) => this.where(e.args[i]?.span ?? e.span),
      resolvePath: (f) => this.scope.resolvePath(f),
    };
  }

  private async callScriptFunction(e: Extract<Expr, { kind: 'call' }>, args: Value[]): Promise<Value> {
    const fn = getScriptFunction(e.fn)!;
    try {
      return await fn.call(args, this.callContext(e));
    } catch (err) {
      throw positioned(err, this.where(e.span));
    }
  }

  private async arrayLiteral(e: Extract<Expr, { kind: 'array' }>): Promise<Value> {
    const items: Value[] = [];
    for (const it of e.items) items.push(await this.evaluate(it));
    if (items.length === 0) return new NdArray(new Float64Array(0), [0]);
    const arrays = items.map((v, i) =>
      asArray(v, 'an item of an array literal', this.where(e.items[i].span)),
    );
    const shape = arrays[0].shape;
    arrays.forEach((a, i) => {
      if (a.shape.length !== shape.length || a.shape.some((d, k) => d !== shape[k])) {
        throw new ExprfitError(
          'shape',
          `the items of an array literal must have the same shape: the first is [${shape.join(', ')}], item ${i + 1} is [${a.shape.join(', ')}]`,
          { span: e.items[i].span, source: this.source },
        );
      }
    });
    const size = arrays[0].size;
    try {
      checkArraySize('an array literal', [arrays.length, ...shape]);
    } catch (err) {
      throw positioned(err, this.where(e.span));
    }
    const out = new Float64Array(size * arrays.length);
    arrays.forEach((a, i) => out.set(a.data, i * size));
    return new NdArray(out, [arrays.length, ...shape]);
  }

  private async index(e: Extract<Expr, { kind: 'index' }>): Promise<Value> {
    const target = await this.evaluate(e.target);
    if (!(target instanceof NdArray) || target.ndim === 0) {
      throw typeError(
        `only arrays can be indexed, but this is ${describeType(target)}`,
        this.where(e.target.span),
      );
    }
    const items: (number | SliceSpec)[] = [];
    for (const it of e.items) items.push(await this.indexItem(it));
    try {
      return simplifyValue(slice(target, items));
    } catch (err) {
      throw positioned(err, this.where(e.span));
    }
  }

  private async indexItem(it: IndexItem): Promise<number | SliceSpec> {
    const int = async (x: Expr | undefined): Promise<number | null> => {
      if (!x) return null;
      const v = await this.evaluate(x);
      if (v instanceof NdArray && v.size !== 1) {
        throw typeError(
          'an index must be a whole number (indexing with arrays is not supported)',
          this.where(x.span),
        );
      }
      return asInteger(v, 'an index', this.where(x.span));
    };
    if (it.kind === 'at') return (await int(it.index))!;
    return { start: await int(it.start), stop: await int(it.stop), step: await int(it.step) };
  }

  // -------------------------------------------------------------------------------------------------------
  // element-wise part

  private newTemp(low: Lowering, value: number | NdArray, label: string): Expr {
    const name = `${TEMP_PREFIX}${low.counter++}`;
    low.bindings.set(name, value);
    low.labels.set(name, label);
    return sym(name);
  }

  /** A value usable element-wise (a number or an array), else a type error. */
  private numeric(v: Value, span: SourceSpan | undefined): number | NdArray {
    if (typeof v === 'number' || v instanceof NdArray) return v;
    throw typeError(`${describeType(v)} cannot be used in arithmetic`, this.where(span));
  }

  /** Replaces every non-element-wise part of `e` by a temporary bound to its value. */
  private async lower(e: Expr, low: Lowering): Promise<Expr> {
    switch (e.kind) {
      case 'num':
        return e;
      case 'str':
        throw typeError('a string cannot be used in arithmetic', this.where(e.span));
      case 'sym': {
        if (getConstant(e.name) !== undefined && this.scope.lookup(e.name) === undefined) return e;
        const v = this.numeric(this.lookupName(e.name, e.span), e.span);
        if (!low.bindings.has(e.name)) low.bindings.set(e.name, v);
        return e;
      }
      case 'unary': {
        const arg = await this.lower(e.arg, low);
        return arg === e.arg ? e : { ...e, arg };
      }
      case 'binary': {
        const left = await this.lower(e.left, low);
        const right = await this.lower(e.right, low);
        return left === e.left && right === e.right ? e : { ...e, left, right };
      }
      case 'call': {
        if (e.fn === 'minimum' || e.fn === 'maximum') {
          if (e.args.length !== 2) {
            throw new ExprfitError('arity', `'${e.fn}' takes 2 arguments, but ${e.args.length} were given`, {
              span: e.fnSpan ?? e.span,
              source: this.source,
            });
          }
          const args = await Promise.all(e.args.map((a) => this.lower(a, low)));
          return { ...callNode(e.fn === 'minimum' ? 'min' : 'max', args), span: e.span };
        }
        const direct = await this.directCall(e);
        if (direct !== undefined) return this.newTemp(low, this.numeric(direct, e.span), this.text(e.span));
        const def = getFunction(e.fn)!;
        if (!arityOk(def, e.args.length)) {
          throw new ExprfitError(
            'arity',
            `'${e.fn}' takes ${arityText(def)}, but ${e.args.length === 1 ? '1 was' : `${e.args.length} were`} given`,
            { span: e.fnSpan ?? e.span, source: this.source, hints: [`usage: ${def.help.signature}`] },
          );
        }
        const args: Expr[] = [];
        for (const a of e.args) args.push(await this.lower(a, low));
        return { ...e, args };
      }
      case 'array':
      case 'index': {
        const v = await this.node(e);
        return this.newTemp(low, this.numeric(v, e.span), this.text(e.span));
      }
    }
  }

  private async elementwise(e: Expr): Promise<Value> {
    const low: Lowering = { bindings: new Map(), labels: new Map(), counter: 0 };
    const lowered = await this.lower(e, low);
    return this.compute(lowered, low, e.span);
  }

  /** `min(a, b)` / `max(a, b)` element-wise over already evaluated arguments. */
  private elementwiseOfValues(e: Extract<Expr, { kind: 'call' }>, args: Value[]): Value {
    const low: Lowering = { bindings: new Map(), labels: new Map(), counter: 0 };
    const syms = args.map((v, i) =>
      this.newTemp(low, this.numeric(v, e.args[i].span), this.text(e.args[i].span)),
    );
    return this.compute({ ...callNode(e.fn, syms), span: e.span }, low, e.span);
  }

  private compute(lowered: Expr, low: Lowering, span: SourceSpan | undefined): Value {
    if (lowered.kind === 'sym' && low.bindings.has(lowered.name)) return low.bindings.get(lowered.name)!;
    const arrays: [string, NdArray][] = [];
    const scalars: [string, number][] = [];
    for (const [k, v] of low.bindings) {
      if (v instanceof NdArray) arrays.push([k, v]);
      else scalars.push([k, v]);
    }
    try {
      if (arrays.length === 0) {
        return evaluateScalar(lowered, Object.fromEntries(scalars));
      }
      const shape = broadcastShapes(
        arrays.map(([, a]) => a.shape),
        arrays.map(([k]) => low.labels.get(k) ?? k),
      );
      if (arrays.length > 1) {
        const operands = arrays.map(([k, a]) => `${low.labels.get(k) ?? k} [${a.shape.join(', ')}]`);
        checkArraySize(`broadcasting ${operands.join(', ')}`, shape);
      }
      const kernel = compileValues(lowered, {
        params: [],
        fixed: scalars.map(([k]) => k),
        variables: arrays.map(([k]) => k),
      }).bind(Object.fromEntries(arrays));
      const out = new Float64Array(kernel.size);
      kernel.values(
        new Float64Array(0),
        Float64Array.from(scalars, ([, v]) => v),
        out,
      );
      return simplifyValue(new NdArray(out, shape.length === kernel.shape.length ? shape : kernel.shape));
    } catch (err) {
      // the operands are named by their source text in broadcastShapes / checkArraySize above (labels), so
      // the kernel's own checks of the same shapes do not fail and no message names a temporary
      if (err instanceof ExprfitError) {
        throw err.placed(err.span && err.source === undefined ? err.span : span, this.source);
      }
      throw err;
    }
  }
}
