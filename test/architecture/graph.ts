/**
 * The module graph of src/ and grammar/ and the layer rules of docs/architecture.md: every import
 * (`import`, `import type`, `export … from`, dynamic `import()`, `typeof import()`) between the project's
 * files, the strongly connected components (import cycles, type-only edges included), imports that point up
 * the layer order, and imports of a folder's inner files from outside it (bypassing its `index.ts`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layers, lowest first: a file may import from its own layer and the layers before it (an entry's
 * folders may not import each other when it is an array). A layer is a folder (`grammar/`, `src/<name>/`);
 * `index` is src/index.ts. The order is the one the code has (see docs/architecture.md, "Layers"): the function
 * registry sits below syntax (the parser checks names against it; it needs only ast), and data below compile
 * (`kernel.bind` takes an `NdArray`; data needs only the error type).
 */
export const LAYERS: readonly (string | readonly string[])[] = [
  'grammar',
  'core',
  'ast',
  'functions',
  'models',
  'syntax',
  'symbolic',
  'data',
  'compile',
  'solver',
  'model',
  'fit',
  'ode',
  'arrays',
  'batch',
  'script',
  'web',
  'repl',
  'cli',
  'index',
];

export type ImportKind = 'value' | 'type' | 'dynamic';

export interface ImportEdge {
  /** Project-relative paths with `/`: `src/fit/fit.ts`. */
  readonly from: string;
  readonly to: string;
  readonly kind: ImportKind;
  readonly line: number;
}

export interface ModuleGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** The files that import a Node builtin (`node:…`) or a Node-only package as a value ({@link needsNode}). */
  readonly nodeImporters?: readonly string[];
}

export function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    clause.name === undefined &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((e) => e.isTypeOnly)
  );
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  const clause = node.exportClause;
  if (node.isTypeOnly) return true;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((e) => e.isTypeOnly);
}

interface FoundImport {
  readonly spec: string;
  readonly kind: ImportKind;
  /** The string literal of the specifier. */
  readonly literal: ts.StringLiteralLike;
}

/** The module specifier and kind of an import-like node, or undefined. */
function importOf(node: ts.Node): FoundImport | undefined {
  if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
    const literal = node.moduleSpecifier;
    return { spec: literal.text, kind: isTypeOnlyImport(node) ? 'type' : 'value', literal };
  }
  if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
    const literal = node.moduleSpecifier;
    return { spec: literal.text, kind: isTypeOnlyExport(node) ? 'type' : 'value', literal };
  }
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const arg = node.arguments[0];
    if (arg && ts.isStringLiteralLike(arg)) return { spec: arg.text, kind: 'dynamic', literal: arg };
  }
  if (ts.isImportTypeNode(node)) {
    const arg = node.argument;
    if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal))
      return { spec: arg.literal.text, kind: 'type', literal: arg.literal };
  }
  return undefined;
}

function walkImports(fileName: string, text: string): { sf: ts.SourceFile; found: FoundImport[] } {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FoundImport[] = [];
  const visit = (node: ts.Node): void => {
    const imp = importOf(node);
    if (imp) found.push(imp);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sf, found };
}

/** Every import of one file's text: specifier, kind and 1-based line. */
export function importsOf(
  fileName: string,
  text: string,
): { spec: string; kind: ImportKind; line: number }[] {
  const { sf, found } = walkImports(fileName, text);
  return found.map(({ spec, kind, literal }) => ({
    spec,
    kind,
    line: sf.getLineAndCharacterOfPosition(literal.getStart(sf)).line + 1,
  }));
}

/** Where each specifier's text sits (offsets of the text between the quotes), for rewriting imports. */
export function specifierRanges(
  fileName: string,
  text: string,
): { spec: string; start: number; end: number }[] {
  const { sf, found } = walkImports(fileName, text);
  return found.map(({ spec, literal }) => ({
    spec,
    start: literal.getStart(sf) + 1,
    end: literal.getEnd() - 1,
  }));
}

/**
 * Packages that need Node (they import its builtins or are native): a file importing one, even with `import()`,
 * is Node-only like one importing `node:fs` (esbuild cannot bundle it for the browser).
 */
const NODE_PACKAGES: readonly string[] = ['pngjs', '@resvg/resvg-js', 'commander'];

