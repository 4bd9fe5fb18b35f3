/**
 * Static checks of a `.fit` script before anything runs (`exprfit check`, and the first pass of
 * `exprfit run`, so that a misspelt name on line 30 stops the run before line 10 writes a file): every name an
 * expression uses is defined by then, calls name known functions with valid argument counts, options are
 * known, `report`/`save`/`plot` follow a `fit`, model lines name data. Data files named by `data` statements
 * are read for their column names. Names a model uses without declaring them become parameters (noted).
 */
import { resolve } from 'node:path';
import type { Expr } from '../ast/index.ts';
import {
  closestMatches,
  ExprfitError,
  type OptionsSchema,
  parseOptions,
  type SourceSpan,
  type SourceText,
} from '../core/index.ts';
import { arityOk, arityText, functionNames, getConstant, getFunction } from '../functions/index.ts';
import { modelParamNames, notAModel } from '../model/index.ts';
import { getNamedModel, modelArity, modelSignature, namedModelCall } from '../models/index.ts';
import type { OptionArg, Statement } from '../syntax/index.ts';
import { SCRIPT_CONSTANTS } from './evaluate.ts';
import type {
  Checker as StatementChecker,
  InterpreterState,
  StatementDef,
  StatementTable,
} from './context.ts';
import { arityDescription, getScriptFunction, scriptFunctionNames } from './functions.ts';
import {
  checkOptionNames,
  declaredKey,
  isIdentifier,
  optionWords,
  scriptOptionError,
  wordOf,
} from './optionArgs.ts';
import { STATEMENTS } from './statements/index.ts';
import { isOdeOption } from './odeFit.ts';
import { isAutoParams, isFit, isSpline, showPathAsWritten, undeclaredModelName } from './values.ts';

/** What a name is; 'spline' stands for every value that can be called (splines, fit results). */
type Kind = 'value' | 'param' | 'spline';

/** `load "fit.json"`: a saved fit result (a .json file loaded without a key), callable and a fit. */
function loadsResult(e: Expr): boolean {
  return (
    e.kind === 'call' &&
    e.fn === 'load' &&
    e.args.length === 1 &&
    e.args[0].kind === 'str' &&
    /\.json$/i.test(e.args[0].value)
  );
}

/** A number option given a number: its range is checked before running. */
function isNumberOption(schema: OptionsSchema, key: string, o: OptionArg): boolean {
  const kind = schema.specs[key].kind;
  return o.value.kind === 'num' && (kind === 'number' || kind === 'integer');
}

export interface CheckResult {
  /** Notes such as names that will be fitted as undeclared parameters. */
  readonly notes: string[];
  readonly statements: number;
  readonly fits: number;
}

export interface CheckOptions {
  /** Folder for relative file names. */
  readonly baseDir: string;
  /** `--set` names: each must be assigned or declared by the script. */
  readonly overrides?: Iterable<string>;
  /** Start from the names of a running session (REPL `:load`). */
  readonly session?: InterpreterState;
  /** The statements and commands (default: the built-in table). */
  readonly statements?: StatementTable;
}

class Checker {
  readonly names = new Map<string, Kind>();
  readonly functions = new Map<string, number>();
  readonly notes: string[] = [];
  readonly assigned = new Set<string>();
  modelLhs: { lhs: string; span: SourceSpan }[] = [];
  modelClosed = false;
  /** Names the model lines use that are not defined (yet), with where each is first used. */
  implicit = new Map<string, SourceSpan | undefined>();
  /** The parameters (and derived parameters) of the named models the model lines use: `g1_center`, `g1_fwhm`. */
  readonly namedParams = new Set<string>();
  /** The same for each user function's body, added to a model's when the model calls the function. */
  readonly functionImplicit = new Map<string, Map<string, SourceSpan | undefined>>();
  /** A `param` statement declared a parameter; `param auto` was given. */
  declaredParams = false;
  autoParams = false;
  fits = 0;
  /** An `ode` statement defined an ODE system (model lines are its outputs). */
  ode = false;
  readonly table: StatementTable;
  /** What the statements' own checks see of this checker. */
  readonly facade: StatementChecker;

