/**
 * CST → AST: turns the concrete syntax tree of grammar/parser.ts into `Expr` nodes (src/ast/expr.ts) and
 * statements (./statements.ts). Plain functions over the generated CST types (grammar/cst.ts), no visitor
 * class. Every node gets a span; errors found here (a bad escape, chained comparisons, an unassignable left
 * side, ...) are `ExprfitError`s with spans.
 */
import type { CstNode, IToken } from 'chevrotain';
import type {
  AdditiveCstNode,
  AndExpressionCstNode,
  ArrayLiteralCstNode,
  AssignmentOrExpressionCstNode,
  CommandName,
  CommandStatementCstNode,
  ComparisonCstNode,
  DataStatementCstNode,
  ExpressionCstNode,
  FitStatementCstNode,
  IndexItemCstNode,
  IndexSuffixCstNode,
  KeyValueCstNode,
  ModelStatementCstNode,
  MultiplicativeCstNode,
  NameOrCallCstNode,
  NotExpressionCstNode,
  OdeEquationCstNode,
  OdeStatementCstNode,
  ParamDeclarationCstNode,
  ParamStatementCstNode,
  PlotStatementCstNode,
  PostfixCstNode,
  PowerCstNode,
  PrimaryCstNode,
  PrintStatementCstNode,
  ReportStatementCstNode,
  SaveStatementCstNode,
  SliceTailCstNode,
  StatementCstNode,
  UnaryCstNode,
} from '../../grammar/index.ts';
import {
  type BinaryOp,
  chain,
  type ChainJoin,
  chainOps,
  type CompareOp,
  type Expr,
  type IndexItem,
} from '../ast/index.ts';
import { ExprfitError, type SourceSpan, type SourceText } from '../core/index.ts';
import type { LineIndex } from './lines.ts';
import type {
  AssignStatement,
  ExprStatement,
  FunctionStatement,
  OdeEquation,
  OptionArg,
  ParamDecl,
  Statement,
} from './statements.ts';

/** What the builder needs to know about the text being parsed. */
export interface BuildContext {
  readonly lines: LineIndex;
  readonly source: SourceText;
}

type Located = CstNode | IToken;

function startOf(x: Located): number {
  return 'location' in x && x.location ? x.location.startOffset : (x as IToken).startOffset;
}
function endOf(x: Located): number {
  return ('location' in x && x.location ? x.location.endOffset! : (x as IToken).endOffset!) + 1;
}

export class AstBuilder {
  constructor(private readonly ctx: BuildContext) {}

  span(from: Located, to: Located = from): SourceSpan {
    return this.ctx.lines.span(startOf(from), endOf(to));
  }

  error(message: string, span: SourceSpan, hints: readonly string[] = []): ExprfitError {
    return new ExprfitError('syntax', message, { span, source: this.ctx.source, hints });
  }

  // ===========================================================================================
  // Expressions

  // Each level below returns its single operand directly when it has no operator (the common case: a model's
  // every operand passes through all of them), before building the callbacks of `chain`.

  expression(node: ExpressionCstNode): Expr {
    const c = node.children;
    if (!c.Or) return this.andExpression(c.andExpression[0]);
    return this.chain(
      c.andExpression,
      c.Or,
      (n) => this.andExpression(n),
      () => 'or',
    );
  }

  private andExpression(node: AndExpressionCstNode): Expr {
    const c = node.children;
    if (!c.And) return this.notExpression(c.notExpression[0]);
    return this.chain(
      c.notExpression,
      c.And,
      (n) => this.notExpression(n),
      () => 'and',
    );
  }

  private notExpression(node: NotExpressionCstNode): Expr {
    const c = node.children;
    if (c.Not)
      return {
        kind: 'unary',
        op: 'not',
        arg: this.notExpression(c.notExpression![0]),
        span: this.span(node),
      };
    return this.comparison(c.comparison![0]);
  }

  private comparison(node: ComparisonCstNode): Expr {
    const c = node.children;
    if (!c.ComparisonOp) return this.additive(c.additive[0]);
    const ops = c.ComparisonOp;
    if (ops.length > 1) {
      const a = this.source(c.additive[0]);
      const b = this.source(c.additive[1]);
      const d = this.source(c.additive[2]);
      throw this.error('comparisons cannot be chained', this.span(ops[1]), [
        `write '${a} ${ops[0].image} ${b} and ${b} ${ops[1].image} ${d}'`,
      ]);
    }
    return this.chain(
      c.additive,
      ops,
      (n) => this.additive(n),
      (t) => t.image as CompareOp,
    );
  }