/** Whether an import specifier names a Node builtin (`node:fs`) or a package of {@link NODE_PACKAGES}. */
export function needsNode(spec: string): boolean {
  if (spec.startsWith('node:')) return true;
  return NODE_PACKAGES.some((p) => spec === p || spec.startsWith(p + '/'));
}

/** Reads every `.ts` file under `roots` (relative to `root`) and resolves the relative imports between them. */
export function buildGraph(root: string, roots: readonly string[] = ['src', 'grammar']): ModuleGraph {
  const files = roots.flatMap((r) => listTs(join(root, r))).map((f) => toRel(root, f));
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  const nodeImporters = new Set<string>();
  for (const from of files) {
    for (const imp of importsOf(from, readFileSync(join(root, from), 'utf8'))) {
      if (needsNode(imp.spec) && imp.kind !== 'type') nodeImporters.add(from);
      if (!imp.spec.startsWith('.')) continue;
      const to = toRel(root, resolve(root, dirname(from), imp.spec));
      if (!roots.some((r) => to.startsWith(r + '/'))) continue; // package.json and the like
      if (!known.has(to))
        throw new Error(`${from}:${imp.line}: import '${imp.spec}' does not resolve to a file`);
      edges.push({ from, to, kind: imp.kind, line: imp.line });
    }
  }
  return { files: files.sort(), edges, nodeImporters: [...nodeImporters].sort() };
}

function toRel(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

/** The package entries: src/index.ts (Node) and src/portable.ts (`exprfit/core`, no `node:` imports). */
const ENTRIES = new Set(['index.ts', 'portable.ts']);

/** The layer of a file: `grammar`, the folder under src/, or `index` for the package entries. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'grammar') return 'grammar';
  if (parts.length === 2) return ENTRIES.has(parts[1]) ? 'index' : parts[1];
  return parts[1];
}

/** Rank of each layer name in {@link LAYERS}. */
export function layerRanks(layers = LAYERS): Map<string, number> {
  const ranks = new Map<string, number>();
  layers.forEach((entry, i) => {
    for (const name of typeof entry === 'string' ? [entry] : entry) ranks.set(name, i);
  });
  return ranks;
}

// ---------------------------------------------------------------------------------------------------------
// Cycles

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
export function cycles(graph: ModuleGraph): string[][] {
  const adj = adjacency(graph);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || adj.get(v)?.has(v)) out.push(scc.sort());
  };
  for (const f of graph.files) if (!index.has(f)) strong(f);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

function adjacency(graph: ModuleGraph): Map<string, Set<string>> {
  const adj = new Map<string, Set<string>>();
  for (const e of graph.edges) {
    if (!adj.has(e.from)) adj.set(e.from, new Set());
    adj.get(e.from)!.add(e.to);
  }
  return adj;
}

/** One shortest cycle through `start` inside `members` (for printing), as a path ending where it starts. */
export function shortestCycle(graph: ModuleGraph, members: readonly string[], start = members[0]): string[] {
  const inside = new Set(members);
  const adj = adjacency(graph);
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    for (const w of adj.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) return [...pathTo(prev, v, start), start];
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

function pathTo(prev: Map<string, string>, v: string, start: string): string[] {
  const path = [v];
  while (path[0] !== start) path.unshift(prev.get(path[0])!);
  return path;
}

// ---------------------------------------------------------------------------------------------------------
// Layers and entries

/** Imports from a lower-ranked layer to a higher (or same-ranked, different) layer. */
export function upwardImports(graph: ModuleGraph, layers = LAYERS): ImportEdge[] {
  const ranks = layerRanks(layers);
  const rank = (file: string): number => {
    const r = ranks.get(layerOf(file));
    if (r === undefined) throw new Error(`${file}: folder '${layerOf(file)}' has no layer in LAYERS`);
    return r;
  };
  return graph.edges.filter((e) => {
    const [a, b] = [rank(e.from), rank(e.to)];
    return b > a || (a === b && layerOf(e.from) !== layerOf(e.to));
  });
}

/**
 * The folder whose entries a file is imported through: `src/data` for src/data/x/y.ts, `grammar` for
 * grammar/x.ts; undefined for the package entries src/index.ts and src/portable.ts.
 */
export function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] === 'grammar' && parts.length > 1) return 'grammar';
  if (parts[0] === 'src' && parts.length > 2) return `src/${parts[1]}`;
  return undefined;
}

