/**
 * The model lines of a session assembled into one Model for the fit API (the `fit` statement's first step):
 * user functions inlined, array parts (`B[:, 0]`, `sum(w)`) evaluated into temporaries, numeric variables
 * substituted, array variables made data, other equations' outputs expanded, and the parameters collected.
 */
import { type Expr, num, sym } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { getConstant, getFunction } from '../functions/index.ts';
import {
  type Equation,
  type EquationModelUse,
  expandEquationModels,
  type Model,
  modelParamNames,
  type ParamsInput,
} from '../model/index.ts';
import { freeSymbols, inline, mapChildren, substitute } from '../symbolic/index.ts';
import type { InterpreterState, ModelLine } from './context.ts';
import { Evaluator, SCRIPT_CONSTANTS } from './evaluate.ts';
import { getScriptFunction } from './functions.ts';
import { nameMap } from './nameMap.ts';
import { describeType, isSpline, positioned, typeError, undeclaredModelName, type Value } from './values.ts';

export interface AssembledModel {
  readonly model: Model;
  readonly data: Record<string, NdArray>;
  readonly params: ParamsInput;
  /** Names that became parameters without a `param` declaration. */
  readonly implicit: string[];
  /** Per equation, the data variables it uses. */
  readonly variables: Map<string, string[]>;
}

/** What assembling the lines collects: data (variables and temporaries) and undeclared names. */
interface Assembly {
  readonly interp: InterpreterState;
  readonly data: Record<string, NdArray>;
  readonly implicit: string[];
  readonly lhsNames: ReadonlySet<string>;
  /** The next temporary's number (`#m0`, `#m1`, ...). */
  temps: number;
  /** The named models of the lines (`gaussian(x; g1)`), and the names of their parameters. */
  readonly uses: EquationModelUse[];
  readonly namedParams: Set<string>;
}

/** A model line's right side, its names resolved. */
interface ResolvedLine {
  readonly line: ModelLine;
  readonly rhs: Expr;
}

/** A value usable as fit data. */
function dataArray(v: Value, line: ModelLine): NdArray {
  if (v instanceof NdArray) return v;
  if (typeof v === 'number') return NdArray.scalar(v);
  throw typeError(`'${line.lhs}' is ${describeType(v)}, not data`, {
    span: line.lhsSpan,
    source: line.source,
  });
}

/** True for nodes that are evaluated by the interpreter rather than compiled (array functions, indexing). */
function isArrayPart(e: Expr, interp: InterpreterState): boolean {
  if (e.kind === 'index' && isElement(e, interp)) return false;
  if (e.kind === 'index' || e.kind === 'array' || e.kind === 'str') return true;
  if (e.kind !== 'call') return false;
  if (e.fn === 'min' || e.fn === 'max') return false; // element-wise in models
  if (getFunction(e.fn)) return false;
  return isScriptFunction(e.fn, interp);
}

/** An array function of scripts (`linspace`, `gaussian2d`, ...) or a spline variable. */
function isScriptFunction(name: string, interp: InterpreterState): boolean {
  const own = interp.variables.get(name);
  return !!getScriptFunction(name) || (own !== undefined && isSpline(own));
}

/** `beta[3]` of a vector parameter `param beta[25]`: an element, resolved by the fit. */
function isElement(e: Expr & { kind: 'index' }, interp: InterpreterState): boolean {
  return e.target.kind === 'sym' && interp.params.get(e.target.name)?.length !== undefined;
}

function findSpan(e: Expr, name: string): Expr['span'] {
  let found: Expr['span'];
  const visit = (n: Expr): void => {
    if (found) return;
    if (n.kind === 'sym' && n.name === name) found = n.span;
    mapChildren(n, (c) => {
      visit(c);
      return c;
    });
  };
  visit(e);
  return found;
}

/** Array parts must not depend on parameters (they are evaluated once, before the fit). */
function checkNoParams(e: Expr, line: ModelLine, interp: InterpreterState): void {
  for (const n of freeSymbols(e)) {
    if (!interp.params.has(n) || interp.variables.has(n)) continue;
    const inside = e.kind === 'index' ? 'an index' : 'an array function';
    throw new ExprfitError('value', `parameter '${n}' cannot be used inside ${inside} in a model`, {
      span: e.span,
      source: line.source,
    });
  }
}