  private additive(node: AdditiveCstNode): Expr {
    const c = node.children;
    if (!c.AdditiveOp) return this.multiplicative(c.multiplicative[0]);
    return this.chain(
      c.multiplicative,
      c.AdditiveOp,
      (n) => this.multiplicative(n),
      (t) => t.image as '+' | '-',
    );
  }

  private multiplicative(node: MultiplicativeCstNode): Expr {
    const c = node.children;
    if (!c.MultiplicativeOp) return this.unary(c.unary[0]);
    if (c.MultiplicativeOp.some((t) => t.image === '@')) return this.withProducts(node);
    return this.chain(
      c.unary,
      c.MultiplicativeOp,
      (n) => this.unary(n),
      (t) => t.image as '*' | '/',
    );
  }

  /** `a * B @ beta / c`, left to right; `@` is the call `dot(left, right)`. */
  private withProducts(node: MultiplicativeCstNode): Expr {
    const c = node.children;
    let acc = this.unary(c.unary[0]);
    c.MultiplicativeOp!.forEach((t, k) => {
      const right = this.unary(c.unary[k + 1]);
      const span = this.span(c.unary[0], c.unary[k + 1]);
      acc =
        t.image === '@'
          ? { kind: 'call', fn: 'dot', args: [acc, right], span, fnSpan: this.span(t) }
          : { kind: 'binary', op: t.image as '*' | '/', left: acc, right, span };
    });
    return acc;
  }

  /**
   * Chain `a op b op c` → `((a op b) op c)`, long chains as balanced groups (`chain` in ast/build.ts);
   * each node spans its operands.
   */
  private chain<N extends CstNode>(
    operands: readonly N[],
    ops: readonly IToken[] | undefined,
    build: (n: N) => Expr,
    op: (t: IToken) => BinaryOp,
  ): Expr {
    if (!ops) return build(operands[0]);
    const items = operands.map(build);
    const binaryOps = ops.map(op);
    const join: ChainJoin = (o, left, right, first, last) => ({
      kind: 'binary',
      op: o,
      left,
      right,
      span: this.span(operands[first], operands[last]),
    });
    return chain(items, binaryOps, chainOps(binaryOps[0]), join);
  }

  private unary(node: UnaryCstNode): Expr {
    const c = node.children;
    if (c.AdditiveOp) {
      const arg = this.unary(c.unary![0]);
      // unary plus changes nothing and leaves no node
      return c.AdditiveOp[0].image === '-' ? { kind: 'unary', op: '-', arg, span: this.span(node) } : arg;
    }
    return this.power(c.power![0]);
  }

  private power(node: PowerCstNode): Expr {
    const c = node.children;
    const base = this.postfix(c.base[0]);
    if (!c.exponent) return base;
    return { kind: 'binary', op: '^', left: base, right: this.unary(c.exponent[0]), span: this.span(node) };
  }

  private postfix(node: PostfixCstNode): Expr {
    const c = node.children;
    let acc = this.primary(c.primary[0]);
    for (const suffix of c.indexSuffix ?? []) {
      acc = { kind: 'index', target: acc, items: this.indexItems(suffix), span: this.span(node, suffix) };
    }
    return acc;
  }

  private indexItems(node: IndexSuffixCstNode): IndexItem[] {
    return node.children.indexItem.map((item) => this.indexItem(item));
  }

  private indexItem(node: IndexItemCstNode): IndexItem {
    const c = node.children;
    const start = c.start ? this.expression(c.start[0]) : undefined;
    if (!c.sliceTail) return { kind: 'at', index: start! };
    const tail: SliceTailCstNode = c.sliceTail[0];
    const stop = tail.children.stop ? this.expression(tail.children.stop[0]) : undefined;
    const step = tail.children.step ? this.expression(tail.children.step[0]) : undefined;
    return {
      kind: 'slice',
      ...(start && { start }),
      ...(stop && { stop }),
      ...(step && { step }),
    };
  }

