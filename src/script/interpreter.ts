/**
 * The `.fit` interpreter: an environment of variables (numbers, arrays, strings, splines), parameters, user
 * functions and model lines ({@link InterpreterState}), and the table of statements it dispatches to
 * (src/script/statements, or `options.statements`). Scripts, the REPL and `exprfit run` all go through
 * {@link Interpreter.runText} / {@link Interpreter.execute}.
 */
import { dirname, resolve } from 'node:path';
import type { Expr } from '../ast/index.ts';
import { ExprfitError, type SourceSpan, type SourceText } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import type { FitResult } from '../fit/index.ts';
import { evaluate as evaluateScalar, type UserFunction } from '../symbolic/index.ts';
import { parseScript, type Statement } from '../syntax/index.ts';
import { Evaluator, SCRIPT_CONSTANTS, type EvalScope } from './evaluate.ts';
import { positioned, type Value } from './values.ts';
import type {
  FitRecord,
  InterpreterOptions,
  InterpreterState,
  ModelLine,
  ParamEntry,
  Settings,
  StatementContext,
  StatementHandler,
  StatementTable,
  ConstraintLine,
  OdeLine,
} from './context.ts';
import { STATEMENTS } from './statements/index.ts';

export class Interpreter implements InterpreterState {
  readonly variables = new Map<string, Value>();
  readonly params = new Map<string, ParamEntry>();
  readonly functions = new Map<string, UserFunction & { readonly span?: SourceSpan }>();
  /** Model lines of the model being built; the first `model` after a `fit` starts a new model. */
  models: ModelLine[] = [];
  modelClosed = false;
  odes: OdeLine[] = [];
  /** `param auto` was given: undeclared model names become parameters even when others are declared. */
  autoParams = false;
  /** The constraints of the `constrain` lines, used by every later `fit` until `constrain clear`. */
  readonly constraints: ConstraintLine[] = [];
  /** Every fit of the session, in order. */
  readonly fits: FitResult[] = [];
  lastFit?: FitRecord;
  signal?: AbortSignal;
  /** Fits that ended without converging. */
  unconverged = 0;
  /** Fits that converged to a result with warnings the user did not accept (not `ok`). */
  untrusted = 0;
  readonly settings: Settings = {};
  readonly overrides: ReadonlyMap<string, number>;
  readonly usedOverrides = new Set<string>();
  readonly options: InterpreterOptions;
  baseDir: string;
  /** The statements and commands this interpreter runs. */
  readonly table: StatementTable;

  constructor(options: InterpreterOptions = {}) {
    this.options = options;
    this.table = options.statements ?? STATEMENTS;
    this.baseDir = options.baseDir ?? process.cwd();
    this.overrides = options.overrides ?? new Map();
  }

  out(text: string): void {
    this.options.out?.(text);
  }
  info(text: string): void {
    this.options.info?.(text);
  }
  warn(text: string): void {
    this.options.warn?.(text);
  }

  /** Forgets everything (REPL `:reset`). */
  reset(): void {
    this.variables.clear();
    this.params.clear();
    this.functions.clear();
    this.models = [];
    this.modelClosed = false;
    this.odes = [];
    this.autoParams = false;
    this.constraints.length = 0;
    this.fits.length = 0;
    this.lastFit = undefined;
    this.unconverged = 0;
    this.untrusted = 0;
    delete this.settings.digits;
  }

  /** The value of a name in expressions: a variable, else a parameter's fitted (or start) value. */
  lookup(name: string): Value | undefined {
    const v = this.variables.get(name);
    if (v !== undefined) return v;
    const p = this.params.get(name);
    if (p?.length !== undefined) return this.vectorValue(p, p.length);
    if (p) return this.paramValue(p, []);
    return undefined;
  }

  /** A vector parameter's elements (`beta[k]` entries after a fit, else its start value). */
  private vectorValue(p: ParamEntry, length: number): NdArray {
    const values = Float64Array.from({ length }, (_, k) => {
      const el = this.params.get(`${p.name}[${k}]`);
      return el ? this.paramValue(el, []) : (p.perElement?.value?.[k] ?? p.value);
    });
    return new NdArray(values);
  }

  /** A parameter's current value: fitted, else its start value, else (tied) its tie evaluated. */
  paramValue(p: ParamEntry, stack: string[]): number {
    if (p.fitted !== undefined) return p.fitted;
    if (!p.tie) return p.value;
    if (stack.includes(p.name)) {
      throw new ExprfitError(
        'value',
        `tied parameters refer to each other in a cycle: ${[...stack, p.name].join(' -> ')}`,
      );
    }
    const scope: Record<string, number> = Object.create(null);
    const visit = (e: Expr): void => {
      if (e.kind === 'sym') {
        const q = this.params.get(e.name);
        if (q) scope[e.name] = this.paramValue(q, [...stack, p.name]);
        else if (Object.hasOwn(SCRIPT_CONSTANTS, e.name)) scope[e.name] = SCRIPT_CONSTANTS[e.name];
        return;
      }
      if (e.kind === 'unary') visit(e.arg);
      else if (e.kind === 'binary') {
        visit(e.left);
        visit(e.right);
      } else if (e.kind === 'call') e.args.forEach(visit);
    };
    visit(p.tie);
    return evaluateScalar(p.tie, scope);
  }

  /** Whether undeclared model names are an error: parameters were declared and `param auto` was not given. */
  requiresDeclaredParams(): boolean {
    if (this.autoParams) return false;
    for (const p of this.params.values()) if (!p.implicit) return true;
    return false;
  }

  /** Every name an expression can use (for hints and completion). */
  knownNames(): string[] {
    return [...this.variables.keys(), ...this.params.keys()];
  }

  /** The scope seen by expressions in a statement from `baseDir`. */
  scope(baseDir: string): EvalScope {
    return {
      lookup: (n) => this.lookup(n),
      userFunctions: this.functions,
      knownNames: () => this.knownNames(),
      resolvePath: (f) => resolve(baseDir, f),
    };
  }

  context(source: SourceText, baseDir: string = this.baseDir): StatementContext {
    const evaluator = new Evaluator(this.scope(baseDir), source);
    return { interp: this, source, baseDir, evaluator, table: this.table };
  }

  /** Runs one statement. Errors are ExprfitErrors positioned in `ctx.source`. */
  async execute(stmt: Statement, ctx: StatementContext): Promise<void> {
    const handler = this.table.statements[stmt.kind].run as StatementHandler;
    try {
      await handler(stmt, ctx);
    } catch (err) {
      throw positioned(err, { span: stmt.span, source: ctx.source });
    }
  }

  /** Parses and runs a script text; `file` (if given) names it in messages and sets the folder for paths. */
  async runText(text: string, file?: string): Promise<void> {
    const source: SourceText = file === undefined ? { text } : { text, file };
    const statements = parseScript(text, file);
    const ctx = this.context(source, file === undefined ? this.baseDir : dirname(resolve(file)));
    for (const s of statements) await this.execute(s, ctx);
  }
}
