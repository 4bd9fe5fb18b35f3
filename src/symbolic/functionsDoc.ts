/**
 * Renders docs/functions.md from the registry (help text, examples, derivative conventions) and the
 * operator table. `scripts/gen-functions-doc.ts` writes the file; a test checks that it is up to date.
 */
import { call, printExpr, sym } from '../ast/index.ts';
import {
  argumentNames,
  BINARY_OPERATORS,
  type FunctionDef,
  functionNames,
  getFunction,
  MAX_INLINE_POWER,
  UNARY_OPERATORS,
} from '../functions/index.ts';
import { differentiate } from './differentiate.ts';

const CATEGORY_ORDER = [
  'Exponentials, logarithms and powers',
  'Trigonometric functions',
  'Hyperbolic functions',
  'Special functions',
  'Piecewise functions and conditionals',
];

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/**
 * The partial derivatives of a builtin, produced by its own derivative rule and simplified (not written
 * by hand, so the page cannot drift from the code).
 */
function derivativeLine(def: FunctionDef): string {
  const args = argumentNames(def);
  const expr = call(
    def.name,
    args.map((a) => sym(a)),
  );
  const parts = args.map((a, i) => {
    if (def.integerArgs?.includes(i)) return `\`${a}\` is an integer order: derivative 0`;
    if (def.noDerivativeArgs?.includes(i)) return `\`${a}\`: no closed form (an error if \`${a}\` is fitted)`;
    return `\`d/d${a} = ${cell(printExpr(differentiate(expr, a)))}\``;
  });
  return `**Derivative:** ${parts.join('; ')}.`;
}

function renderFunction(def: FunctionDef): string[] {
  const out: string[] = [];
  out.push(`### \`${def.name}\``, '');
  out.push(`\`${def.help.signature}\``, '');
  out.push(def.help.description, '');
  if (def.aliasOf) out.push(`Another name for \`${def.aliasOf}\` (simplify rewrites it).`, '');
  out.push(derivativeLine(def), '');
  if (def.help.nonSmooth) out.push(`**Derivative at non-smooth points:** ${def.help.nonSmooth}`, '');
  out.push('| Example | Value |', '| --- | --- |');
  for (const ex of def.help.examples) out.push(`| \`${cell(ex.expr)}\` | ${formatValue(ex.value)} |`);
  out.push('');
  return out;
}

/** The complete text of docs/functions.md. */
export function renderFunctionsDoc(): string {
  const defs = functionNames().map((n) => getFunction(n)!);
  const lines: string[] = [
    '# Builtin functions and operators',
    '',
    '<!-- Generated from the registry (src/functions) by `npx tsx scripts/gen-functions-doc.ts`. Do not edit. -->',
    '',
    'Every builtin has a derivative rule, so any model built from them can be differentiated symbolically.',
    'Every example below is run as a test.',
    '',
    '## Operators',
    '',
    'Precedence, loosest first: `or` < `and` < `not` < comparisons < `+ -` < `* /` < unary minus < `^`.',
    '`^` (also written `**`) is right-associative and binds tighter than unary minus: `-x^2` is `-(x^2)`,',
    '`2^-x^2` is `2^(-(x^2))`. Comparisons do not chain (`a < b < c` is an error).',
    '',
    '| Operator | Meaning |',
    '| --- | --- |',
  ];
  for (const op of Object.values(BINARY_OPERATORS))
    lines.push(`| \`${cell(op.op)}\` | ${cell(op.description)} |`);
  for (const op of Object.values(UNARY_OPERATORS)) {
    lines.push(`| \`${op.op}\` (prefix) | ${cell(op.description)} |`);
  }
  lines.push(
    '',
    'Truth values: comparisons and `and`, `or`, `not` give 1 (true) or 0 (false). A condition is true when it',
    'is non-zero; NaN is non-zero and therefore true (`if(0/0, a, b)` is `a`), while every comparison with NaN',
    'is false except `!=`.',
    '',
    `Powers with a literal integer exponent \`n\`, \`|n| <= ${MAX_INLINE_POWER}\`, are computed by multiplication`,
    '(`x^2` is `x*x`, `x^-2` is `1/(x*x)`) in compiled kernels and in the reference evaluator alike; other',
    'powers use `Math.pow`.',
    '',
    '## Constants',
    '',
    '| Name | Value |',
    '| --- | --- |',
    `| \`pi\` | ${Math.PI} |`,
    `| \`e\` | ${Math.E} |`,
    '',
    'A parameter, variable or function argument with the same name shadows a constant: in a model with a',
    'parameter `e`, the name `e` means that parameter. Symbolic simplification never replaces `pi` or `e` by',
    'their values for that reason, and derivative rules write their constants as numbers.',
    '',
    '## Derivatives at non-smooth points',
    '',
    'Models are differentiated symbolically. Where a function is not differentiable, exprfit uses these',
    'conventions (chosen so that a fit never sees NaN from a kink):',
    '',
  );
  for (const def of defs) {
    if (def.help.nonSmooth) lines.push(`- \`${def.name}\`: ${def.help.nonSmooth}`);
  }
  lines.push(
    '- comparisons, `and`, `or`, `not`: derivative 0.',
    "- `u^v`: when `v` does not depend on the variable the rule is `v*u^(v-1)*u'`, valid for negative `u`",
    "  (`(x - b)^2`); otherwise `u^v*(v'*log(u) + v*u'/u)`, which needs `u > 0`. `0^v` counts as constant.",
    '',
  );
  for (const category of CATEGORY_ORDER) {
    const members = defs.filter((d) => d.category === category);
    if (members.length === 0) continue;
    lines.push(`## ${category}`, '');
    for (const def of members) lines.push(...renderFunction(def));
  }
  const other = defs.filter((d) => !CATEGORY_ORDER.includes(d.category ?? ''));
  if (other.length > 0) {
    lines.push('## Other functions', '');
    for (const def of other) lines.push(...renderFunction(def));
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}
