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
import type { OptionsSchema } from '../core/index.ts';
import { CONSTANTS, functionNames } from '../functions/index.ts';
import type { CommandDef, StatementDef, StatementTable } from '../script/index.ts';
import {
  declaredKey,
  helpTopics,
  type Interpreter,
  optionWords,
  REPL_COMMANDS,
  SCRIPT_CONSTANTS,
  scriptFunctionNames,
  scriptKeys,
} from '../script/node.ts';
import { STATEMENT_KEYWORDS } from '../../grammar/index.ts';

export type Completer = (line: string) => [string[], string];

/** What completes after a statement or command keyword: its options (`key=`) and words (`report brief`). */
interface OptionsAfter {
  readonly names: readonly string[];
  /** The words of an option value (`method=` → `lm`, ...). */
  wordsOf(key: string): readonly string[] | undefined;
}

/** Options declared by a schema, and words after the keyword (`report brief`). */
function schemaOptions(schema: OptionsSchema | undefined, words: readonly string[] = []): OptionsAfter {
  const names = [...words, ...(schema ? scriptKeys(schema).map((k) => `${k}=`) : [])];
  const wordsOf = (written: string) => {
    const key = schema && declaredKey(schema, written);
    return key ? optionWords(schema, key) : undefined;
  };
  return { names, wordsOf };
}

/** A command's options: a schema, or (commands registered with names) names and words. */
function commandOptions(def: CommandDef): OptionsAfter {
  const options = def.options;
  if (options === undefined || !Array.isArray(options)) return schemaOptions(options as OptionsSchema);
  return { names: options.map((o: string) => `${o}=`), wordsOf: (k) => own(def.words, k) };
}

/** The options after `first`, the first word of the line (a statement keyword or a command), if any. */
function optionsAfter(table: StatementTable, first: string | undefined): OptionsAfter | undefined {
  if (first === undefined) return undefined;
  const command = table.commands.get(first);
  if (command) return commandOptions(command);
  const def = own(table.statements as Readonly<Record<string, StatementDef>>, first);
  return def && (def.options || def.words) ? schemaOptions(def.options, def.words) : undefined;
}

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
      const topics = [...new Set([...helpTopics(interp.table), ...Object.keys(REPL_COMMANDS)])].sort();
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

    // key=word (statement options, then a command's own option words, e.g. spots model=)
    const first = /^\s*([\p{L}_][\p{L}\p{Nd}_]*)/u.exec(line)?.[1];
    const command = first !== undefined ? interp.table.commands.get(first) : undefined;
    const options = optionsAfter(interp.table, first);
    const kv = /([\p{L}_][\p{L}\p{Nd}_]*)=([\p{L}_\d]*)$/u.exec(line);
    const kvWords = kv ? options?.wordsOf(kv[1]) : undefined;
    if (kv && kvWords) return [kvWords.filter((w) => w.startsWith(kv[2])), kv[2]];

    const m = /[\p{L}_][\p{L}\p{M}\p{Nd}_]*$/u.exec(line);
    const word = m ? m[0] : '';
    const before = line.slice(0, line.length - word.length);
    const candidates = new Set<string>();
    if (/^\s*$/.test(before)) {
      for (const k of STATEMENT_KEYWORDS) candidates.add(k);
      for (const k of interp.table.commands.keys()) candidates.add(k);
    }
    // options after `fit`, `report`, `set`, and after the file name of `data`, `plot`, `save`
    const atOption =
      first !== undefined &&
      first !== word &&
      options !== undefined &&
      /\s$/.test(before) &&
      (['fit', 'report', 'set'].includes(first) ||
        quotes === 2 ||
        (command !== undefined && (command.optionsOnly || before.trim().split(/\s+/).length >= 2)));
    if (atOption) {
      for (const o of options.names) candidates.add(o);
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