/** The line with its array parts replaced by temporaries, which are evaluated into data. */
async function liftArrayParts(a: Assembly, line: ModelLine, rhs: Expr): Promise<Expr> {
  const parts: [Expr, string][] = [];
  const lift = (e: Expr): Expr => {
    if (isArrayPart(e, a.interp)) {
      checkNoParams(e, line, a.interp);
      const name = `#m${a.temps++}`;
      parts.push([e, name]);
      return sym(name, e.span);
    }
    if (e.kind === 'call' && (e.fn === 'minimum' || e.fn === 'maximum')) {
      return { ...mapChildren(e, lift), fn: e.fn === 'minimum' ? 'min' : 'max' } as Expr;
    }
    return mapChildren(e, lift);
  };
  const lifted = lift(rhs);
  const ev = new Evaluator(a.interp.scope(a.interp.baseDir), line.source);
  for (const [e, name] of parts) {
    const v = await ev.evaluate(e);
    if (typeof v !== 'number' && !(v instanceof NdArray)) {
      throw typeError(`${describeType(v)} cannot be used in a model`, { span: e.span, source: line.source });
    }
    a.data[name] = v instanceof NdArray ? v : NdArray.scalar(v);
  }
  return lifted;
}

/** What a name of a line becomes: a substituted number, data, a parameter (declared or implicit). */
function resolveName(a: Assembly, line: ModelLine, n: string, subs: Map<string, Expr>): void {
  const interp = a.interp;
  if (n.startsWith('#') || (a.lhsNames.has(n) && n !== line.lhs)) return;
  if (interp.params.has(n) && !interp.variables.has(n)) return;
  if (a.namedParams.has(n)) return;
  const v = interp.variables.get(n);
  const at = { span: findSpan(line.rhs, n) ?? line.span, source: line.source };
  if (v !== undefined) {
    if (typeof v === 'number') subs.set(n, num(v));
    else if (v instanceof NdArray) a.data[n] = v;
    else throw typeError(`'${n}' is ${describeType(v)}, which a model cannot use`, at);
    return;
  }
  if (getConstant(n) !== undefined) return;
  if (Object.hasOwn(SCRIPT_CONSTANTS, n)) subs.set(n, num(SCRIPT_CONSTANTS[n]));
  else if (interp.requiresDeclaredParams()) throw undeclaredModelName(n, at, interp.knownNames());
  else if (!a.implicit.includes(n)) a.implicit.push(n);
}

async function resolveLine(a: Assembly, line: ModelLine): Promise<ResolvedLine> {
  let rhs: Expr;
  const uses: EquationModelUse[] = [];
  try {
    const isOther = (fn: string): boolean => isScriptFunction(fn, a.interp);
    rhs = expandEquationModels(line.lhs, inline(line.rhs, a.interp.functions), uses, isOther);
  } catch (err) {
    throw positioned(err, { span: line.span, source: line.source });
  }
  for (const u of uses) for (const n of modelParamNames(u.def, u.prefix)) a.namedParams.add(n);
  rhs = await liftArrayParts(a, line, rhs);
  const subs = new Map<string, Expr>();
  for (const n of freeSymbols(rhs)) resolveName(a, line, n, subs);
  for (const u of uses) a.uses.push(subs.size ? substituteUse(u, subs) : u);
  return { line, rhs: subs.size ? substitute(rhs, subs) : rhs };
}

/** A named model's use with the line's numeric variables substituted (its guesses evaluate it). */
function substituteUse(u: EquationModelUse, subs: Map<string, Expr>): EquationModelUse {
  return { ...u, expr: substitute(u.expr, subs), args: u.args.map((e) => substitute(e, subs)) };
}

/** Each equation with other equations' outputs expanded (`y = a*x; z = y^2 + b`). */
function expandEquations(resolved: readonly ResolvedLine[]): Equation[] {
  const byLhs = new Map(resolved.map((r) => [r.line.lhs, r]));
  const expanded = new Map<string, Expr>();
  const expand = (lhs: string, stack: string[]): Expr => {
    const done = expanded.get(lhs);
    if (done) return done;
    const r = byLhs.get(lhs)!;
    const at = { span: r.line.span, source: r.line.source };
    if (stack.includes(lhs)) {
      const cycle = [...stack, lhs].join(' -> ');
      throw new ExprfitError('value', `model lines refer to each other in a cycle: ${cycle}`, at);
    }
    const map = new Map<string, Expr>();
    for (const n of freeSymbols(r.rhs)) {
      if (n === lhs) {
        throw new ExprfitError(
          'value',
          `the model of '${lhs}' uses '${lhs}' itself on the right-hand side`,
          at,
        );
      }
      if (byLhs.has(n)) map.set(n, expand(n, [...stack, lhs]));
    }
    const e = map.size ? substitute(r.rhs, map) : r.rhs;
    expanded.set(lhs, e);
    return e;
  };
  return resolved.map((r) => ({ lhs: r.line.lhs, rhs: r.rhs, expanded: expand(r.line.lhs, []) }));
}