/** Whether `file` is a folder's public entry: `<folder>/index.ts` (browser-safe) or `<folder>/node.ts`. */
export function isEntry(file: string): boolean {
  const folder = folderOf(file);
  return folder !== undefined && (file === `${folder}/index.ts` || file === `${folder}/node.ts`);
}

/**
 * Imports that bypass a folder's entries: of a folder's inner file (not its `index.ts` or `node.ts`) from
 * outside the folder, and of a folder's own entry from inside it (siblings import each other directly).
 */
export function entryBypasses(graph: ModuleGraph): ImportEdge[] {
  return graph.edges.filter((e) => {
    const [from, to] = [folderOf(e.from), folderOf(e.to)];
    if (to === undefined) return false;
    return from === to ? isEntry(e.to) : !isEntry(e.to);
  });
}

/**
 * A chain of value or dynamic imports from `start` to a file that imports a Node builtin, or undefined when
 * none is reachable (a browser-safe entry).
 */
export function pathToNode(graph: ModuleGraph, start: string): string[] | undefined {
  const nodeFiles = new Set(graph.nodeImporters);
  const adj = new Map<string, string[]>();
  for (const e of graph.edges) if (e.kind !== 'type') adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
  const prev = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    if (nodeFiles.has(file)) {
      const path = [file];
      while (path[0] !== start) path.unshift(prev.get(path[0])!);
      return path;
    }
    for (const to of adj.get(file) ?? []) {
      if (prev.has(to)) continue;
      prev.set(to, file);
      queue.push(to);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The committed list of known violations

export interface Violations {
  /** Each cycle as its sorted member files. */
  readonly cycles: readonly (readonly string[])[];
  /** `from -> to` (project-relative files). */
  readonly upward: readonly string[];
}

export function edgeKey(e: Pick<ImportEdge, 'from' | 'to'>): string {
  return `${e.from} -> ${e.to}`;
}

/** The violations of a graph in the committed form (sorted, deduplicated). */
export function violationsOf(graph: ModuleGraph, layers = LAYERS): Violations {
  return {
    cycles: cycles(graph),
    upward: [...new Set(upwardImports(graph, layers).map(edgeKey))].sort(),
  };
}

/**
 * Compares found violations with the allowed ones: a new cycle, a cycle that grew beyond every allowed one,
 * or a new upward import is `added`; an allowed entry that no longer occurs is `fixed` (to be removed from
 * the list, so that it can only shrink).
 */
export function compareViolations(
  found: Violations,
  allowed: Violations,
): { added: string[]; fixed: string[] } {
  const within = (c: readonly string[]) => allowed.cycles.some((a) => c.every((f) => a.includes(f)));
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((f, i) => f === b[i]);
  const added = [
    ...found.cycles.filter((c) => !within(c)).map((c) => `cycle: ${c.join(', ')}`),
    ...found.upward.filter((u) => !allowed.upward.includes(u)).map((u) => `upward: ${u}`),
  ];
  const fixed = [
    ...allowed.cycles
      .filter((a) => !found.cycles.some((c) => same(a, c)))
      .map((c) => `cycle: ${c.join(', ')}`),
    ...allowed.upward.filter((u) => !found.upward.includes(u)).map((u) => `upward: ${u}`),
  ];
  return { added, fixed };
}

/** A readable report: each cycle with one concrete path, each upward import with its line and layers. */
export function formatReport(graph: ModuleGraph, layers = LAYERS): string {
  const lines: string[] = [];
  for (const c of cycles(graph)) {
    lines.push(`cycle (${c.length} files): ${c.join(', ')}`);
    lines.push(`  e.g. ${shortestCycle(graph, c).join(' -> ')}`);
  }
  for (const e of upwardImports(graph, layers)) {
    lines.push(`upward (${layerOf(e.from)} -> ${layerOf(e.to)}, ${e.kind}): ${e.from}:${e.line} -> ${e.to}`);
  }
  return lines.join('\n');
}
