/**
 * The meaning of ODE equations (`D(A, t) = -k*A`, `A(0) = A0`, `y = A + 2*B`): one independent variable, each
 * state with one derivative and one initial value at a common numeric time t0, outputs of the states at a set
 * of data times. Every mistake is an ExprfitError at its place (line, column, "did you mean").
 */
import { type Expr, sym } from '../ast/index.ts';
import { didYouMean, ExprfitError, type SourceSpan, type SourceText } from '../core/index.ts';
import { evaluate, freeSymbols, mapChildren } from '../symbolic/index.ts';
import type { OdeEquation } from '../syntax/index.ts';

/** An output of the states, fitted to data `lhs` at the times of data variable `time`. */
export interface OdeOutput {
  readonly lhs: string;
  /** In states (as plain names), parameters and the independent variable. */
  readonly rhs: Expr;
  /** The data variable holding this output's times. */
  readonly time: string;
  readonly span: SourceSpan;
}

export interface OdeSystem {
  /** The independent variable (`t`). */
  readonly variable: string;
  readonly states: readonly string[];
  /** Per state, its derivative. */
  readonly rhs: readonly Expr[];
  /** Per state, its value at t0 (numbers and parameters). */
  readonly initial: readonly Expr[];
  readonly t0: number;
  readonly outputs: readonly OdeOutput[];
  readonly source: SourceText;
}

type Derivative = Extract<OdeEquation, { kind: 'derivative' }>;
type Initial = Extract<OdeEquation, { kind: 'initial' }>;
type Output = Extract<OdeEquation, { kind: 'output' }>;

function at(span: SourceSpan, source: SourceText, hints: string[] = []) {
  return { span, source, hints };
}

function suggestion(word: string, candidates: readonly string[]): string[] {
  const near = didYouMean(word, candidates);
  const states = `the states are ${candidates.map((c) => `'${c}'`).join(', ')}`;
  return near ? [near, states] : [states];
}

/** Where each equation was written (a script's REPL lines each have their own text). */
type SourceOf = (e: OdeEquation) => SourceText;

function derivativesOf(
  eqs: readonly Derivative[],
  src: SourceOf,
  source: SourceText,
): Map<string, Derivative> {
  if (eqs.length === 0) {
    throw new ExprfitError('value', 'an ODE system needs a derivative such as D(A, t) = -k*A', { source });
  }
  const variable = eqs[0].variable;
  const byState = new Map<string, Derivative>();
  for (const d of eqs) {
    if (d.variable !== variable) {
      const msg = `every derivative must be with respect to '${variable}', not '${d.variable}'`;
      throw new ExprfitError('value', msg, at(d.variableSpan, src(d)));
    }
    if (d.state === variable) {
      const msg = `'${variable}' is the independent variable and cannot be a state`;
      throw new ExprfitError('value', msg, at(d.stateSpan, src(d)));
    }
    if (byState.has(d.state)) {
      throw new ExprfitError(
        'value',
        `the derivative of '${d.state}' is given twice`,
        at(d.stateSpan, src(d)),
      );
    }
    byState.set(d.state, d);
  }
  return byState;
}

/** The initial time: a number (no names). */
function timeOf(e: Expr, source: SourceText): number {
  const names = [...freeSymbols(e)];
  const v = names.length === 0 ? evaluate(e, {}) : NaN;
  if (!Number.isFinite(v)) {
    const msg = 'the time of an initial value must be a number, e.g. A(0) = A0';
    throw new ExprfitError('value', msg, at(e.span!, source));
  }
  return v;
}

function initialValues(
  eqs: readonly Initial[],
  derivatives: ReadonlyMap<string, Derivative>,
  variable: string,
  src: SourceOf,
): { initial: Expr[]; t0: number } {
  const states = [...derivatives.keys()];
  const byState = new Map<string, Initial>();
  let t0: number | undefined;
  for (const e of eqs) {
    if (!derivatives.has(e.state)) {
      const msg = `'${e.state}' is not a state of the ODE system (it has no derivative D(${e.state}, ${variable}))`;
      throw new ExprfitError('unknown-name', msg, at(e.stateSpan, src(e), suggestion(e.state, states)));
    }
    if (byState.has(e.state)) {
      throw new ExprfitError(
        'value',
        `the initial value of '${e.state}' is given twice`,
        at(e.stateSpan, src(e)),
      );
    }
    const t = timeOf(e.time, src(e));
    if (t0 !== undefined && t !== t0) {
      const msg = `every initial value must be at one time: ${t0}, not ${t}`;
      throw new ExprfitError('value', msg, at(e.time.span!, src(e)));
    }
    t0 = t;
    checkInitialNames(e, states, variable, src(e));
    byState.set(e.state, e);
  }
  const initial = states.map((s) => {
    const e = byState.get(s);
    if (e) return e.value;
    const d = derivatives.get(s)!;
    const msg = `the state '${s}' has no initial value`;
    throw new ExprfitError('value', msg, at(d.stateSpan, src(d), [`add one such as ${s}(0) = ${s}0`]));
  });
  return { initial, t0: t0! };
}

