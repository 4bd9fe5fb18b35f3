/**
 * The `fit` statement when the session has an ODE system (`ode` statements): the model lines are its
 * outputs (`model yA = A`, `model yB = B(tB)`), names resolve as in other models (numbers substituted,
 * declared or implicit parameters), and the fit API's `fitOde` fits them. The integrator's options are
 * written on the fit statement: `rtol=`, `atol=`, `max_steps=`, `ode_method=`.
 */
import { type Expr, num } from '../ast/index.ts';
import { didYouMean, ExprfitError, type SourceText } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import type { FitResult } from '../fit/index.ts';
import { getConstant } from '../functions/index.ts';
import type { ParamInput } from '../model/index.ts';
import {
  buildOdeSystem,
  fitOde,
  type OdeFitOptions,
  type OdeOptionsInput,
  odeSchema,
  type OdeSystem,
} from '../ode/index.ts';
import { forEachNode, freeSymbols, inline, substitute } from '../symbolic/index.ts';
import type { OdeEquation, OptionArg } from '../syntax/index.ts';
import type { InterpreterState, ModelLine, StatementContext } from './context.ts';
import { nameMap } from './nameMap.ts';
import { statementOptions } from './optionArgs.ts';
import { undeclaredModelName } from './values.ts';

/** The fit statement's integrator options (script spelling) and their keys in `odeSchema`. */
const ODE_KEYS: Readonly<Record<string, string>> = {
  rtol: 'rtol',
  atol: 'atol',
  max_steps: 'max_steps',
  ode_method: 'method',
};

/** Whether a fit statement's option is the integrator's. */
export function isOdeOption(key: string): boolean {
  return Object.hasOwn(ODE_KEYS, key);
}

/** The fit statement's options: the integrator's, and the rest (the fit's). */
export function splitOdeOptions(opts: readonly OptionArg[]): { ode: OptionArg[]; rest: OptionArg[] } {
  return { ode: opts.filter((o) => isOdeOption(o.key)), rest: opts.filter((o) => !isOdeOption(o.key)) };
}

/** Reads the integrator options through `odeSchema`. */
export async function odeOptions(
  opts: readonly OptionArg[],
  ctx: StatementContext,
): Promise<OdeOptionsInput> {
  const renamed = opts.map((o) => ({ ...o, key: ODE_KEYS[o.key] }));
  return statementOptions(odeSchema, renamed, ctx, 'fit');
}

interface Resolution {
  readonly interp: InterpreterState;
  /** Undeclared names that look like misspelt states, with the suggestion. */
  readonly typos: ReadonlyMap<string, string>;
  readonly subs: Map<string, Expr>;
  readonly params: Record<string, ParamInput>;
  readonly implicit: string[];
}

/** The equations of the system and the model lines as outputs, each with the text it came from. */
function equationsOf(interp: InterpreterState, lines: readonly ModelLine[]) {
  const sources = new Map<OdeEquation, SourceText>();
  for (const o of interp.odes) sources.set(o.equation, o.source);
  for (const l of lines) {
    const rhs = inline(l.rhs, interp.functions);
    sources.set({ kind: 'output', lhs: l.lhs, lhsSpan: l.lhsSpan, rhs, span: l.span }, l.source);
  }
  return sources;
}

function spanOf(e: Expr, name: string): Expr['span'] {
  let span: Expr['span'];
  forEachNode(e, (n) => {
    if (!span && n.kind === 'sym' && n.name === name) span = n.span;
  });
  return span;
}

/** What a name of the system becomes: a substituted number, a parameter (declared or implicit). */
function resolveName(r: Resolution, n: string, e: Expr, source: SourceText): void {
  const { interp } = r;
  const v = interp.variables.get(n);
  const at = { span: spanOf(e, n) ?? e.span, source };
  if (typeof v === 'number') r.subs.set(n, num(v));
  else if (v !== undefined) {
    const msg = `'${n}' is data: an ODE model uses data only as an output's observations and times`;
    throw new ExprfitError('value', msg, at);
  } else if (interp.params.has(n)) addParam(r, n, at);
  else if (getConstant(n) !== undefined) return;
  else if (interp.requiresDeclaredParams()) throw undeclaredModelName(n, at, interp.knownNames());
  else if (r.typos.has(n)) throw misspeltState(n, r.typos.get(n)!, at);
  else if (!r.implicit.includes(n)) r.implicit.push(n);
}

function misspeltState(
  n: string,
  hint: string,
  at: { span: Expr['span']; source: SourceText },
): ExprfitError {
  const msg = `unknown name '${n}': neither a state of the ODE system nor a declared parameter`;
  const hints = [hint, `if it is a parameter, declare it: param ${n} = ...`];
  return new ExprfitError('unknown-name', msg, { ...at, hints });
}

