/**
 * What `exprfit serve script.fit` hands the web page (`/session.json`): the script's model, data, parameters
 * and fit options as its first `fit` statement would fit them, in JSON. The statements before that `fit` run
 * (data, assignments, param, model lines); `save` and `plot` there are skipped, nothing is fitted.
 */
import { dirname, resolve } from 'node:path';
import { printExpr, sym } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import type { NdArray, NdArrayJSON } from '../data/index.ts';
import { type ParamInput, requireScalarParams } from '../model/index.ts';
import type { StatementContext } from '../script/index.ts';
import { type FitCall, Interpreter, parseScriptSource, prepareFitCall, readScript } from '../script/node.ts';
import { substitute } from '../symbolic/index.ts';
import type { FitStatement, Statement } from '../syntax/index.ts';
import type { SessionJSON, SessionParam } from './protocol.ts';

const SKIPPED: ReadonlySet<Statement['kind']> = new Set(['save', 'plot', 'report']);

const finiteOrNull = (v: number | undefined): number | null =>
  v !== undefined && Number.isFinite(v) ? v : null;

function sessionParam(p: ParamInput): SessionParam {
  if (typeof p === 'number') return { value: p, min: null, max: null, fixed: false };
  const tie = p.expr !== undefined ? { expr: p.expr } : {};
  return {
    value: p.value ?? 1,
    min: finiteOrNull(p.min),
    max: finiteOrNull(p.max),
    fixed: p.fixed === true,
    ...tie,
  };
}

/** Options as JSON: NdArrays as `{ shape, data }`, functions and signals left out. */
function jsonOptions(options: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
}

/**
 * Names for the temporaries of array parts (`#m0`: `B[:, 0]`, `sum(w)` in a model line), which the page's model
 * editor could not parse: `m0`, or `m0_1`, ... when the script uses that name.
 */
function temporaryNames(data: Record<string, NdArray>, used: ReadonlySet<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const name of Object.keys(data).filter((n) => n.startsWith('#'))) {
    let plain = name.slice(1);
    for (let k = 1; used.has(plain) || Object.hasOwn(data, plain); k++) plain = `${name.slice(1)}_${k}`;
    names.set(name, plain);
  }
  return names;
}

function sessionOf(file: string, call: FitCall): SessionJSON {
  const { asm, options } = call;
  const renamed = temporaryNames(asm.data, asm.model.names);
  const subs = new Map([...renamed].map(([from, to]) => [from, sym(to)]));
  const model = asm.model.equations
    .map((eq) => `${eq.lhs} = ${printExpr(substitute(eq.rhs, subs))}`)
    .join('\n');
  const data: Record<string, NdArrayJSON> = {};
  for (const [name, a] of Object.entries(asm.data)) data[renamed.get(name) ?? name] = a.toJSON();
  const params: Record<string, SessionParam> = {};
  const scalars = requireScalarParams(asm.params, 'the web page (run the script with exprfit run)');
  for (const [name, p] of Object.entries(scalars)) params[name] = sessionParam(p);
  return { schema: 'exprfit-session', file, model, data, params, options: jsonOptions(options) };
}

/** A `fit` statement to stop at when the script has none: the model lines with default options. */
function implicitFit(statements: readonly Statement[]): FitStatement {
  return { kind: 'fit', options: [], span: statements[statements.length - 1].span };
}

/**
 * The session of an interpreter as it stands (the REPL's `:serve`): its model lines, their data and the
 * parameters, with the fit's default options.
 */
export async function interpreterSession(interp: Interpreter, name: string): Promise<SessionJSON> {
  if (!interp.models.length) {
    throw new ExprfitError('usage', 'nothing to show: the session has no model line', {
      hints: ['write a model first, e.g. model y = a*exp(-k*t) + c, then :serve'],
    });
  }
  const ctx = interp.context({ text: '', file: name }, interp.baseDir);
  const fit: FitStatement = { kind: 'fit', options: [], span: { start: 0, end: 0, line: 1, column: 1 } };
  return sessionOf(name, await prepareFitCall(fit, ctx));
}

/**
 * Runs `file` up to its first `fit` and returns what that fit would get. A script without a model line is an
 * `ExprfitError` (the page then has nothing to show from it).
 */
export async function scriptSession(file: string): Promise<SessionJSON> {
  const source = await readScript(file);
  const statements = parseScriptSource(source);
  if (statements.length === 0) throw new ExprfitError('value', `${file}: the script is empty`);
  const baseDir = dirname(resolve(file));
  const interp = new Interpreter({ baseDir, out: () => {}, info: () => {}, warn: () => {} });
  const ctx: StatementContext = interp.context(source, baseDir);
  for (const s of statements) {
    if (s.kind === 'fit') return sessionOf(file, await prepareFitCall(s, ctx));
    if (!SKIPPED.has(s.kind)) await interp.execute(s, ctx);
  }
  return sessionOf(file, await prepareFitCall(implicitFit(statements), ctx));
}
