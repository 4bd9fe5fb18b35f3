/**
 * Checks the calls of an expression against the builtin registry and the user's functions: unknown names
 * (with "did you mean 'exp'?") and argument counts, each error carrying the span of the function name.
 */
import type { Expr } from '../ast/index.ts';
import { didYouMean, ExprfitError, type SourceText } from '../core/index.ts';
import { arityOk, arityText, functionNames, getConstant, getFunction } from '../functions/index.ts';
import { getNamedModel, modelArity, modelSignature, namedModelCall, namedModels } from '../models/index.ts';

/** What a call needs to know about a user function. */
export interface UserFunctionSignature {
  readonly name: string;
  readonly params: readonly string[];
}

export interface CheckCallsOptions {
  /** User functions that may be called besides the builtins (they are found first). */
  readonly userFunctions?: readonly UserFunctionSignature[];
  /** The text the expression was parsed from, for error messages. */
  readonly source?: SourceText;
  /**
   * Accept calls of names that are neither builtins nor user functions (a script's interpreter knows more
   * functions, such as `linspace` or `load`); argument counts of known functions are still checked.
   */
  readonly allowUnknown?: boolean;
}

function plural(k: number, word: string): string {
  return `${k} ${word}${k === 1 ? '' : 's'}`;
}

/** Throws an `unknown-function` or `arity` ExprfitError for the first bad call, in source order. */
export function checkCalls(expr: Expr, options: CheckCallsOptions = {}): void {
  let users: Map<string, UserFunctionSignature> | undefined;
  if (options.userFunctions?.length) {
    users = new Map();
    for (const f of options.userFunctions) users.set(f.name, f);
  }
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    switch (e.kind) {
      case 'num':
      case 'sym':
      case 'str':
        break;
      case 'unary':
        stack.push(e.arg);
        break;
      case 'binary':
        stack.push(e.right, e.left);
        break;
      case 'array':
        for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]);
        break;
      case 'index':
        for (let i = e.items.length - 1; i >= 0; i--) {
          const it = e.items[i];
          if (it.kind === 'at') stack.push(it.index);
          else for (const part of [it.step, it.stop, it.start]) if (part) stack.push(part);
        }
        stack.push(e.target);
        break;
      case 'call':
        checkCall(e, users, options);
        for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i]);
        break;
    }
  }
}

function checkCall(
  e: Extract<Expr, { kind: 'call' }>,
  users: Map<string, UserFunctionSignature> | undefined,
  options: CheckCallsOptions,
): void {
  const span = e.fnSpan ?? e.span;
  const source = options.source;
  const count = e.args.length;
  const user = users?.get(e.fn);
  if (e.prefix !== undefined && (user || !getNamedModel(e.fn))) throw prefixError(e, users, options);
  if (user) {
    if (count !== user.params.length) {
      throw new ExprfitError(
        'arity',
        `'${e.fn}' takes ${plural(user.params.length, 'argument')}, but ${count === 1 ? '1 was' : `${count} were`} given`,
        { span, source, hints: [`it is defined as ${e.fn}(${user.params.join(', ')})`] },
      );
    }
    return;
  }
  if (checkModelCall(e, options)) return;
  const def = getFunction(e.fn);
  if (def) {
    if (!arityOk(def, count)) {
      throw new ExprfitError(
        'arity',
        `'${e.fn}' takes ${arityText(def)}, but ${count === 1 ? '1 was' : `${count} were`} given`,
        { span, source, hints: [`usage: ${def.help.signature}`] },
      );
    }
    return;
  }
  if (options.allowUnknown) return;
  const candidates = users ? [...functionNames(), ...users.keys()] : functionNames();
  const hints: string[] = [];
  const suggestion = didYouMean(e.fn, candidates) ?? didYouMean(e.fn, modelNames());
  if (suggestion) hints.push(suggestion);
  else if (getConstant(e.fn) !== undefined) hints.push(`'${e.fn}' is a constant, not a function`);
  else if (count === 1) hints.push(`to multiply, write '${e.fn}*(...)'`);
  else hints.push('it is neither a builtin nor a function defined in the model');
  throw new ExprfitError('unknown-function', `unknown function '${e.fn}'`, { span, source, hints });
}

function modelNames(): string[] {
  return namedModels().map((m) => m.name);
}

/** `foo(x; g1)` where `foo` is no named model (a builtin, a user function or unknown). */
function prefixError(
  e: Extract<Expr, { kind: 'call' }>,
  users: Map<string, UserFunctionSignature> | undefined,
  options: CheckCallsOptions,
): ExprfitError {
  const known = users?.has(e.fn) || getFunction(e.fn) !== undefined;
  const suggestion = known ? undefined : didYouMean(e.fn, modelNames());
  const hints = suggestion
    ? [suggestion]
    : ['a prefix after ; names the parameters of a named model such as gaussian(x; g1)'];
  return new ExprfitError(
    known ? 'syntax' : 'unknown-function',
    known ? `'${e.fn}' is a function, not a named model: it takes no prefix` : `unknown model '${e.fn}'`,
    { span: e.fnSpan ?? e.span, source: options.source, hints },
  );
}

/** True for a call of a named model (its argument count checked); false for any other call. */
function checkModelCall(e: Extract<Expr, { kind: 'call' }>, options: CheckCallsOptions): boolean {
  const count = e.args.length;
  const model =
    namedModelCall(e.fn, count, e.prefix !== undefined) ??
    (getFunction(e.fn) ? undefined : getNamedModel(e.fn));
  if (!model) return false;
  if (count !== modelArity(model)) {
    throw new ExprfitError(
      'arity',
      `model '${e.fn}' takes ${plural(modelArity(model), 'argument')}, but ${count === 1 ? '1 was' : `${count} were`} given`,
      { span: e.fnSpan ?? e.span, source: options.source, hints: [`usage: ${modelSignature(model)}`] },
    );
  }
  return true;
}
