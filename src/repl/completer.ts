/**
 * Tab completion for the REPL: `:commands`, help topics after `:help`, file names inside quotes (and after
 * `:load`), option names and words after `fit`/`save`/`plot`, and otherwise statement keywords (at the start
 * of a line), functions, parameters, variables and the constants (`pi`, `e`, `inf`, `nan`).
 *
 * The node:readline contract: `[hits, word]`, where `word` is the text before the cursor being completed and
 * every hit starts with it (readline inserts their common prefix, and lists the hits on a second Tab). With no
 * word typed yet in an expression (after `(`, an operator, `exp(`), the hits are the session's own names and
 * the constants, not the hundreds of builtin functions: type a letter to see those.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONSTANTS, functionNames } from '../functions/registry.ts';
import { STATEMENT_KEYWORDS } from '../syntax/index.ts';
import { SCRIPT_CONSTANTS } from '../script/evaluate.ts';
import { FIT_OPTIONS, FIT_OPTION_WORDS } from '../script/fitting.ts';
import { scriptFunctionNames } from '../script/functions.ts';
import { REPL_COMMANDS, helpTopics } from '../script/help.ts';
import type { Interpreter } from '../script/interpreter.ts';
import { commandNames, getCommand } from '../script/statements.ts';
import { PLOT_OPTIONS } from '../script/plot.ts';

export type Completer = (line: string) => [string[], string];

const OPTIONS_OF: Readonly<Record<string, readonly string[]>> = {
  fit: Object.keys(FIT_OPTIONS),
  plot: PLOT_OPTIONS,
  save: ['name', 'colormap', 'png', 'range'],
  data: ['prefix', 'delimiter', 'format', 'key'],
  report: ['brief', 'json', 'min_correlation'],
  set: ['digits'],
};

const WORDS_OF: Readonly<Record<string, readonly string[]>> = {
  ...FIT_OPTION_WORDS,
  png: ['heatmap', 'grey16'],
  colormap: ['viridis', 'grey'],
};

/** The named constants of expressions: `pi`, `e` (the registry) and `inf`, `nan` (scripts). */
const CONSTANT_NAMES: readonly string[] = [...Object.keys(CONSTANTS), ...Object.keys(SCRIPT_CONSTANTS)];

/** `table[key]` for own keys only (a line may start with `constructor` or `toString`). */
function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** File names starting with `prefix` (relative to `baseDir`); folders end with `/`. */
export function completeFiles(prefix: string, baseDir: string): string[] {
  const slash = prefix.lastIndexOf('/');
  const dirPart = slash >= 0 ? prefix.slice(0, slash + 1) : '';
  const base = slash >= 0 ? prefix.slice(slash + 1) : prefix;
  const dir = resolve(baseDir, dirPart || '.');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    if (!n.startsWith(base) || (n.startsWith('.') && !base.startsWith('.'))) continue;
    let isDir = false;
    try {
      isDir = statSync(join(dir, n)).isDirectory();
    } catch {
      // a broken link: offer it as a file
    }
    out.push(`${dirPart}${n}${isDir ? '/' : ''}`);
  }
  return out;
}

/** The completer of a session; `baseDir` is where relative file names point. */
export function makeCompleter(interp: Interpreter, baseDir: string = process.cwd()): Completer {
  return (line: string): [string[], string] => {
    // REPL commands
    const cmd = /^\s*(:\w*)$/.exec(line);
    if (cmd) return [Object.keys(REPL_COMMANDS).filter((c) => c.startsWith(cmd[1])), cmd[1]];
    const help = /^\s*:help\s+(\S*)$/.exec(line);
    if (help) {
      const topics = [...new Set([...helpTopics(), ...Object.keys(REPL_COMMANDS)])].sort();
      return [topics.filter((t) => t.startsWith(help[1])), help[1]];
    }
    const load = /^\s*:load\s+"?([^"]*)$/.exec(line);
    if (load) return [completeFiles(load[1], baseDir), load[1]];

    // inside a string: file names
    const quotes = (line.match(/"/g) ?? []).length;
    if (quotes % 2 === 1) {
      const prefix = line.slice(line.lastIndexOf('"') + 1);
      return [completeFiles(prefix, baseDir), prefix];
    }

    // key=word (a command's own option words, e.g. spots estimator=, then those of the statements)
    const lead = /^\s*([\p{L}_][\p{L}\p{Nd}_]*)/u.exec(line)?.[1];
    const command = lead !== undefined ? getCommand(lead) : undefined;
    const kv = /([\p{L}_][\p{L}\p{Nd}_]*)=([\p{L}_\d]*)$/u.exec(line);
    const kvWords = kv ? (own(command?.words, kv[1]) ?? own(WORDS_OF, kv[1])) : undefined;
    if (kv && kvWords) return [kvWords.filter((w) => w.startsWith(kv[2])), kv[2]];

    const m = /[\p{L}_][\p{L}\p{M}\p{Nd}_]*$/u.exec(line);
    const word = m ? m[0] : '';
    const before = line.slice(0, line.length - word.length);
    const first = /^\s*([\p{L}_][\p{L}\p{Nd}_]*)/u.exec(line)?.[1];
    const candidates = new Set<string>();
    if (/^\s*$/.test(before)) {
      for (const k of STATEMENT_KEYWORDS) candidates.add(k);
      for (const k of commandNames()) candidates.add(k);
    }
    // options after `fit`, `report`, `set`, and after the file name of `data`, `plot`, `save`
    const optionNames = first !== undefined ? (own(OPTIONS_OF, first) ?? command?.options) : undefined;
    const atOption =
      first !== undefined &&
      first !== word &&
      optionNames !== undefined &&
      /\s$/.test(before) &&
      (['fit', 'report', 'set'].includes(first) ||
        quotes === 2 ||
        (command !== undefined && before.trim().split(/\s+/).length >= 2));
    if (atOption) {
      for (const o of optionNames)
        candidates.add(first === 'report' && o !== 'min_correlation' ? o : `${o}=`);
      return [[...candidates].filter((c) => c.startsWith(word)).sort(), word];
    }
    for (const n of interp.variables.keys()) candidates.add(n);
    for (const n of interp.params.keys()) candidates.add(n);
    for (const n of interp.functions.keys()) candidates.add(`${n}(`);
    for (const c of CONSTANT_NAMES) candidates.add(c);
    if (word !== '') {
      for (const n of scriptFunctionNames()) candidates.add(`${n}(`);
      for (const n of functionNames()) candidates.add(`${n}(`);
    }
    const hits = [...candidates].filter((c) => c.startsWith(word)).sort();
    return [hits, word];
  };
}
