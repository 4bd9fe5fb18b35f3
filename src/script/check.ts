/**
 * Static checks of a `.fit` script before anything runs (`exprfit check`, and the first pass of
 * `exprfit run`, so that a misspelt name on line 30 stops the run before line 10 writes a file): every name an
 * expression uses is defined by then, calls name known functions with valid argument counts, options are
 * known, `report`/`save`/`plot` follow a `fit`, model lines name data. Data files named by `data` statements
 * are read for their column names. Names a model uses without declaring them become parameters (noted).
 */
import { resolve } from 'node:path';
import type { Expr } from '../ast/expr.ts';
import { arityOk, arityText, functionNames, getConstant, getFunction } from '../functions/registry.ts';
import { ExprfitError, type SourceSpan, type SourceText } from '../syntax/span.ts';
import { closestMatches } from '../syntax/suggest.ts';
import type { OptionArg, Statement } from '../syntax/statements.ts';
import { SCRIPT_CONSTANTS } from './evaluate.ts';
import { BOOLEAN_FIT_OPTIONS, FIT_OPTIONS, FIT_OPTION_WORDS } from './fitting.ts';
import { arityDescription, getScriptFunction, scriptFunctionNames } from './functions.ts';
import type { Interpreter } from './interpreter.ts';
import { PLOT_OPTIONS } from './plot.ts';
import { getCommand, isIdentifier } from './statements.ts';
import { isAutoParams, isSpline, showPathAsWritten, undeclaredModelName } from './values.ts';

type Kind = 'value' | 'param' | 'spline';

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
  readonly session?: Interpreter;
}

// scale and nsigma: the overlay of a spots table (save spots to "spots.png" scale=4)
const SAVE_OPTIONS = ['name', 'colormap', 'png', 'range', 'scale', 'nsigma'];
const DATA_OPTIONS = ['prefix', 'delimiter', 'format', 'key'];

class Checker {
  readonly names = new Map<string, Kind>();
  readonly functions = new Map<string, number>();
  readonly notes: string[] = [];
  readonly assigned = new Set<string>();
  modelLhs: { lhs: string; span: SourceSpan }[] = [];
  modelClosed = false;
  /** Names the model lines use that are not defined (yet), with where each is first used. */
  implicit = new Map<string, SourceSpan | undefined>();
  /** The same for each user function's body, added to a model's when the model calls the function. */
  readonly functionImplicit = new Map<string, Map<string, SourceSpan | undefined>>();
  /** A `param` statement declared a parameter; `param auto` was given. */
  declaredParams = false;
  autoParams = false;
  fits = 0;

  constructor(
    readonly source: SourceText,
    readonly options: CheckOptions,
  ) {
    const s = options.session;
    if (s) {
      for (const [k, v] of s.variables) this.names.set(k, isSpline(v) ? 'spline' : 'value');
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
        this.call(e, locals);
        for (const [n, span] of this.functionImplicit.get(e.fn) ?? [])
          if (!implicit?.has(n)) implicit?.set(n, span);
        for (const a of e.args) this.expr(a, locals, implicit);
        return;
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, locals: ReadonlySet<string>): void {
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
    void locals;
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

  checkOptions(opts: readonly OptionArg[], known: readonly string[], what: string): void {
    for (const o of opts) {
      if (!known.includes(o.key)) {
        const close = closestMatches(o.key, known);
        throw this.error('option', `unknown option '${o.key}' for ${what}`, o.keySpan, [
          close.length
            ? `did you mean '${close[0]}'?`
            : known.length
              ? `the options are: ${known.join(', ')}`
              : `${what} takes no options`,
        ]);
      }
    }
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
        this.checkOptions(s.options, DATA_OPTIONS, 'data');
        let prefix = '';
        const opts: Record<string, string> = {};
        for (const o of s.options) {
          const w =
            o.value.kind === 'sym' ? o.value.name : o.value.kind === 'str' ? o.value.value : undefined;
          if (w === undefined)
            throw this.error('type', `option ${o.key} expects a word or a string`, o.value.span);
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
        const isSplineValue =
          (v.kind === 'call' && v.fn === 'spline') ||
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
          for (const e of [d.value, d.min, d.max]) if (e) this.expr(e);
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
          this.checkOptions([o], [...Object.keys(FIT_OPTIONS), 'sigma_NAME'], 'fit');
          const words = FIT_OPTION_WORDS[o.key];
          if (words) {
            const w =
              o.value.kind === 'sym'
                ? o.value.name
                : o.value.kind === 'str'
                  ? o.value.value
                  : o.value.kind === 'num'
                    ? String(o.value.value)
                    : undefined;
            const ok =
              w !== undefined &&
              (words.includes(w) || (BOOLEAN_FIT_OPTIONS.includes(o.key) && (w === '0' || w === '1')));
            if (!ok) {
              const close = w ? closestMatches(w, words) : [];
              throw this.error(
                'option',
                `option ${o.key} is one of ${words.join(', ')}`,
                o.value.span,
                close.length ? [`did you mean '${close[0]}'?`] : [],
              );
            }
            if (o.key === 'estimator' && w === 'likelihood') likelihood = true;
          } else this.expr(o.value);
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
        this.implicit.clear();
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
      case 'report':
        this.requireFit(s.span, 'report');
        this.checkOptions(s.options, ['min_correlation'], 'report');
        if (s.mode !== undefined && !['full', 'brief', 'json'].includes(s.mode)) {
          throw this.error('value', `unknown report mode '${s.mode}'`, s.span, [
            'write report, report brief or report json',
          ]);
        }
        return;
      case 'print':
      case 'expr':
        this.expr(s.value);
        return;
      case 'save':
        if (s.what) {
          this.expr(s.what);
          this.checkOptions(s.options, SAVE_OPTIONS, 'save');
        } else {
          this.requireFit(s.span, 'save');
          this.checkOptions(s.options, [], 'save');
        }
        return;
      case 'plot':
        this.requireFit(s.span, 'plot');
        this.checkOptions(s.options, PLOT_OPTIONS, 'plot');
        for (const o of s.options) if (o.key === 'x') this.expr(o.value);
        return;
      case 'command': {
        const def = getCommand(s.name);
        if (!def)
          throw this.error('usage', `the '${s.name}' command is not available in this version`, s.nameSpan);
        if (def.check) {
          def.check(s, {
            expr: (e) => this.expr(e),
            has: (n) => this.names.has(n),
            define: (n, span) => this.define(n, 'value', span),
            error: (code, message, span, hints) => this.error(code, message, span, hints),
          });
          return;
        }
        for (const a of s.args) if (a.kind !== 'sym' || this.names.has(a.name)) this.expr(a);
        return;
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
  const { load } = await import('../data/load.ts');
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
        throw new ExprfitError(err.code, err.message, { span, source, hints: err.hints, cause: err });
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