/** `uu` or `Bb` for `u` or `B` (a letter doubled), `a` for `A`; not `ka` for `a`, `A0` or `A_eq` for `A`. */
function looksLike(name: string, state: string): boolean {
  if (name.toLowerCase() === state.toLowerCase()) return name !== state;
  if (name.length !== state.length + 1) return false;
  const same = (a: string | undefined, b: string | undefined) =>
    !!a && !!b && a.toLowerCase() === b.toLowerCase();
  for (let i = 0; i < name.length; i++) {
    if (name.slice(0, i) + name.slice(i + 1) !== state) continue;
    if (same(name[i], name[i - 1]) || same(name[i], name[i + 1])) return true;
  }
  return false;
}

/**
 * Names of right sides and outputs one edit from a state's (`uu` for `u`) that no initial value uses (so
 * `A0` in `A(0) = A0` is not one): undeclared, they are more likely misspelt states than parameters.
 */
function likelyTypos(sys: OdeSystem, sources: Map<OdeEquation, SourceText>): Map<string, string> {
  const inInitial = new Set(sys.initial.flatMap((e) => [...freeSymbols(e)]));
  const typos = new Map<string, string>();
  for (const eq of sources.keys()) {
    if (eq.kind === 'initial') continue;
    for (const n of freeSymbols(eq.rhs)) {
      const near = sys.states.some((st) => looksLike(n, st)) ? didYouMean(n, sys.states) : undefined;
      if (near && !inInitial.has(n)) typos.set(n, near);
    }
  }
  return typos;
}

function addParam(r: Resolution, n: string, at: { span: Expr['span']; source: SourceText }): void {
  const p = r.interp.params.get(n)!;
  if (p.tie)
    throw new ExprfitError('value', `parameter '${n}' is tied: ties are not supported in ODE models`, at);
  r.params[n] = { value: p.value, min: p.min, max: p.max, fixed: p.fixed };
}

/** Every expression of the system with where it was written. */
function exprsOf(sources: Map<OdeEquation, SourceText>): [Expr, SourceText][] {
  const out: [Expr, SourceText][] = [];
  for (const [eq, source] of sources) {
    if (eq.kind === 'derivative' || eq.kind === 'output') out.push([eq.rhs, source]);
    else out.push([eq.value, source]);
  }
  return out;
}

function resolveSystem(
  interp: InterpreterState,
  sys: OdeSystem,
  sources: Map<OdeEquation, SourceText>,
): Resolution {
  const typos = likelyTypos(sys, sources);
  const r: Resolution = { interp, typos, subs: new Map(), params: nameMap<ParamInput>(), implicit: [] };
  const skip = new Set([...sys.states, sys.variable, ...sys.outputs.map((o) => o.time)]);
  for (const [e, source] of exprsOf(sources)) {
    for (const n of freeSymbols(e)) if (!skip.has(n)) resolveName(r, n, e, source);
  }
  return r;
}

function substituted(sys: OdeSystem, subs: Map<string, Expr>): OdeSystem {
  if (subs.size === 0) return sys;
  const s = (e: Expr) => substitute(e, subs);
  const outputs = sys.outputs.map((o) => ({ ...o, rhs: s(o.rhs) }));
  return { ...sys, rhs: sys.rhs.map(s), initial: sys.initial.map(s), outputs };
}

/** Observations and times of every output. */
function outputData(
  interp: InterpreterState,
  sys: OdeSystem,
  lines: readonly ModelLine[],
): Record<string, NdArray> {
  const data = nameMap<NdArray>();
  for (const o of sys.outputs) {
    const line = lines.find((l) => l.lhs === o.lhs)!;
    for (const [name, what] of [
      [o.lhs, 'to fit this model to'],
      [o.time, `for the times of '${o.lhs}'`],
    ]) {
      const v = interp.variables.get(name);
      if (v instanceof NdArray || typeof v === 'number')
        data[name] = v instanceof NdArray ? v : NdArray.scalar(v);
      else
        throw new ExprfitError('unknown-name', `no data named '${name}' ${what}`, {
          span: line.lhsSpan,
          source: line.source,
        });
    }
  }
  return data;
}

/** Fits the session's ODE system to the model lines' data. */
export function fitOdeLines(
  interp: InterpreterState,
  lines: readonly ModelLine[],
  options: OdeFitOptions,
  fallback: SourceText,
): { result: FitResult; data: Record<string, NdArray>; implicit: string[]; times: Map<string, string> } {
  const sources = equationsOf(interp, lines);
  const sys = buildOdeSystem([...sources.keys()], fallback, (e) => sources.get(e) ?? fallback);
  const r = resolveSystem(interp, sys, sources);
  const data = outputData(interp, sys, lines);
  const result = fitOde(substituted(sys, r.subs), data, r.params, options);
  const times = new Map(sys.outputs.map((o) => [o.lhs, o.time]));
  return { result, data, implicit: r.implicit, times };
}
