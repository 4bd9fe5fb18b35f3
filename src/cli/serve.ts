/**
 * `exprfit serve [script.fit] [--port N]`: the web page on a local server (127.0.0.1 only). Prints the URL and
 * serves until Ctrl-C. The server is src/web/server.ts, imported when the command runs.
 */
import { createRequire } from 'node:module';
import type { Command as CommandType } from 'commander';
import { ExprfitError } from '../core/index.ts';
import type { Stream } from '../repl/index.ts';

const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

const SERVE_HELP = `
Examples:
  $ exprfit serve examples/decay.fit         open the printed URL: the script's data, model and parameters
  $ exprfit serve                            an empty page: load data with the file picker or by dropping a file
  $ exprfit serve decay.fit --port 8080

The page: drag the sliders to find start values, press Fit (it runs in a Web Worker; Cancel stops it),
read the report, download the result JSON and a .fit script that reproduces the fit with exprfit run.
It listens on 127.0.0.1 only and needs no network. Ctrl-C stops it. See docs/web.md.`;

/** `--port N`: an integer 0..65535 (0: a free port). */
function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    throw new ExprfitError('usage', `--port ${text}: not a port number (0 to 65535)`);
  }
  return n;
}

export function serveCommand(io: { stdout: Stream }, parent?: CommandType): CommandType {
  const cmd = new commander.Command('serve');
  if (parent) cmd.copyInheritedSettings(parent);
  return cmd
    .description('explore a fit in the browser: data, model, sliders, fit, bands, downloads')
    .argument('[script]', 'a .fit script whose data, model and parameters the page opens with')
    .option('--port <n>', 'the port (default: a free one)', parsePort)
    .addHelpText('after', SERVE_HELP)
    .action(async (script: string | undefined, opts: { port?: number }) => {
      const { startServer } = await import('../web/node.ts');
      const server = await startServer({ script, port: opts.port });
      io.stdout.write(`exprfit serve: open ${server.url} (Ctrl-C stops)\n`);
      process.once('SIGINT', () => server.close().finally(() => process.exit(0)));
    });
}