  constructor(
    readonly source: SourceText,
    readonly options: CheckOptions,
  ) {
    this.table = options.statements ?? STATEMENTS;
    this.facade = {
      expr: (e) => this.expr(e),
      has: (n) => this.names.has(n),
      define: (n, span) => this.define(n, 'value', span),
      error: (code, message, span, hints) => this.error(code, message, span, hints),
      place: (err, span) => err.placed(span, this.source),
      requireFit: (span, what) => this.requireFit(span, what),
      options: (opts, schema, what) => this.checkOptions(opts, schema, what),
      table: this.table,
    };
    const s = options.session;
    if (s) {
      for (const [k, v] of s.variables) this.names.set(k, isSpline(v) || isFit(v) ? 'spline' : 'value');
      for (const k of s.params.keys()) this.names.set(k, 'param');
      this.declaredParams = [...s.params.values()].some((p) => !p.implicit);
      this.autoParams = s.autoParams;
      for (const [k, f] of s.functions) this.functions.set(k, f.params.length);
      this.fits = s.fits.length;
    }
  }

  error(
    code: ExprfitError['code'],
    message: string,
    span: SourceSpan | undefined,
    hints: string[] = [],
  ): ExprfitError {
    return new ExprfitError(code, message, { span, source: this.source, hints });
  }

  /**
   * Checks names and calls of `e`; `locals` are a function's parameters; with `implicit` (model lines, function
   * bodies) unknown names are collected there (they may become parameters) rather than reported.
   */
  expr(
    e: Expr,
    locals: ReadonlySet<string> = new Set(),
    implicit?: Map<string, SourceSpan | undefined>,
  ): void {
    switch (e.kind) {
      case 'num':
      case 'str':
        return;
      case 'sym': {
        const n = e.name;
        if (
          locals.has(n) ||
          this.names.has(n) ||
          getConstant(n) !== undefined ||
          Object.hasOwn(SCRIPT_CONSTANTS, n)
        )
          return;
        if (implicit) {
          if (!implicit.has(n)) implicit.set(n, e.span);
          return;
        }
        const close = closestMatches(n, [...this.names.keys(), ...locals]);
        const hints = close.length ? [`did you mean '${close[0]}'?`] : [];
        if (!close.length && (getScriptFunction(n) || getFunction(n)))
          hints.push(`'${n}' is a function: call it as ${n}(...)`);
        throw this.error('unknown-name', `unknown name '${n}'`, e.span, hints);
      }
      case 'unary':
        return this.expr(e.arg, locals, implicit);
      case 'binary':
        this.expr(e.left, locals, implicit);
        return this.expr(e.right, locals, implicit);
      case 'array':
        for (const it of e.items) this.expr(it, locals, implicit);
        return;
      case 'index':
        this.expr(e.target, locals, implicit);
        for (const it of e.items) {
          if (it.kind === 'at') this.expr(it.index, locals, implicit);
          else for (const p of [it.start, it.stop, it.step]) if (p) this.expr(p, locals, implicit);
        }
        return;
      case 'call':
        if (this.namedModel(e)) {
          for (const a of e.args) this.expr(a, locals, implicit);
          return;
        }
        this.call(e);
        for (const [n, span] of this.functionImplicit.get(e.fn) ?? [])
          if (!implicit?.has(n)) implicit?.set(n, span);
        for (const a of e.args) this.expr(a, locals, implicit);
        return;
    }
  }

  /** A call of a named model (not shadowed by a user function): its argument count; its parameters noted. */
  private namedModel(e: Extract<Expr, { kind: 'call' }>): boolean {
    const def = this.functions.has(e.fn)
      ? undefined
      : namedModelCall(e.fn, e.args.length, e.prefix !== undefined);
    if (!def && e.prefix !== undefined) throw notAModel(e).withSource(this.source);
    const shadowed =
      this.functions.has(e.fn) || getFunction(e.fn) || getScriptFunction(e.fn) || this.names.has(e.fn);
    const model = def ?? (shadowed ? undefined : getNamedModel(e.fn));
    if (!model) return false;
    if (e.args.length !== modelArity(model)) {
      throw this.error(
        'arity',
        `model '${e.fn}' takes ${modelArity(model)} argument${modelArity(model) === 1 ? '' : 's'}, but ${e.args.length} ${e.args.length === 1 ? 'was' : 'were'} given`,
        e.fnSpan ?? e.span,
        [`usage: ${modelSignature(model)}`],
      );
    }
    for (const n of modelParamNames(model, e.prefix === undefined ? '' : `${e.prefix}_`))
      this.namedParams.add(n);
    return true;
  }

