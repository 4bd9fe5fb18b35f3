/**
 * The web page (src/web/page/index.html): data, the model editor, the parameters panel, the plot, the fit in a
 * Web Worker, the report and the downloads. State in {@link PageState}; each part redraws from it.
 */
import { ExprfitError } from '../../core/index.ts';
import type { FitResultJSON } from '../../fit/index.ts';
import type { Model } from '../../model/index.ts';
import type { SessionJSON } from '../protocol.ts';
import { readDataFile } from './files.ts';
import { fitInWorker, type FitDone } from './fitClient.ts';
import { renderParams, showValues } from './params.ts';
import { PlotView } from './plotView.ts';
import { curvePoints, curveVariable, previewSpecs, type FittedBand } from './preview.ts';
import { showReport } from './report.ts';
import { sessionScript } from './script.ts';
import { SCRIPT_SIGMA, sigmaChoices, withSigma } from './sigma.ts';
import {
  fitRequest,
  modelParams,
  paramValues,
  startParam,
  stateFromSession,
  syncParams,
  tryParseModel,
  type PageState,
} from './state.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const page = {
  state: { data: {}, source: '', model: '', params: new Map(), options: {} } as PageState,
  model: undefined as Model | undefined,
  session: undefined as SessionJSON | undefined,
  band: undefined as FittedBand | undefined,
  result: undefined as FitDone | undefined,
  fitting: undefined as AbortController | undefined,
  plot: undefined as PlotView | undefined,
};

function setStatus(text: string): void {
  $('status').textContent = text;
}

/** The error's text with its position (line, column, the line and a caret). */
function describe(e: unknown): string {
  if (e instanceof ExprfitError) return e.format();
  return e instanceof Error ? e.message : String(e);
}

/** Why nothing is drawn: no equation's left-hand side names data. */
function noDataMessage(model: Model): string {
  const names = Object.keys(page.state.data);
  const lhs = model.equations.map((q) => `'${q.lhs}'`).join(', ');
  if (!names.length) return 'no data yet: choose a data file or drop one on the page';
  return `the model's left-hand side ${lhs} is not in the data (${names.join(', ')}): write it as one of them`;
}

let drawing: Promise<void> | undefined;
let again = false;

/** Redraws the plot from the state; calls during a draw coalesce into one more. */
function redraw(): void {
  if (drawing) {
    again = true;
    return;
  }
  drawing = draw().finally(() => {
    drawing = undefined;
    if (again) {
      again = false;
      redraw();
    }
  });
}

async function draw(): Promise<void> {
  const plotEl = $('plot');
  try {
    const specs = page.model
      ? previewSpecs(page.model, page.state, paramValues(page.state.params), page.band)
      : [];
    if (!specs.length) {
      page.plot?.clear();
      $('plot-error').textContent = page.model ? noDataMessage(page.model) : '';
      return;
    }
    const width = Math.max(280, Math.min(640, plotEl.clientWidth - 140));
    await page.plot!.draw(specs, width);
    $('plot-error').textContent = '';
  } catch (e) {
    $('plot-error').textContent = describe(e);
  }
  plotEl.dataset.draws = String(Number(plotEl.dataset.draws ?? 0) + 1);
}

/** A parameter moved: the fitted band no longer belongs to the curve. */
function paramChanged(): void {
  page.band = undefined;
  redraw();
}

/** Parses the editor's model: shows its positioned error, or updates the parameters. */
function modelChanged(): void {
  const text = ($('model') as HTMLTextAreaElement).value;
  page.state.model = text;
  const parsed = tryParseModel(text);
  const errorEl = $('model-error');
  if ('error' in parsed) {
    errorEl.textContent = describe(parsed.error);
    $('model').setAttribute('aria-invalid', 'true');
    ($('fit') as HTMLButtonElement).disabled = true;
    return;
  }
  errorEl.textContent = '';
  $('model').removeAttribute('aria-invalid');
  ($('fit') as HTMLButtonElement).disabled = !!page.fitting;
  page.model = parsed.model;
  sigmaChanged();
  const names = modelParams(parsed.model, page.state.data);
  const same = names.join() === [...page.state.params.keys()].join();
  page.state.params = syncParams(page.state.params, names);
  if (!same) renderParams($('params-body'), page.state.params, paramChanged);
  paramChanged();
}

/** Replaces the session: data, model, parameters and options. */
function setState(state: PageState): void {
  page.state = state;
  page.result = undefined;
  page.band = undefined;
  $('source').textContent = state.source;
  ($('model') as HTMLTextAreaElement).value = state.model;
  $('report').replaceChildren();
  ($('download-json') as HTMLButtonElement).disabled = true;
  renderParams($('params-body'), state.params, paramChanged);
  showSigmaChoices();
  modelChanged();
}

/** The served script's sigma option (JSON) while its data are shown, for the "as in the script" choice. */
function scriptSigma(): unknown {
  return page.session?.file === page.state.source ? page.session.options.sigma : undefined;
}

/** The sigma choices of the data; the script's sigma chosen when it had one. */
function showSigmaChoices(): void {
  const select = $('sigma') as HTMLSelectElement;
  const choices = sigmaChoices(page.state, scriptSigma());
  select.replaceChildren(...choices.map(([value, label]) => new Option(label, value)));
  select.value = page.state.options.sigma !== undefined ? SCRIPT_SIGMA : '';
  ($('absolute-sigma') as HTMLInputElement).checked = page.state.options.absoluteSigma === true;
}

