/**
 * fit(): model text + named data + parameter specs → FitResult. Orchestration only: parsing lives in
 * src/syntax, derivatives in src/symbolic, kernels in src/compile, the numerics in src/solver.
 */
import type { Expr } from '../ast/index.ts';
import { BoundedCache, compileModelCached, onClearCompileCache } from '../compile/index.ts';
import { ExprfitError, SettingHintError, type SuggestedSetting } from '../core/index.ts';
import { broadcastShapes, broadcastTo, NdArray } from '../data/index.ts';
import { CONSTANTS } from '../functions/index.ts';
import {
  type Model,
  normalizeParam,
  type ParamInput,
  type ParamsInput,
  type ParamSpec,
  parseModelText,
} from '../model/index.ts';
import { elementName, freeSymbols, resolveElements, substitute } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';
import type { DataInput, FitOptions } from './types.ts';
import { validateFitOptions } from './options.ts';
import type { PreparedEquation, PreparedFit } from './prepared.ts';
import { solveFit } from './solve.ts';
import { withNamedModelParams } from './guess.ts';
import { setupVectors } from './vectors.ts';
import {
  constraintParams,
  parseConstraint,
  prepareConstraints,
  tieBoundConstraints,
  type ConstraintContext,
  type ParsedConstraint,
} from './constraints.ts';
import type { FitResult } from './result.ts';

/** The setting that drops points with NaN data (each front end spells it: `nanPolicy: 'omit'`, `fit nan=omit`). */
const NAN_OMIT: SuggestedSetting = { scope: 'fit', key: 'nanPolicy', value: 'omit' };

/** A non-finite data value; for NaN the message names the setting that drops such points. */
function badValueError(name: string, v: number, index: string): ExprfitError {
  const problem = `data '${name}' has ${String(v)} at index ${index}`;
  if (!Number.isNaN(v)) return new ExprfitError('value', problem);
  return new SettingHintError('value', problem, NAN_OMIT, 'drop such points');
}

function hasExpr(spec: unknown): boolean {
  return typeof spec === 'object' && spec !== null && typeof (spec as { expr?: unknown }).expr === 'string';
}

function isConstantName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONSTANTS, name);
}

/** Per row of a product's matrix [..., K]: NaN when any of its K entries is NaN, else 0 (for nanPolicy 'omit'). */
function rowNaNs(B: NdArray): NdArray {
  const K = B.shape[B.shape.length - 1] ?? 1;
  const rows = new Float64Array(B.size / K);
  for (let r = 0; r < rows.length; r++) {
    for (let k = 0; k < K; k++) if (Number.isNaN(B.data[r * K + k])) rows[r] = NaN;
  }
  return new NdArray(rows, B.shape.slice(0, -1));
}

/** The rows of a product's matrix at the kept points of `shape` (`mask`): [kept, K]. */
function keptRows(B: NdArray, shape: readonly number[], mask: Uint8Array, kept: number): NdArray {
  const K = B.shape[B.shape.length - 1] ?? 1;
  const full = broadcastTo(B, [...shape, K]);
  const out = new Float64Array(kept * K);
  let j = 0;
  for (let k = 0; k < mask.length; k++) {
    if (mask[k]) out.set(full.subarray(k * K, (k + 1) * K), K * j++);
  }
  return new NdArray(out, [kept, K]);
}

/** A name, or for a vector the names of its elements. */
function withElements(name: string, vectors: ReadonlyMap<string, number | undefined>): string[] {
  const len = vectors.get(name);
  return len === undefined ? [name] : Array.from({ length: len }, (_, k) => elementName(name, k));
}

function unravel(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return shape.length <= 1 ? String(idx[0] ?? 0) : `[${idx.join(', ')}]`;
}

function toArray(name: string, v: DataInput): NdArray {
  try {
    return NdArray.from(v, name);
  } catch (e) {
    if (e instanceof ExprfitError) throw e;
    throw new ExprfitError('type', `data '${name}' could not be read as numbers`);
  }
}

/** Parsed model texts (models are immutable), emptied with the compile cache. */
const parsedModels = new BoundedCache<Model>();
onClearCompileCache(() => parsedModels.clear());

