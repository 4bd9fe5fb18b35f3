/** A named model's help text (`:help gaussian`) from its table entry. */
import type { NamedModelDef } from './types.ts';
import { modelSignature } from './registry.ts';

/** The hints of a model as text: `sigma >= 0`, `gamma = sigma`, `fraction in [0, 1] (start 0.5)`. */
export function hintText(def: NamedModelDef): string[] {
  return Object.entries(def.hints ?? {}).map(([name, h]) => {
    if (h.expr !== undefined) return `${name} = ${h.expr} unless given`;
    const lo = h.min ?? -Infinity;
    const hi = h.max ?? Infinity;
    let bounds = '';
    if (Number.isFinite(lo) && Number.isFinite(hi)) bounds = ` in [${round(lo)}, ${round(hi)}]`;
    else if (Number.isFinite(lo)) bounds = ` >= ${round(lo)}`;
    else if (Number.isFinite(hi)) bounds = ` <= ${round(hi)}`;
    return `${name}${bounds}${h.value !== undefined ? ` (start ${h.value})` : ''}`;
  });
}

function round(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** The lines of `:help NAME` for a named model. */
export function modelHelp(def: NamedModelDef): string[] {
  const derived = Object.entries(def.derived ?? {}).map(([k, v]) => `${k} = ${v}`);
  const hints = hintText(def);
  return [
    `${modelSignature(def)}   (lmfit ${def.lmfit})`,
    `  ${def.doc}`,
    `  ${def.formula}`,
    `  parameters: ${def.params.join(', ')} (with a prefix p: p_${def.params[0]}, ...)`,
    ...(hints.length ? [`  bounds and ties: ${hints.join(', ')}`] : []),
    ...(derived.length ? [`  derived: ${derived.join('; ')}`] : []),
    `  start guess: ${def.guessText}`,
  ];
}