/** The fit options from the sigma controls. */
function sigmaChanged(): void {
  const choice = ($('sigma') as HTMLSelectElement).value;
  const options = withSigma(page.state, page.model, choice, scriptSigma());
  const absolute = ($('absolute-sigma') as HTMLInputElement).checked;
  page.state.options = { ...options, absoluteSigma: absolute };
}

async function loadFile(file: File): Promise<void> {
  try {
    const loaded = await readDataFile(file.name, new Uint8Array(await file.arrayBuffer()));
    const params = new Map(Object.entries(loaded.starts).map(([n, v]) => [n, startParam(v)]));
    const { data, model, load } = loaded;
    setState({ data, source: file.name, model, params, options: {}, load });
    setStatus(`loaded ${file.name}`);
  } catch (e) {
    setStatus(describe(e));
  }
}

/** The band's points: the curve of the first equation, when it is 1-D. */
function bandPoints(): { lhs: string; variable: string; values: Float64Array } | undefined {
  const eq = page.model?.equations.find((q) => Object.hasOwn(page.state.data, q.lhs));
  const variable = eq && curveVariable(eq, page.state.data);
  return eq && variable
    ? { lhs: eq.lhs, variable, values: curvePoints(page.state.data[variable]) }
    : undefined;
}

function fitFinished(done: FitDone, at: ReturnType<typeof bandPoints>): void {
  page.result = done;
  for (const [name, p] of Object.entries(done.result.params)) {
    const s = page.state.params.get(name);
    if (s) s.value = p.value;
  }
  showValues($('params-body'), page.state.params);
  showReport($('report'), done.result, done.report);
  ($('download-json') as HTMLButtonElement).disabled = false;
  page.band = at && done.band ? { lhs: at.lhs, x: at.values, halfWidth: done.band } : undefined;
  redraw();
  setStatus(done.result.success ? 'fit converged' : `fit did not converge: ${done.result.message}`);
}

async function runFit(): Promise<void> {
  if (!page.model || page.fitting) return;
  const controller = new AbortController();
  page.fitting = controller;
  fittingUi(true);
  const at = bandPoints();
  try {
    const url = new URL('./worker.js', import.meta.url);
    const done = await fitInWorker(url, fitRequest(page.state, page.model, at), {
      signal: controller.signal,
      onProgress: (d, total) =>
        setStatus(total === Infinity ? `fitting: iteration ${d}` : `fitting: ${d} of ${total}`),
    });
    fitFinished(done, at);
  } catch (e) {
    setStatus(controller.signal.aborted ? 'fit cancelled' : `fit failed: ${describe(e)}`);
  } finally {
    page.fitting = undefined;
    fittingUi(false);
  }
}

function fittingUi(on: boolean): void {
  ($('fit') as HTMLButtonElement).disabled = on || $('model').hasAttribute('aria-invalid');
  ($('cancel') as HTMLButtonElement).disabled = !on;
  $('progress').hidden = !on;
  if (on) setStatus('fitting…');
}

function download(name: string, text: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const stem = (): string => page.state.source.replace(/\.[^.]*$/, '') || 'session';

function downloadResult(): void {
  const r: FitResultJSON | undefined = page.result?.result;
  if (r) download(`${stem()}-result.json`, `${JSON.stringify(r, null, 2)}\n`, 'application/json');
}

function downloadScript(): void {
  try {
    download(`${stem()}-session.fit`, sessionScript(page.state), 'text/plain');
  } catch (e) {
    setStatus(describe(e));
  }
}

function wireDrop(): void {
  const zone = document.body;
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    const file = e.dataTransfer?.files[0];
    if (file) loadFile(file).catch(() => {});
  });
}

function wire(): void {
  $('model').addEventListener('input', modelChanged);
  for (const id of ['sigma', 'absolute-sigma']) {
    $(id).addEventListener('change', () => {
      sigmaChanged();
      paramChanged();
    });
  }
  $('file').addEventListener('change', () => {
    const file = ($('file') as HTMLInputElement).files?.[0];
    if (file) loadFile(file).catch(() => {});
  });
  $('script-data').addEventListener('click', () => page.session && setState(stateFromSession(page.session)));
  $('fit').addEventListener('click', () => runFit().catch(() => {}));
  $('cancel').addEventListener('click', () => page.fitting?.abort());
  $('download-json').addEventListener('click', downloadResult);
  $('download-script').addEventListener('click', downloadScript);
  window.addEventListener('resize', redraw);
  wireDrop();
}

/** The served script's session (`exprfit serve script.fit`); none on a static host. */
async function loadSession(): Promise<void> {
  const res = await fetch('session.json').catch(() => undefined);
  if (!res?.ok) return setStatus('load a data file: choose one or drop it on the page');
  page.session = (await res.json()) as SessionJSON;
  $('script-data').hidden = false;
  setState(stateFromSession(page.session));
  setStatus(`loaded ${page.session.file}`);
}

function start(): void {
  page.plot = new PlotView($('plot'));
  wire();
  loadSession().catch((e) => setStatus(describe(e)));
}

start();