  /**
   * `ode`: its states become names (and, in model lines, functions of a time: `B(tB)`); the other names of
   * its right sides and initial values may become parameters, as in model lines.
   */
  private checkOde(s: Extract<Statement, { kind: 'ode' }>): void {
    this.ode = true;
    const derivatives = s.equations.flatMap((e) => (e.kind === 'derivative' ? [e] : []));
    const bound = new Set(derivatives.flatMap((d) => [d.state, d.variable]));
    for (const d of derivatives) {
      this.names.set(d.state, 'value');
      this.functions.set(d.state, 1);
    }
    for (const e of s.equations) {
      if (e.kind === 'derivative') this.expr(e.rhs, bound, this.implicit);
      else if (e.kind === 'initial') this.expr(e.value, new Set(), this.implicit);
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>): void {
    const span = e.fnSpan ?? e.span;
    const count = e.args.length;
    const given = `${count === 1 ? '1 was' : `${count} were`} given`;
    const user = this.functions.get(e.fn);
    if (user !== undefined) {
      if (user !== count)
        throw this.error('arity', `'${e.fn}' takes ${arityDescription([user, user])}, but ${given}`, span);
      return;
    }
    if (
      this.names.get(e.fn) === 'spline' ||
      (this.names.get(e.fn) === 'value' && !getScriptFunction(e.fn) && !getFunction(e.fn))
    ) {
      if (this.names.get(e.fn) === 'spline') return;
      throw this.error('type', `'${e.fn}' is a variable, not a function`, span, [
        `to multiply, write '${e.fn}*(...)'; to index, write ${e.fn}[...]`,
      ]);
    }
    if (e.fn === 'minimum' || e.fn === 'maximum') {
      if (count !== 2) throw this.error('arity', `'${e.fn}' takes 2 arguments, but ${given}`, span);
      return;
    }
    const def = getFunction(e.fn);
    const sf = getScriptFunction(e.fn);
    if (sf && (!def || e.fn === 'min' || e.fn === 'max')) {
      const ok = count >= sf.arity[0] && count <= sf.arity[1];
      if (ok || (def && arityOk(def, count))) return;
      throw this.error('arity', `'${e.fn}' takes ${arityDescription(sf.arity)}, but ${given}`, span, [
        `usage: ${sf.signature}`,
      ]);
    }
    if (def) {
      if (!arityOk(def, count)) {
        throw this.error('arity', `'${e.fn}' takes ${arityText(def)}, but ${given}`, span, [
          `usage: ${def.help.signature}`,
        ]);
      }
      return;
    }
    const close = closestMatches(e.fn, [
      ...functionNames(),
      ...scriptFunctionNames(),
      ...this.functions.keys(),
    ]);
    throw this.error('unknown-function', `unknown function '${e.fn}'`, span, [
      close.length ? `did you mean '${close[0]}'?` : `to multiply, write '${e.fn}*(...)'`,
    ]);
  }

  define(name: string, kind: Kind, span: SourceSpan): void {
    if (kind !== 'param' && this.names.get(name) === 'param') {
      throw this.error('value', `'${name}' is a parameter; a variable needs another name`, span);
    }
    if (kind === 'param' && this.names.has(name) && this.names.get(name) !== 'param') {
      throw this.error('value', `'${name}' is already a variable; a parameter needs another name`, span);
    }
    this.names.set(name, kind);
  }

  /** The options of a statement: known keys, known words; expressions in values name known things. */
  checkOptions(opts: readonly OptionArg[], schema: OptionsSchema, what: string): void {
    checkOptionNames(schema, opts, this.source, what);
    for (const o of opts) {
      const key = declaredKey(schema, o.key)!;
      if (optionWords(schema, key) || isNumberOption(schema, key, o)) this.checkValue(o, schema, what);
      else if (schema.specs[key].kind !== 'string' || o.value.kind !== 'sym') this.expr(o.value);
    }
  }

  /** A value known before running: a word (`loss=huber`, `absolute_sigma=true`) or a number (`digits=6`). */
  private checkValue(o: OptionArg, schema: OptionsSchema, what: string): void {
    const word = o.value.kind === 'num' ? o.value.value : (wordOf(o) ?? null);
    try {
      parseOptions(schema, { [o.key]: word }, 'script');
    } catch (err) {
      throw scriptOptionError(err, schema, [o], this.source, what);
    }
  }

  /** The options schema of a statement kind (data, fit). */
  schemaOf(kind: 'data' | 'fit'): OptionsSchema {
    return this.table.statements[kind].options!;
  }

  requireFit(span: SourceSpan, what: string): void {
    if (this.fits === 0) throw this.error('value', `nothing to ${what} yet: run 'fit' first`, span);
  }

  async statement(
    s: Statement,
    loadColumns: (
      file: string,
      written: string,
      span: SourceSpan,
      options: Record<string, string>,
    ) => Promise<string[]>,
  ): Promise<void> {
    switch (s.kind) {
      case 'data': {
        this.checkOptions(s.options, this.schemaOf('data'), 'data');
        let prefix = '';
        const opts: Record<string, string> = {};
        for (const o of s.options) {
          const w = o.value.kind === 'sym' || o.value.kind === 'str' ? wordOf(o) : undefined;
          if (w === undefined) continue;
          if (o.key === 'prefix') prefix = w;
          else opts[o.key] = w;
        }
        const cols = await loadColumns(resolve(this.options.baseDir, s.file), s.file, s.fileSpan, opts);
        for (const c of cols) if (isIdentifier(prefix + c)) this.define(prefix + c, 'value', s.fileSpan);
        return;
      }
      case 'assign': {
        this.expr(s.value);
        if (s.targets.length > 1 && s.value.kind === 'call') {
          const f = getScriptFunction(s.value.fn);
          if (f?.returns !== undefined && f.returns !== s.targets.length) {
            throw this.error(
              'value',
              `${s.targets.length} names on the left but ${s.value.fn} gives ${f.returns} values`,
              s.span,
            );
          }
        }
        const v = s.value;
        if (loadsResult(v)) this.fits++;
        const isSplineValue =
          (v.kind === 'call' && v.fn === 'spline') ||
          loadsResult(v) ||
          (v.kind === 'sym' && this.names.get(v.name) === 'spline');
        const kind: Kind = isSplineValue ? 'spline' : 'value';
        s.targets.forEach((t, i) => this.define(t, kind, s.targetSpans[i]));
        if (s.targets.length === 1) this.assigned.add(s.targets[0]);
        return;
      }
      case 'param':
        for (const d of s.decls) {
          if (isAutoParams(d)) {
            this.autoParams = true;
            continue;
          }
          this.declaredParams = true;
          for (const e of [d.length, d.value, d.min, d.max]) if (e) this.expr(e);
          this.define(d.name, 'param', d.nameSpan);
          this.assigned.add(d.name);
        }
        return;
      case 'model':
        if (this.modelClosed) {
          this.modelLhs = [];
          this.modelClosed = false;
        }
        this.expr(s.rhs, new Set(), this.implicit);
        this.modelLhs = this.modelLhs.filter((m) => m.lhs !== s.lhs);
        this.modelLhs.push({ lhs: s.lhs, span: s.lhsSpan });
        return;
      case 'function': {
        if (getFunction(s.name) || getScriptFunction(s.name)) {
          throw this.error('value', `'${s.name}' is a builtin function and cannot be redefined`, s.nameSpan);
        }
        this.functions.set(s.name, s.params.length);
        const implicit = new Map<string, SourceSpan | undefined>();
        this.expr(s.body, new Set(s.params), implicit);
        this.functionImplicit.set(s.name, implicit);
        return;
      }
      case 'fit': {
        if (this.modelLhs.length === 0)
          throw this.error('value', 'no model to fit', s.span, [
            'write a model line first, e.g. model y = a*exp(-k*t) + c',
          ]);
        const lhsNames = this.modelLhs.map((m) => m.lhs);
        let likelihood = false;
        for (const o of s.options) {
          if (o.key.startsWith('sigma_') && o.key.length > 6) {
            if (!lhsNames.includes(o.key.slice(6))) {
              throw this.error(
                'option',
                `option ${o.key}: the model has no line for '${o.key.slice(6)}'`,
                o.keySpan,
              );
            }
            this.expr(o.value);
            continue;
          }
          if (this.ode && isOdeOption(o.key)) continue;
          this.checkOptions([o], this.schemaOf('fit'), 'fit');
          if (declaredKey(this.schemaOf('fit'), o.key) === 'estimator' && wordOf(o) === 'likelihood') {
            likelihood = true;
          }
        }
        for (const m of this.modelLhs) {
          if (likelihood) continue;
          if (this.names.get(m.lhs) !== 'value') {
            throw this.error('unknown-name', `no data named '${m.lhs}' to fit this model to`, m.span, [
              this.names.get(m.lhs) === 'param'
                ? `'${m.lhs}' is a parameter; the left side of a model line names data`
                : `load it first, e.g. data "file.csv" or ${m.lhs} = load("file.npy")`,
            ]);
          }
        }
        const implicit = [...this.implicit.keys()].filter((n) => !this.names.has(n) && !lhsNames.includes(n));
        if (implicit.length && this.declaredParams && !this.autoParams) {
          const span = this.implicit.get(implicit[0]);
          throw undeclaredModelName(implicit[0], { span, source: this.source }, this.names.keys());
        }
        if (implicit.length) {
          this.notes.push(
            `${this.source.file ?? 'script'}:${s.span.line}: ${implicit.map((n) => `'${n}'`).join(', ')} ${implicit.length === 1 ? 'is' : 'are'} not declared with 'param': fitted as parameter${implicit.length === 1 ? '' : 's'} starting at 1`,
          );
        }
        for (const n of implicit) this.names.set(n, 'param');
        for (const n of this.namedParams) if (!this.names.has(n)) this.names.set(n, 'param');
        this.implicit.clear();
        this.namedParams.clear();
        this.names.set('model', 'value');
        this.names.set('residuals', 'value');
        if (this.modelLhs.length > 1) {
          for (const m of this.modelLhs) {
            this.names.set(`model_${m.lhs}`, 'value');
            this.names.set(`residuals_${m.lhs}`, 'value');
          }
        }
        this.modelClosed = true;
        this.fits++;
        return;
      }
      case 'ode':
        this.checkOde(s);
        return;
      default: {
        const def = this.table.statements[s.kind] as StatementDef;
        def.check?.(s, this.facade);
      }
    }
  }
}

/** Checks parsed statements of one source; throws the first problem as an ExprfitError. */
export async function checkStatements(
  statements: readonly Statement[],
  source: SourceText,
  options: CheckOptions,
): Promise<CheckResult> {
  const checker = new Checker(source, options);
  const { load } = await import('../data/node.ts');
  const loadColumns = async (
    file: string,
    written: string,
    span: SourceSpan,
    opts: Record<string, string>,
  ): Promise<string[]> => {
    let loaded;
    try {
      loaded = await load(file, opts);
    } catch (e) {
      const err = showPathAsWritten(e, file, written);
      if (err instanceof ExprfitError && !err.span) {
        throw err.placed(span, source);
      }
      throw err;
    }
    if (loaded.kind === 'table') return loaded.names;
    if (loaded.kind === 'arrays') return loaded.names;
    return [];
  };
  for (const s of statements) await checker.statement(s, loadColumns);
  for (const name of options.overrides ?? []) {
    if (!checker.assigned.has(name)) {
      const close = closestMatches(name, [...checker.assigned]);
      throw new ExprfitError(
        'usage',
        `--set ${name}: the script neither assigns '${name}' nor declares it with 'param'`,
        {
          hints: close.length ? [`did you mean '${close[0]}'?`] : [],
        },
      );
    }
  }
  return { notes: checker.notes, statements: statements.length, fits: checker.fits };
}