function checkInitialNames(
  e: Initial,
  states: readonly string[],
  variable: string,
  source: SourceText,
): void {
  for (const n of freeSymbols(e.value)) {
    if (states.includes(n) || n === variable) {
      const msg = `the initial value of '${e.state}' cannot use '${n}': write a number or parameters`;
      throw new ExprfitError('value', msg, at(e.value.span!, source));
    }
  }
}

/** Calls `S(x)` of names that are not states, where a state is meant. */
function checkStateCalls(e: Expr, states: readonly string[], source: SourceText): void {
  const visit = (n: Expr): Expr => {
    if (n.kind === 'call' && n.args.length === 1 && !states.includes(n.fn) && didYouMean(n.fn, states)) {
      const msg = `'${n.fn}' is not a state of the ODE system`;
      throw new ExprfitError('unknown-name', msg, at(n.fnSpan ?? n.span!, source, suggestion(n.fn, states)));
    }
    return mapChildren(n, visit);
  };
  visit(e);
}

/** The output with `S(x)` replaced by `S`, and its time variable (`x`, or the system's variable). */
function resolveOutput(
  o: Output,
  states: readonly string[],
  variable: string,
  source: SourceText,
): OdeOutput {
  const times = new Set<string>();
  const visit = (n: Expr): Expr => {
    if (n.kind === 'sym' && states.includes(n.name)) times.add(variable);
    if (n.kind !== 'call' || !states.includes(n.fn)) return mapChildren(n, visit);
    const [arg] = n.args;
    if (n.args.length !== 1 || arg.kind !== 'sym') {
      const msg = `a state is evaluated at the times of a data variable: ${n.fn}(${variable}) or ${n.fn}`;
      throw new ExprfitError('value', msg, at(n.span!, source));
    }
    times.add(arg.name);
    return sym(n.fn, n.fnSpan);
  };
  const rhs = visit(o.rhs);
  checkStateCalls(rhs, states, source);
  if (times.size > 1) {
    const msg = `an output is evaluated at one set of times, not at ${[...times].map((t) => `'${t}'`).join(' and ')}`;
    throw new ExprfitError('value', msg, at(o.rhs.span!, source));
  }
  return { lhs: o.lhs, rhs, time: [...times][0] ?? variable, span: o.span };
}

/** Checks ODE equations and gathers them into a system. */
export function buildOdeSystem(
  equations: readonly OdeEquation[],
  source: SourceText,
  sourceOf: SourceOf = () => source,
): OdeSystem {
  const pick = <K extends OdeEquation['kind']>(k: K) =>
    equations.filter((e): e is Extract<OdeEquation, { kind: K }> => e.kind === k);
  const derivatives = derivativesOf(pick('derivative'), sourceOf, source);
  const states = [...derivatives.keys()];
  const variable = pick('derivative')[0].variable;
  const { initial, t0 } = initialValues(pick('initial'), derivatives, variable, sourceOf);
  const rhs = states.map((s) => derivatives.get(s)!.rhs);
  for (const d of derivatives.values()) checkStateCalls(d.rhs, states, sourceOf(d));
  const outputs = pick('output').map((o) => resolveOutput(o, states, variable, sourceOf(o)));
  const seen = new Set<string>();
  for (const o of pick('output')) {
    if (states.includes(o.lhs) || o.lhs === variable || seen.has(o.lhs)) {
      const msg = `'${o.lhs}' is ${seen.has(o.lhs) ? 'defined twice' : 'a name of the ODE system'}: name the output after its data`;
      throw new ExprfitError('value', msg, at(o.span, sourceOf(o)));
    }
    seen.add(o.lhs);
  }
  return { variable, states, rhs, initial, t0, outputs, source };
}