  private primary(node: PrimaryCstNode): Expr {
    const c = node.children;
    if (c.NumberLiteral) return this.number(c.NumberLiteral[0]);
    if (c.StringLiteral)
      return { kind: 'str', value: this.string(c.StringLiteral[0]), span: this.span(node) };
    if (c.nameOrCall) return this.nameOrCall(c.nameOrCall[0]);
    if (c.parenthesized) return this.expression(c.parenthesized[0].children.expression[0]);
    return this.arrayLiteral(c.arrayLiteral![0]);
  }

  /** The parsed double (a literal beyond the double range, such as `1e999`, reads as Infinity). */
  private number(tok: IToken): Expr {
    return { kind: 'num', value: Number(tok.image), span: this.span(tok) };
  }

  private nameOrCall(node: NameOrCallCstNode): Expr {
    const c = node.children;
    const nameTok = c.Identifier[0];
    const name = identifierName(nameTok);
    if (!c.LParen) return { kind: 'sym', name, span: this.span(nameTok) };
    const args = (c.expression ?? []).map((e) => this.expression(e));
    const call = { kind: 'call', fn: name, args, span: this.span(node), fnSpan: this.span(nameTok) } as const;
    return c.prefix ? { ...call, prefix: identifierName(c.prefix[0]) } : call;
  }

  private arrayLiteral(node: ArrayLiteralCstNode): Expr {
    const items = (node.children.expression ?? []).map((e) => this.expression(e));
    return { kind: 'array', items, span: this.span(node) };
  }

  /** The value of a string literal token, escapes resolved. */
  string(tok: IToken): string {
    const raw = tok.image;
    if (!raw.includes('\\')) return raw.slice(1, -1);
    let out = '';
    for (let i = 1; i < raw.length - 1; i++) {
      const ch = raw[i];
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = raw[++i];
      const at = tok.startOffset + i - 1;
      switch (esc) {
        case '"':
        case '\\':
          out += esc;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'u': {
          const m = /^u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(raw.slice(i, raw.length - 1));
          const code = m ? parseInt(m[1] ?? m[2], 16) : NaN;
          if (!m || code > 0x10ffff) {
            throw this.error('bad unicode escape in string', this.ctx.lines.span(at, at + 2), [
              'write \\uXXXX with four hex digits, or \\u{X...} with one to six',
            ]);
          }
          out += String.fromCodePoint(code);
          i += m[0].length - 1;
          break;
        }
        default:
          throw this.error(`unknown escape '\\${esc}' in string`, this.ctx.lines.span(at, at + 2), [
            'escapes are \\" \\\\ \\n \\t \\r \\uXXXX; write \\\\ for a backslash, or use / in file paths',
          ]);
      }
    }
    return out;
  }

  /** The source text of a CST node (for hints). */
  source(node: Located | undefined): string {
    return node ? this.ctx.source.text.slice(startOf(node), endOf(node)) : '';
  }

  // ===========================================================================================
  // Statements

  statement(node: StatementCstNode): Statement {
    const c = node.children;
    if (c.assignmentOrExpression) return this.assignmentOrExpression(c.assignmentOrExpression[0], 'script');
    if (c.dataStatement) return this.dataStatement(c.dataStatement[0]);
    if (c.paramStatement) return this.paramStatement(c.paramStatement[0]);
    if (c.modelStatement) return this.modelStatement(c.modelStatement[0]);
    if (c.fitStatement) return this.fitStatement(c.fitStatement[0]);
    if (c.reportStatement) return this.reportStatement(c.reportStatement[0]);
    if (c.printStatement) return this.printStatement(c.printStatement[0]);
    if (c.saveStatement) return this.saveStatement(c.saveStatement[0]);
    if (c.plotStatement) return this.plotStatement(c.plotStatement[0]);
    if (c.odeStatement) return this.odeStatement(c.odeStatement[0]);
    return this.commandStatement(c.commandStatement![0]);
  }

