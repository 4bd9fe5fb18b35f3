// Placeholder entry; the CLI is built out in src/cli (issue #2: eval/diff; issue #4: run/check/repl).
export async function main(argv: string[]): Promise<void> {
  process.stderr.write(`exprfit: not yet implemented: ${argv.join(' ')}\n`);
  process.exitCode = 2;
}
