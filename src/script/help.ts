/**
 * Help texts of the `.fit` statements, commands and functions, for the REPL's `:help` (and kept in step with
 * docs/cli.md).
 */
import { getFunction, functionNames } from '../functions/registry.ts';
import { closestMatches } from '../syntax/suggest.ts';
import { getScriptFunction, scriptFunctionNames } from './functions.ts';
import { FIT_OPTION_WORDS } from './fitting.ts';
import { commandNames, getCommand } from './statements.ts';
import { nameTable } from './nameMap.ts';

export interface StatementHelp {
  readonly summary: string;
  readonly usage: string;
}

export const STATEMENT_HELP: Readonly<Record<string, StatementHelp>> = nameTable({
  data: {
    summary: 'read a table and bind each column by its header name',
    usage: [
      'data "decay.csv"                 columns t, y, sigma, ... become arrays',
      'data "run2.csv" prefix=b_        columns become b_t, b_y, ...',
      'Options: prefix=..., delimiter=";", format=csv|tsv|text|json|npz, key=...',
      'Relative paths are relative to the script (in the REPL: the current folder).',
    ].join('\n'),
  },
  assign: {
    summary: 'NAME = EXPR: an array or number (element-wise with numpy broadcasting)',
    usage: [
      'img = load("spots.tif")          any supported file as an array',
      'x, y = grid(img)                 pixel-centre coordinates (x = column, y = row)',
      'u = linspace(-1, 1, 30)',
      'v = [1, 2, 3]                    array literals; [[1, 2], [3, 4]] is 2-D',
      'roi = img[10:20, 5:15]           slicing (0-based, stop excluded, negative from the end)',
      'ly = log(y)                      element-wise expressions',
      'g(u, s) = exp(-u^2/(2*s^2))      a function for later expressions and models',
    ].join('\n'),
  },
  param: {
    summary: 'declare fit parameters: start value, bounds, fixed, or tied to other parameters',
    usage: [
      'param A = 100 in [0, inf]        start value and bounds',
      'param x0 = 7, y0 = 7             several on one line',
      'param c = 10 fixed               held at its value',
      'param sy = 2*sx                  tied: the right side names another parameter',
      'param auto                       undeclared model names become parameters (start 1)',
      'After a fit, a parameter name in an expression gives its fitted value.',
    ].join('\n'),
  },
  model: {
    summary: 'model DATA = EXPR: the data named on the left is modelled by the expression',
    usage: [
      'model img = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + c',
      'model z = a*x + b                several model lines are fitted together (shared parameters)',
      'Other names become parameters (start 1) when no parameter is declared, or after param auto;',
      'once parameters are declared, an undeclared name is an error (a typo: did you mean ...?).',
      'The first model line after a fit starts a new model; a line for the same data replaces it.',
    ].join('\n'),
  },
  fit: {
    summary: 'fit the model to the data',
    usage: [
      'fit',
      'fit method=lm|lbfgsb|nelder sigma=s absolute_sigma=true loss=huber f_scale=1',
      '    estimator=lsq|poisson|likelihood nan=omit maxfev=1000 starts=10 seed=1',
      '    ftol=1e-10 xtol=1e-10 gtol=1e-10 max_iterations=200 sigma_NAME=... (sigma of one model line)',
      '    allow_warnings=true (accept a fit whose parameters the data do not determine: no exit status 3)',
      'Afterwards: fitted values as scalars, arrays model and residuals (data - model), report, save, plot.',
    ].join('\n'),
  },
  report: {
    summary: 'print the last fit: report (full), report brief, report json',
    usage: 'report\nreport brief\nreport json\nreport min_correlation=0.3',
  },
  print: {
    summary: 'print a value, or a summary of an array (shape, min, max, mean, values)',
    usage: 'print A\nprint img\nprint sum(residuals^2)',
  },
  save: {
    summary: 'save the last fit result (.json) or an array (.npy, .csv, .png heatmap, .json)',
    usage: [
      'save "result.json"               the last fit: params, stderr, chi2, covariance, ...',
      'save model to "model.npy"        any array: model, residuals, or a name',
      'save I to "heat.png" colormap=grey range=[0, 1]',
      'save img to "img16.png" png=grey16',
      'Files are written whole (temporary file, then renamed); missing folders are created.',
    ].join('\n'),
  },
  plot: {
    summary:
      'plot the last fit as .svg or .png (1-D: data, curve, residuals; 2-D: data, model, residual maps)',
    usage: [
      'plot "fit.svg"',
      'plot "fit.png" title="run 3" eq=y2 width=600',
      'plot "fit.svg" x=t               1-D data drawn against the variable t (default: the model\'s variable)',
      'x, y, z columns that fill a regular grid are drawn as maps; other data of several variables as data',
      'against model. A global fit draws every model line, one below the other (eq=NAME: only that one).',
    ].join('\n'),
  },
});