  /**
   * `expr`, `name = expr`, `a, b = expr` or `g(u, s) = expr`. In model text (`mode` 'model') several
   * targets are an error.
   */
  assignmentOrExpression(
    node: AssignmentOrExpressionCstNode,
    mode: 'script' | 'model',
  ): AssignStatement | FunctionStatement | ExprStatement {
    const c = node.children;
    const span = this.span(node);
    const lhs = this.expression(c.target[0]);
    if (!c.Equals) return { kind: 'expr', value: lhs, span };
    const value = c.loadFile ? this.loadCall(c.loadWord![0], c.loadFile[0]) : this.expression(c.value![0]);
    const lhsHint =
      mode === 'model'
        ? "the left side of '=' must be a name (y = ...) or a function header (g(u, s) = ...)"
        : "the left side of '=' must be a name (y = ...), names (x, y = ...) or a function header (g(u, s) = ...)";
    if (c.moreTargets) {
      if (mode === 'model') {
        throw this.error(
          'an equation has one name on its left side',
          this.span(c.target[0], c.moreTargets.at(-1)!),
        );
      }
      if (lhs.kind !== 'sym') throw this.error('cannot assign to this', lhs.span!, [lhsHint]);
      const targets = [lhs.name, ...c.moreTargets.map(identifierName)];
      const targetSpans = [lhs.span!, ...c.moreTargets.map((t) => this.span(t))];
      const seen = new Set<string>();
      targets.forEach((t, i) => {
        if (seen.has(t)) throw this.error(`'${t}' is assigned twice`, targetSpans[i]);
        seen.add(t);
      });
      return { kind: 'assign', targets, targetSpans, value, span };
    }
    if (lhs.kind === 'sym')
      return { kind: 'assign', targets: [lhs.name], targetSpans: [lhs.span!], value, span };
    if (lhs.kind === 'call') {
      const params: string[] = [];
      for (const a of lhs.args) {
        if (a.kind !== 'sym') {
          throw this.error('a function parameter must be a name', a.span!, [
            `define a function like 'g(u, s) = exp(-u^2/(2*s^2))'`,
          ]);
        }
        if (params.includes(a.name)) throw this.error(`parameter '${a.name}' appears twice`, a.span!);
        params.push(a.name);
      }
      return {
        kind: 'function',
        name: lhs.fn,
        nameSpan: lhs.fnSpan!,
        params,
        paramSpans: lhs.args.map((a) => a.span!),
        body: value,
        span,
      };
    }
    throw this.error('cannot assign to this', lhs.span!, [lhsHint]);
  }

  /** `load "fit.json"` (a file name after the word, no parentheses) as the call `load("fit.json")`. */
  private loadCall(word: IToken, file: IToken): Expr {
    const fileSpan = this.span(file);
    const arg: Expr = { kind: 'str', value: this.string(file), span: fileSpan };
    return { kind: 'call', fn: 'load', args: [arg], span: this.span(word, file), fnSpan: this.span(word) };
  }

  private options(nodes: readonly KeyValueCstNode[] | undefined): OptionArg[] {
    const out: OptionArg[] = [];
    const seen = new Set<string>();
    for (const n of nodes ?? []) {
      const keyTok = n.children.key[0];
      const key = identifierName(keyTok);
      const keySpan = this.span(keyTok);
      if (seen.has(key)) throw this.error(`option '${key}' is given twice`, keySpan);
      seen.add(key);
      out.push({ key, value: this.expression(n.children.value[0]), span: this.span(n), keySpan });
    }
    return out;
  }

  private dataStatement(node: DataStatementCstNode): Statement {
    const c = node.children;
    const file = c.file[0];
    return {
      kind: 'data',
      file: this.string(file),
      fileSpan: this.span(file),
      options: this.options(c.keyValue),
      span: this.span(node),
    };
  }

  private paramStatement(node: ParamStatementCstNode): Statement {
    return {
      kind: 'param',
      decls: node.children.paramDeclaration.map((d) => this.paramDeclaration(d)),
      span: this.span(node),
    };
  }

  private paramDeclaration(node: ParamDeclarationCstNode): ParamDecl {
    const c = node.children;
    const nameTok = c.name[0];
    const bounds = c.bounds?.[0].children;
    return {
      name: identifierName(nameTok),
      nameSpan: this.span(nameTok),
      span: this.span(node),
      ...(c.length && { length: this.expression(c.length[0]) }),
      ...(c.value && { value: this.expression(c.value[0]) }),
      ...(bounds && { min: this.expression(bounds.min[0]), max: this.expression(bounds.max[0]) }),
      fixed: c.Fixed !== undefined,
    };
  }

