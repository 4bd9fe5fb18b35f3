/** `:guess`: the start values the next fit gives the named models of the session's model lines. */
import { printExpr } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { withNamedModelParams } from '../fit/index.ts';
import { type EquationModelUse, type ParamInput, scalarInputs } from '../model/index.ts';
import { formatScalar, type InterpreterState } from '../script/index.ts';
import { assembleModel } from '../script/node.ts';

/** How a use is written: `gaussian(x; g1)`. */
function useText(u: EquationModelUse): string {
  const prefix = u.prefix ? `; ${u.prefix.slice(0, -1)}` : '';
  return `${u.def.name}(${u.args.map(printExpr).join(', ')}${prefix})`;
}

/** One parameter's start: `= 3.2 in [0, inf]`, `= g1_sigma` (a tie), with `(given)` for the user's own. */
function startText(spec: ParamInput | undefined, given: boolean): string {
  const f = (v: number): string => formatScalar(v, 6);
  if (spec === undefined) return 'no guess';
  if (typeof spec === 'number') return `${f(spec)}${given ? ' (given)' : ''}`;
  if (spec.expr !== undefined) return `= ${spec.expr}`;
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  const value = spec.value === undefined ? 'no guess' : f(spec.value);
  const bounds = Number.isFinite(lo) || Number.isFinite(hi) ? ` in [${f(lo)}, ${f(hi)}]` : '';
  return `${value}${bounds}${given ? ' (given)' : ''}`;
}

/** The text of `:guess`: per named model of the model lines, each parameter's start from the data. */
export async function guessText(interp: InterpreterState): Promise<string> {
  if (!interp.models.length) {
    throw new ExprfitError('usage', ':guess needs a model line first', {
      hints: ['e.g. model y = gaussian(x; g1) + gaussian(x; g2) + linear(x)'],
    });
  }
  const asm = await assembleModel(interp, interp.models, false);
  const uses = asm.model.namedModels ?? [];
  if (!uses.length) return 'the model uses no named model (such as gaussian(x; g1)): nothing to guess';
  const params = withNamedModelParams(asm.model, new Map(Object.entries(asm.data)), scalarInputs(asm.params));
  const width = Math.max(...uses.flatMap((u) => u.params.map((p) => p.length)));
  const lines: string[] = [];
  for (const u of uses) {
    lines.push(`${u.lhs}: ${useText(u)}`);
    for (const p of u.params)
      lines.push(`  ${p.padEnd(width)}  ${startText(params[p], declared(interp, p))}`);
  }
  return lines.join('\n');
}

/** Whether the user declared `name` with `param` (rather than a fit noting it). */
function declared(interp: InterpreterState, name: string): boolean {
  const p = interp.params.get(name);
  return p !== undefined && !p.implicit;
}