const KEYWORD_ALIASES: Readonly<Record<string, string>> = nameTable({ function: 'assign', '=': 'assign' });

/** Everything `:help` can show, for completion. */
export function helpTopics(): string[] {
  return [...Object.keys(STATEMENT_HELP), ...commandNames(), ...scriptFunctionNames(), ...functionNames()];
}

export const REPL_COMMANDS: Readonly<Record<string, string>> = nameTable({
  ':help': ':help [name]      help on a statement or function',
  ':vars': ':vars             the variables',
  ':params': ':params           the parameters (start, bounds, fitted values)',
  ':load': ':load FILE.fit    run a script in this session',
  ':reset': ':reset            forget all variables, parameters, models and fits',
  ':quit': ':quit             leave (or Ctrl-D)',
});

/** The overview shown by `:help` with no topic. */
export function overview(): string {
  const L: string[] = ['Statements:'];
  for (const [k, h] of Object.entries(STATEMENT_HELP)) L.push(`  ${k.padEnd(8)} ${h.summary}`);
  for (const c of commandNames()) L.push(`  ${c.padEnd(8)} ${getCommand(c)!.summary}`);
  L.push('  EXPR     a bare expression prints its value');
  L.push('', 'Commands:');
  for (const v of Object.values(REPL_COMMANDS)) L.push(`  ${v}`);
  L.push('', `Array functions: ${scriptFunctionNames().join(', ')}`);
  L.push(`Math functions: ${functionNames().join(', ')}`);
  L.push(
    'Constants: pi, e, inf, nan',
    '',
    ':help NAME shows one of them, e.g. :help fit, :help linspace, :help erf',
  );
  return L.join('\n');
}

/** Help on one topic, or undefined (with suggestions in `hint`). */
export function helpOn(topic: string): { text?: string; hint?: string } {
  const key = KEYWORD_ALIASES[topic] ?? topic;
  const st = STATEMENT_HELP[key];
  if (st) {
    let text = `${key}: ${st.summary}\n${st.usage}`;
    if (key === 'fit') {
      text +=
        '\nWords: ' +
        Object.entries(FIT_OPTION_WORDS)
          .map(([k, v]) => `${k}=${v.join('|')}`)
          .join(' ');
    }
    return { text };
  }
  const cmd = getCommand(topic);
  if (cmd) return { text: `${cmd.name}: ${cmd.summary}\n${cmd.help}` };
  const sf = getScriptFunction(topic);
  const def = getFunction(topic);
  if (sf || def) {
    const parts: string[] = [];
    if (sf) {
      parts.push(`${sf.signature}\n  ${sf.description}`);
      if (sf.examples?.length) parts.push(`  Examples: ${sf.examples.join('   ')}`);
    }
    if (def) {
      if (sf) parts.push('In models (element-wise):');
      parts.push(`${def.help.signature}\n  ${def.help.description}`);
      if (def.help.nonSmooth) parts.push(`  Derivative at non-smooth points: ${def.help.nonSmooth}`);
      if (def.help.examples.length) {
        parts.push(`  Examples: ${def.help.examples.map((x) => `${x.expr} = ${x.value}`).join('   ')}`);
      }
    }
    return { text: parts.join('\n') };
  }
  const close = closestMatches(topic, [...helpTopics(), ...Object.keys(REPL_COMMANDS)]);
  return { hint: close.length ? `did you mean '${close[0]}'?` : 'try :help for the list' };
}