  private modelStatement(node: ModelStatementCstNode): Statement {
    const c = node.children;
    return {
      kind: 'model',
      lhs: identifierName(c.lhs[0]),
      lhsSpan: this.span(c.lhs[0]),
      rhs: this.expression(c.rhs[0]),
      span: this.span(node),
    };
  }

  private fitStatement(node: FitStatementCstNode): Statement {
    return { kind: 'fit', options: this.options(node.children.keyValue), span: this.span(node) };
  }

  private reportStatement(node: ReportStatementCstNode): Statement {
    const c = node.children;
    return {
      kind: 'report',
      ...(c.mode && { mode: identifierName(c.mode[0]) }),
      options: this.options(c.keyValue),
      span: this.span(node),
    };
  }

  private printStatement(node: PrintStatementCstNode): Statement {
    return { kind: 'print', value: this.expression(node.children.value[0]), span: this.span(node) };
  }

  private saveStatement(node: SaveStatementCstNode): Statement {
    const c = node.children;
    const file = c.file![0]; // in both alternatives
    return {
      kind: 'save',
      ...(c.what && { what: this.expression(c.what[0]) }),
      file: this.string(file),
      fileSpan: this.span(file),
      options: this.options(c.keyValue),
      span: this.span(node),
    };
  }

  private plotStatement(node: PlotStatementCstNode): Statement {
    const c = node.children;
    const file = c.file[0];
    return {
      kind: 'plot',
      file: this.string(file),
      fileSpan: this.span(file),
      options: this.options(c.keyValue),
      span: this.span(node),
    };
  }

  private commandStatement(node: CommandStatementCstNode): Statement {
    const c = node.children;
    const nameTok = c.CommandKeyword[0];
    return {
      kind: 'command',
      name: nameTok.image as CommandName,
      nameSpan: this.span(nameTok),
      args: (c.argument ?? []).map((a) => this.expression(a)),
      options: this.options(c.keyValue),
      span: this.span(node),
    };
  }

  private odeStatement(node: OdeStatementCstNode): Statement {
    const equations = node.children.odeEquation.map((n) => this.odeEquation(n));
    return { kind: 'ode', equations, span: this.span(node) };
  }

  /** `D(A, t) = rhs`, `A(t0) = value` or `y = rhs`; any other left side is an error at it. */
  odeEquation(node: OdeEquationCstNode): OdeEquation {
    const c = node.children;
    const target = this.expression(c.target[0]);
    const value = this.expression(c.value[0]);
    const span = this.span(node);
    if (target.kind === 'sym')
      return { kind: 'output', lhs: target.name, lhsSpan: target.span!, rhs: value, span };
    if (target.kind === 'call' && target.fn === 'D') return this.derivative(target, value, span);
    if (target.kind === 'call' && target.args.length === 1) {
      const [time] = target.args;
      return { kind: 'initial', state: target.fn, stateSpan: target.fnSpan!, time, value, span };
    }
    throw this.error('cannot define this in an ODE system', target.span!, [ODE_LHS_HINT]);
  }

  private derivative(target: Extract<Expr, { kind: 'call' }>, rhs: Expr, span: SourceSpan): OdeEquation {
    const [state, variable] = target.args;
    if (target.args.length !== 2 || state.kind !== 'sym' || variable.kind !== 'sym') {
      throw this.error('a derivative is written D(state, variable)', target.span!, [
        'e.g. D(A, t) = -k*A: the derivative of the state A with respect to t',
      ]);
    }
    return {
      kind: 'derivative',
      state: state.name,
      stateSpan: state.span!,
      variable: variable.name,
      variableSpan: variable.span!,
      rhs,
      span,
    };
  }
}

const ODE_LHS_HINT =
  'the left side is a derivative D(A, t), an initial value A(0) or an output name (y = A + B)';

const NON_ASCII = /[\u0080-\uffff]/;

/** A name as written, in Unicode normal form C (so `é` typed either way is one name). */
export function identifierName(tok: IToken): string {
  return NON_ASCII.test(tok.image) ? tok.image.normalize('NFC') : tok.image;
}