/** `parseModelText` through a bounded cache: repeated fits of one text parse it once. */
function parseModelCached(text: string): Model {
  const hit = parsedModels.get(text);
  if (hit) return hit;
  const model = parseModelText(text);
  parsedModels.set(text, model, text.length);
  return model;
}

/** The names the arguments of the model's named models use. */
function argumentNames(model: Model): Set<string> {
  const names = new Set<string>();
  for (const u of model.namedModels ?? [])
    for (const a of u.args) for (const n of freeSymbols(a)) names.add(n);
  return names;
}

/** Validates model, data and parameters; substitutes ties; compiles and binds one kernel per equation. */
export function prepareFit(
  modelIn: string | Model,
  data: Record<string, DataInput>,
  paramsIn: ParamsInput = {},
  optionsIn: FitOptions = {},
): PreparedFit {
  const options = validateFitOptions(optionsIn);
  if (
    typeof modelIn !== 'string' &&
    !(modelIn && typeof modelIn === 'object' && Array.isArray(modelIn.equations))
  ) {
    throw new ExprfitError(
      'type',
      'the model must be a string such as "y = a*x + b" or a parsed model (model(text))',
    );
  }
  if (
    paramsIn !== undefined &&
    (paramsIn === null || typeof paramsIn !== 'object' || Array.isArray(paramsIn))
  ) {
    throw new ExprfitError('type', 'params must be an object such as { a: 1, b: { value: 2, min: 0 } }');
  }
  const parsed = typeof modelIn === 'string' ? parseModelCached(modelIn) : modelIn;
  const own = <T>(o: Record<string, T> | undefined, k: string): T | undefined =>
    o !== undefined && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
  if (data === null || typeof data !== 'object') {
    throw new ExprfitError('type', 'data must be an object of named arrays, e.g. { x, y }');
  }
  const arrays = new Map<string, NdArray>();
  for (const [k, v] of Object.entries(data)) arrays.set(k, toArray(k, v));
  const { model, vectors, matrices, params: flatParams } = setupVectors(parsed, arrays, paramsIn ?? {});
  const flat: Record<string, ParamInput> = withNamedModelParams(model, arrays, flatParams);
  const lhsNames = new Set(model.equations.map((e) => e.lhs));
  const paramInputNames = Object.keys(flat);

  const namedModelArgs = argumentNames(model);
  // Every data name must be used (a named model's argument counts: `x` of `constant(x)`, which its formula drops).
  for (const k of arrays.keys()) {
    if (!lhsNames.has(k) && !model.names.has(k) && !namedModelArgs.has(k)) {
      throw new ExprfitError(
        'unknown-name',
        `data '${k}' is not used by the model (its names are: ${[...lhsNames, ...model.names].join(', ')})`,
      );
    }
    if (paramInputNames.includes(k)) {
      throw new ExprfitError('value', `'${k}' is given both as data and as a parameter`);
    }
  }

  const likelihood = options.estimator === 'likelihood';
  const active = model.equations.filter((eq) => likelihood || arrays.has(eq.lhs));
  const skipped = model.equations.filter((eq) => !active.includes(eq)).map((e) => e.lhs);
  if (active.length === 0) {
    throw new ExprfitError(
      'value',
      `no data for the model's dependent variable${lhsNames.size > 1 ? 's' : ''} ${[...lhsNames].map((n) => `'${n}'`).join(', ')}`,
    );
  }
  if (likelihood && model.equations.some((eq) => arrays.has(eq.lhs))) {
    throw new ExprfitError(
      'value',
      `estimator 'likelihood' fits a pdf to its variables' samples; '${model.equations.find((eq) => arrays.has(eq.lhs))!.lhs}' must not have data`,
    );
  }

  // Parameters: every model name that is neither data nor a constant (unless declared as a parameter).
  const order: string[] = [];
  const inOrder = new Set<string>();
  const addParam = (n: string): void => {
    if (inOrder.has(n)) return;
    inOrder.add(n);
    order.push(n);
  };
  const declared = new Set(paramInputNames);
  for (const eq of model.equations) {
    for (const n of freeSymbols(eq.expanded)) {
      if (vectors.get(n) !== undefined) {
        for (const el of withElements(n, vectors)) addParam(el);
        continue;
      }
      if (arrays.has(n) || inOrder.has(n)) continue;
      if (isConstantName(n) && !declared.has(n)) continue;
      addParam(n);
    }
  }
  // Parameters declared for the constraints only (`r` in 'x0^2 + y0^2 >= r^2').
  const optionConstraints = options.constraints.map(parseConstraint);
  for (const c of optionConstraints) {
    for (const s of freeSymbols(c.expr)) if (declared.has(s)) addParam(s);
  }
  // Parameters that appear only in other parameters' tie expressions (lmfit allows them).
  const tieNames = new Set<string>();
  for (const n of paramInputNames) {
    const spec = own(flat, n);
    if (typeof spec === 'object' && spec !== null && typeof spec.expr === 'string') {
      try {
        for (const s of freeSymbols(resolveElements(parseExpr(spec.expr), vectors))) tieNames.add(s);
      } catch {
        // reported with its position below
      }
    }
  }
  for (const n of paramInputNames) {
    if (tieNames.has(n) && !arrays.has(n)) addParam(n);
  }
  // Derived parameters: an expr that no equation uses, reported with its propagated stderr (lmfit's
  // `params.add('period', expr='1/f')`).
  for (const n of paramInputNames) {
    if (!inOrder.has(n) && !arrays.has(n) && !lhsNames.has(n) && hasExpr(own(flat, n))) addParam(n);
  }
  for (const n of paramInputNames) {
    if (!inOrder.has(n)) {
      if (lhsNames.has(n)) {
        throw new ExprfitError('value', `'${n}' is an equation's output, not a parameter`);
      }
      throw new ExprfitError(
        'unknown-name',
        `parameter '${n}' does not appear in the model (its parameters are: ${order.join(', ') || 'none'})`,
      );
    }
  }
  const params = new Map<string, ParamSpec>();
  for (const n of order) params.set(n, normalizeParam(n, own(flat, n)));

  // Ties: parse, check names, resolve transitively.
  const rawTies = new Map<string, Expr>();
  for (const p of params.values()) {
    if (p.expr === undefined) continue;
    let e: Expr;
    try {
      e = resolveElements(parseExpr(p.expr), vectors);
    } catch (err) {
      if (err instanceof ExprfitError) {
        throw new ExprfitError(err.code, `parameter '${p.name}': expr: ${err.message}`, {
          span: err.span,
          source: { text: p.expr, file: `${p.name}.expr` },
          hints: err.hints,
          cause: err,
          detail: err.detail,
        });
      }
      throw err;
    }
    for (const s of freeSymbols(e)) {
      if (arrays.has(s)) {
        throw new ExprfitError('value', `parameter '${p.name}': its expr uses the data variable '${s}'`);
      }
      if (!params.has(s) && !isConstantName(s)) {
        throw new ExprfitError(
          'unknown-name',
          `parameter '${p.name}': its expr uses '${s}', which is not a parameter`,
        );
      }
    }
    rawTies.set(p.name, e);
  }
  const ties = new Map<string, Expr>();
  const resolve = (name: string, stack: string[]): Expr => {
    const done = ties.get(name);
    if (done) return done;
    if (stack.includes(name)) {
      throw new ExprfitError(
        'value',
        `tied parameters refer to each other in a cycle: ${[...stack, name].join(' -> ')}`,
      );
    }
    const e = rawTies.get(name)!;
    const map = new Map<string, Expr>();
    for (const s of freeSymbols(e)) if (rawTies.has(s)) map.set(s, resolve(s, [...stack, name]));
    const r = map.size ? substitute(e, map) : e;
    ties.set(name, r);
    return r;
  };
  for (const n of rawTies.keys()) resolve(n, []);

  // Free parameters: not fixed, not tied, used by an active equation.
  const exprs = active.map((eq) => (ties.size ? substitute(eq.expanded, ties) : eq.expanded));
  const used = new Set<string>();
  for (const e of exprs)
    for (const s of freeSymbols(e)) for (const u of withElements(s, vectors)) used.add(u);
  const parsedConstraints = [...optionConstraints, ...tiedBoundConstraints(options, params.values())];
  const constraintContext: ConstraintContext = {
    params: new Set(order),
    ties,
    outputs: new Map(
      model.equations.map((eq) => [eq.lhs, ties.size ? substitute(eq.expanded, ties) : eq.expanded]),
    ),
    arrays,
    isConstant: isConstantName,
  };
  for (const c of parsedConstraints) for (const s of constraintParams(c, constraintContext)) used.add(s);
  const free = order.filter((n) => !params.get(n)!.fixed && !ties.has(n) && used.has(n));
  const freeSet = new Set(free);
  const held = order.filter((n) => !ties.has(n) && !freeSet.has(n));

  // Sigma names.
  for (const k of Object.keys(options.sigma)) {
    if (!lhsNames.has(k)) {
      throw new ExprfitError(
        'value',
        `sigma is given for '${k}', which is not a dependent variable of the model`,
      );
    }
  }

  const equations: PreparedEquation[] = active.map((eq, i) => {
    const expr = exprs[i];
    const syms = freeSymbols(expr);
    const variables = [...syms].filter((s) => arrays.has(s));
    for (const s of syms) {
      if (!arrays.has(s) && !params.has(s) && !isConstantName(s) && !vectors.has(s)) {
        throw new ExprfitError('unknown-name', `equation '${eq.lhs}': no data for variable '${s}'`, {
          span: eq.span,
          source: model.source,
        });
      }
    }
    if (variables.length === 0 && !likelihood) {
      const undeclared = [...syms].filter((s) => params.has(s) && !declared.has(s) && !ties.has(s));
      if (undeclared.length > 1) {
        throw new ExprfitError(
          'unknown-name',
          `equation '${eq.lhs}' uses no data variable: is one of ${undeclared.map((u) => `'${u}'`).join(', ')} a variable? Pass its data, or declare the parameters in params`,
          { span: eq.span, source: model.source },
        );
      }
    }
    const obs = likelihood ? null : arrays.get(eq.lhs)!;
    const sig =
      own(options.sigma, eq.lhs) !== undefined
        ? toArray(`sigma of ${eq.lhs}`, own(options.sigma, eq.lhs)!)
        : null;
    const named: [string, NdArray][] = variables.map((v) => [v, arrays.get(v)!]);
    if (obs) named.push([eq.lhs, obs]);
    if (sig) named.push([`sigma of ${eq.lhs}`, sig]);
    if (named.length === 0) {
      throw new ExprfitError('value', `equation '${eq.lhs}' has no data variable to evaluate it over`);
    }
    const shape = broadcastShapes(
      named.map(([n, a]) => (matrices.has(n) ? a.shape.slice(0, -1) : a.shape)),
      named.map(([n]) => n),
    );
    // Validate values: NaN policy, positive sigma.
    let keep: Uint8Array | null = null;
    for (const [n, a] of named) {
      for (let k = 0; k < a.size; k++) {
        const v = a.data[k];
        if (Number.isFinite(v)) continue;
        if (options.nanPolicy === 'omit' && Number.isNaN(v)) {
          keep ??= new Uint8Array(0);
          continue;
        }
        throw badValueError(n, v, unravel(k, a.shape));
      }
      if (sig && a === sig) {
        for (let k = 0; k < a.size; k++) {
          if (!(a.data[k] > 0) && !Number.isNaN(a.data[k])) {
            throw new ExprfitError(
              'value',
              `sigma of '${eq.lhs}' must be positive, got ${a.data[k]} at index ${unravel(k, a.shape)}`,
            );
          }
        }
      }
    }
    let bindData: Record<string, NdArray>;
    let observed: Float64Array | null = obs ? broadcastTo(obs, shape) : null;
    let weights: Float64Array | null = sig ? broadcastTo(sig, shape).map((s) => 1 / s) : null;
    let outShape: readonly number[] = shape;
    if (keep) {
      const size = shape.reduce((p, q) => p * q, 1);
      const full = named.map(([n, a]) => broadcastTo(matrices.has(n) ? rowNaNs(a) : a, shape));
      const mask = new Uint8Array(size).fill(1);
      let kept = 0;
      for (let k = 0; k < size; k++) {
        for (const f of full) if (Number.isNaN(f[k])) mask[k] = 0;
        kept += mask[k];
      }
      const filt = (f: Float64Array): Float64Array => {
        const o = new Float64Array(kept);
        let j = 0;
        for (let k = 0; k < size; k++) if (mask[k]) o[j++] = f[k];
        return o;
      };
      bindData = Object.fromEntries(
        variables.map((v) => {
          const a = arrays.get(v)!;
          return [
            v,
            matrices.has(v) ? keptRows(a, shape, mask, kept) : new NdArray(filt(broadcastTo(a, shape))),
          ];
        }),
      );
      observed = observed ? filt(observed) : null;
      weights = weights ? filt(weights) : null;
      outShape = [kept];
    } else {
      bindData = Object.fromEntries(variables.map((v) => [v, arrays.get(v)!]));
    }
    const kernel = compileModelCached(expr, { params: [...free], fixed: [...held], variables }).bind(
      bindData,
      {
        observed: observed ? new NdArray(observed, outShape) : undefined,
        weights: weights ? new NdArray(weights, outShape) : undefined,
      },
    );
    const size = outShape.reduce((p, q) => p * q, 1);
    if (kernel.size !== size) {
      // Variables alone may broadcast to a smaller shape than observed data: bind explicitly to the full shape.
      throw new ExprfitError(
        'shape',
        `equation '${eq.lhs}': the model's variables give shape [${kernel.shape.join(', ')}] but the data '${eq.lhs}' has shape [${outShape.join(', ')}]`,
      );
    }
    return { lhs: eq.lhs, expr, variables, observed, weights, kernel, size, shape: outShape };
  });

  const evaluable = new Map<string, { expr: Expr; variables: readonly string[] }>();
  for (const eq of model.equations) {
    const expr = ties.size ? substitute(eq.expanded, ties) : eq.expanded;
    const variables = [...freeSymbols(expr)].filter(
      (s) => !params.has(s) && !isConstantName(s) && !vectors.has(s),
    );
    evaluable.set(eq.lhs, { expr, variables });
  }
  const ndata = equations.reduce((s, e) => s + e.size, 0);
  if (ndata < free.length) {
    throw new ExprfitError(
      'value',
      `${ndata} data point${ndata === 1 ? '' : 's'} cannot determine ${free.length} free parameter${free.length === 1 ? '' : 's'} (${free.join(', ')})`,
    );
  }
  const constraints = prepareConstraints(parsedConstraints, constraintContext, free, held);
  const inputs =
    typeof modelIn === 'string' ? { model: modelIn, data, params: paramsIn, options: optionsIn } : undefined;
  return {
    model,
    params,
    order,
    free,
    held,
    ties,
    equations,
    skipped,
    evaluable,
    ndata,
    options,
    constraints,
    ...(inputs ? { inputs } : {}),
  };
}

