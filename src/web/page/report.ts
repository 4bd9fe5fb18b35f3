/** The fit's report on the page: a table of values, the statistics, the warnings and lmfit's text report. */
import type { FitResultJSON } from '../../fit/index.ts';

const fmt = (v: number | null, digits = 6): string =>
  v === null || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString();

function row(cells: string[], header = false): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const [i, text] of cells.entries()) {
    const c = document.createElement(header || i === 0 ? 'th' : 'td');
    if (header) c.setAttribute('scope', 'col');
    else if (i === 0) c.setAttribute('scope', 'row');
    c.textContent = text;
    tr.append(c);
  }
  return tr;
}

function valuesTable(r: FitResultJSON): HTMLTableElement {
  const table = document.createElement('table');
  table.id = 'values';
  const caption = table.createCaption();
  caption.textContent = `${r.success ? 'converged' : 'NOT converged'} (${r.termination}), ${r.nfev} evaluations`;
  table.append(row(['parameter', 'value', 'stderr', 'start'], true));
  for (const [name, p] of Object.entries(r.params)) {
    table.append(row([name, fmt(p.value, 8), p.fixed ? 'fixed' : fmt(p.stderr, 3), fmt(p.init)]));
  }
  return table;
}

function statsList(r: FitResultJSON): HTMLElement {
  const dl = document.createElement('dl');
  const items: [string, string][] = [
    ['χ²', fmt(r.chi2)],
    ['reduced χ²', fmt(r.redchi)],
    ['R²', fmt(r.r2)],
    ['data points', String(r.ndata)],
  ];
  for (const [k, v] of items) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
  return dl;
}

function warningsList(r: FitResultJSON): HTMLElement {
  const ul = document.createElement('ul');
  ul.className = 'warnings';
  for (const w of r.warnings) {
    const li = document.createElement('li');
    li.textContent = `warning: ${w.message}`;
    ul.append(li);
  }
  if (!r.success) {
    const li = document.createElement('li');
    li.textContent = `the fit did not converge: ${r.message}`;
    ul.append(li);
  }
  return ul;
}

/** Fills `el` with the report of `r` (`text`: FitResult.report()). */
export function showReport(el: HTMLElement, r: FitResultJSON, text: string): void {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Full report';
  const pre = document.createElement('pre');
  pre.textContent = text;
  details.append(summary, pre);
  el.replaceChildren(valuesTable(r), statsList(r), warningsList(r), details);
}