/** The observed data of each line (none for estimator=likelihood, which fits a density). */
function addObserved(a: Assembly, lines: readonly ModelLine[], likelihood: boolean): void {
  for (const line of lines) {
    const v = a.interp.variables.get(line.lhs);
    const at = { span: line.lhsSpan, source: line.source };
    if (likelihood && v !== undefined) {
      throw new ExprfitError(
        'value',
        `estimator=likelihood fits a density of its variables; '${line.lhs}' must not be data`,
        at,
      );
    }
    if (likelihood) continue;
    if (v === undefined) {
      throw new ExprfitError('unknown-name', `no data named '${line.lhs}' to fit this model to`, {
        ...at,
        hints: a.interp.params.has(line.lhs)
          ? [`'${line.lhs}' is a parameter; the left side of a model line names data`]
          : ['load it first, e.g. data "file.csv" or ' + `${line.lhs} = load("file.npy")`],
      });
    }
    a.data[line.lhs] = dataArray(v, line);
  }
}

/** Every declared parameter the model uses, and the parameters their ties use. */
function collectParams(
  interp: InterpreterState,
  names: ReadonlySet<string>,
  data: Record<string, NdArray>,
): ParamsInput {
  const params = nameMap<ParamsInput[string]>();
  const addParam = (n: string): void => {
    if (Object.hasOwn(params, n)) return;
    const p = interp.params.get(n);
    if (!p) return;
    if (!p.tie) {
      const length = p.length === undefined ? {} : { length: p.length };
      const per = (k: 'value' | 'min' | 'max'): number | number[] =>
        p.perElement?.[k] ? Array.from(p.perElement[k]) : p[k];
      params[n] = { value: per('value'), min: per('min'), max: per('max'), fixed: p.fixed, ...length };
      return;
    }
    params[n] = { expr: p.tieText!, min: p.min, max: p.max };
    for (const m of freeSymbols(p.tie)) addParam(m);
  };
  for (const n of names) if (!Object.hasOwn(data, n)) addParam(n);
  addDerivedParams(interp, params);
  return params;
}

/**
 * Declared ties the model does not use (`param period = 1/f`) whose names are all parameters of this fit:
 * derived parameters, reported with value and propagated stderr.
 */
function addDerivedParams(interp: InterpreterState, params: ParamsInput): void {
  let added = true;
  while (added) {
    added = false;
    for (const p of interp.params.values()) {
      if (!p.tie || Object.hasOwn(params, p.name) || interp.variables.has(p.name)) continue;
      const uses = [...freeSymbols(p.tie)];
      if (!uses.length || !uses.every((m) => Object.hasOwn(params, m))) continue;
      params[p.name] = { expr: p.tieText! };
      added = true;
    }
  }
}

/** The names of all equations, and per equation the data variables it uses. */
function namesOf(equations: readonly Equation[], data: Record<string, NdArray>) {
  const names = new Set<string>();
  const variables = new Map<string, string[]>();
  for (const eq of equations) {
    const vs: string[] = [];
    for (const n of freeSymbols(eq.expanded)) {
      names.add(n);
      if (Object.hasOwn(data, n)) vs.push(n);
    }
    variables.set(eq.lhs, vs);
  }
  return { names, variables };
}

/** Turns the model lines into a Model, its data and its parameters for `fit()`. */
export async function assembleModel(
  interp: InterpreterState,
  lines: readonly ModelLine[],
  likelihood: boolean,
): Promise<AssembledModel> {
  const lhsNames = new Set(lines.map((l) => l.lhs));
  const a: Assembly = {
    interp,
    data: nameMap<NdArray>(),
    implicit: [],
    lhsNames,
    temps: 0,
    uses: [],
    namedParams: new Set(),
  };
  const resolved: ResolvedLine[] = [];
  for (const line of lines) resolved.push(await resolveLine(a, line));
  const equations = expandEquations(resolved);
  const { names, variables } = namesOf(equations, a.data);
  addObserved(a, lines, likelihood);
  const params = collectParams(interp, names, a.data);
  const text = lines.map((l) => l.text).join('\n');
  const model: Model = {
    text,
    source: lines[0].source,
    equations,
    names,
    ...(a.uses.length ? { namedModels: a.uses } : {}),
  };
  const implicit = a.implicit.filter((n) => names.has(n));
  return { model, data: a.data, params, implicit, variables };
}