/** The bounds of tied parameters as constraints (they need the constrained least-squares solver). */
function tiedBoundConstraints(
  options: ReturnType<typeof validateFitOptions>,
  params: Iterable<ParamSpec>,
): ParsedConstraint[] {
  const tied = tieBoundConstraints(params);
  const constrainedSolver =
    options.method === 'lm' && options.estimator === 'lsq' && options.loss === 'linear';
  if (tied.length && !constrainedSolver) {
    throw new ExprfitError(
      'value',
      `bounds on a tied parameter (${tied[0].text}) are constraints, which need method 'lm', estimator 'lsq' and loss 'linear'`,
    );
  }
  return tied;
}

/**
 * Fits `model` to `data`.
 *
 * @param model   equations such as `'y = a*exp(-b*x) + c'` (several separated by newlines or `;`), or a parsed Model
 * @param data    named arrays for every variable and dependent variable; any shape, numpy broadcasting
 * @param params  per parameter a start value or `{ value, min, max, fixed, expr }`
 * @param options see FitOptions
 */
export function fit(
  model: string | Model,
  data: Record<string, DataInput>,
  params: ParamsInput = {},
  options: FitOptions = {},
): FitResult {
  return guardSize(() => solveFit(prepareFit(model, data, params, options)));
}

/**
 * Runs `f`, turning the engine's own limits (call-stack depth in the recursive passes or in `new Function`,
 * map sizes) into a user-facing error: they mean the model is too large, not that exprfit has a bug.
 */
export function guardSize<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError && /call stack|Map maximum size|Invalid array length/i.test(e.message)) {
      throw new ExprfitError(
        'value',
        'the model is too large or too deeply nested to compile (a very long sum or product?): write it with fewer terms, or with a user function',
        { cause: e },
      );
    }
    throw e;
  }
}
