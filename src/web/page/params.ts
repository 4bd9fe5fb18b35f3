/**
 * The parameters panel: per parameter a labelled slider, a number box, lower and upper bounds and a "fixed"
 * toggle, in tab order. `onChange(name, redrawOnly)` tells the page what changed.
 */
import type { ParamState } from './state.ts';
import { sliderRange } from './state.ts';

const SLIDER_STEPS = 1000;

/** A bound as typed: empty or inf is unbounded; NaN when it is not a number. */
function parseBound(text: string, unbounded: number): number {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'inf' || t === '+inf' || t === '-inf') return unbounded;
  return Number(t);
}

const boundText = (v: number): string => (Number.isFinite(v) ? String(v) : '');

function input(attrs: Record<string, string>): HTMLInputElement {
  const el = document.createElement('input');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function cell(...children: HTMLElement[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(...children);
  return td;
}

/** The slider's range and step for `p`, and its position. */
function setSlider(slider: HTMLInputElement, p: ParamState): void {
  const [lo, hi] = sliderRange(p);
  slider.min = String(lo);
  slider.max = String(hi);
  slider.step = String((hi - lo) / SLIDER_STEPS || 'any');
  slider.value = String(p.value);
}

type ParamChange = (name: string) => void;

/** One row; its inputs write into `p` and call `changed`. */
function paramRow(name: string, p: ParamState, changed: ParamChange): HTMLTableRowElement {
  const id = `p-${name}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = name;
  const th = document.createElement('th');
  th.scope = 'row';
  th.append(label);
  const slider = input({ type: 'range', id: `${id}-slider`, 'aria-label': `${name} slider` });
  const box = input({ type: 'number', id, step: 'any', value: String(p.value) });
  const min = input({
    type: 'text',
    inputmode: 'decimal',
    'aria-label': `${name} lower bound`,
    placeholder: '-inf',
    value: boundText(p.min),
    size: '6',
  });
  const max = input({
    type: 'text',
    inputmode: 'decimal',
    'aria-label': `${name} upper bound`,
    placeholder: 'inf',
    value: boundText(p.max),
    size: '6',
  });
  const fixed = input({ type: 'checkbox', id: `${id}-fixed` });
  fixed.checked = p.fixed;
  const fixedLabel = document.createElement('label');
  fixedLabel.htmlFor = fixed.id;
  fixedLabel.textContent = 'fixed';
  setSlider(slider, p);
  slider.addEventListener('input', () => {
    p.value = Number(slider.value);
    box.value = slider.value;
    changed(name);
  });
  box.addEventListener('change', () => {
    const v = Number(box.value);
    if (box.value.trim() === '' || !Number.isFinite(v)) return box.setCustomValidity('not a number');
    box.setCustomValidity('');
    p.value = v;
    setSlider(slider, p);
    changed(name);
  });
  const bound = (el: HTMLInputElement, side: 'min' | 'max'): void => {
    el.addEventListener('change', () => {
      const v = parseBound(el.value, side === 'min' ? -Infinity : Infinity);
      if (Number.isNaN(v))
        return el.setCustomValidity(
          `${name}: the ${side === 'min' ? 'lower' : 'upper'} bound is not a number`,
        );
      el.setCustomValidity('');
      p[side] = v;
      setSlider(slider, p);
      changed(name);
    });
  };
  bound(min, 'min');
  bound(max, 'max');
  fixed.addEventListener('change', () => {
    p.fixed = fixed.checked;
    changed(name);
  });
  const row = document.createElement('tr');
  row.append(th, cell(slider), cell(box), cell(min), cell(max), cell(fixed, fixedLabel));
  return row;
}

/** A tied parameter's row: its tie instead of the controls. */
function tiedRow(name: string, expr: string): HTMLTableRowElement {
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = name;
  const td = document.createElement('td');
  td.colSpan = 5;
  td.textContent = `= ${expr} (tied)`;
  const row = document.createElement('tr');
  row.append(th, td);
  return row;
}

/** Rebuilds the rows of `body` for `params`. */
export function renderParams(
  body: HTMLElement,
  params: ReadonlyMap<string, ParamState>,
  changed: ParamChange,
): void {
  body.replaceChildren(
    ...[...params].map(([name, p]) =>
      p.expr !== undefined ? tiedRow(name, p.expr) : paramRow(name, p, changed),
    ),
  );
}

/** Moves the sliders and boxes to the values of `params` (after a fit). */
export function showValues(body: HTMLElement, params: ReadonlyMap<string, ParamState>): void {
  for (const [name, p] of params) {
    const slider = body.querySelector<HTMLInputElement>(`#p-${CSS.escape(name)}-slider`);
    const box = body.querySelector<HTMLInputElement>(`#p-${CSS.escape(name)}`);
    if (slider) setSlider(slider, p);
    if (box) box.value = String(p.value);
  }
}
