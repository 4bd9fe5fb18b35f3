/**
 * `exprfit serve`: a local HTTP server (127.0.0.1 only) for the web page. It serves the built page (static
 * files, `npm run build:web` writes them to dist/web) and, for a script, `/session.json` (src/web/session.ts).
 * Only GET and HEAD, only files inside the page's folder.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExprfitError } from '../core/index.ts';
import type { SessionJSON } from './protocol.ts';
import { scriptSession } from './session.ts';

export interface ServeOptions {
  /** A `.fit` script whose data, model and parameters the page opens with. */
  script?: string;
  /** Or the session itself (the REPL's `:serve`). */
  session?: SessionJSON;
  /** The port (default 0: a free one). */
  port?: number;
  /** The built page's folder (default: dist/web of the exprfit package). */
  root?: string;
}

export interface WebServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The exprfit package's folder: the nearest folder above this module with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The page's folder; an `io` error saying how to build it when it has no index.html. */
function webRoot(root?: string): string {
  const dir = resolve(root ?? join(packageRoot(), 'dist', 'web'));
  if (!existsSync(join(dir, 'index.html'))) {
    throw new ExprfitError('io', `the web page is not built: ${join(dir, 'index.html')} is missing`, {
      hints: ['run npm run build:web (or npm run build) in the exprfit folder'],
    });
  }
  return dir;
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** The file a URL path names inside `root`, or undefined for a path outside it. */
function fileOf(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return undefined;
  }
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  return file.startsWith(root + sep) ? file : undefined;
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const file = fileOf(root, req.url ?? '/');
  const body = file ? await readFile(file).catch(() => undefined) : undefined;
  if (!file || !body) return send(res, 404, 'text/plain; charset=utf-8', `not found: ${req.url}\n`);
  send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', body);
}

/**
 * Whether the request names this server as the browser reached it (127.0.0.1 or localhost): a page of another
 * site that rebinds its name to 127.0.0.1 sends its own name, and gets nothing.
 */
function localHost(req: IncomingMessage): boolean {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(req.headers.host ?? '');
}

function handler(root: string, session: SessionJSON | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!localHost(req)) return send(res, 403, 'text/plain; charset=utf-8', 'only for 127.0.0.1\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
    }
    if (req.url?.split('?')[0] === '/session.json') {
      if (!session) return send(res, 404, 'text/plain; charset=utf-8', 'no script\n');
      return send(res, 200, TYPES['.json'], JSON.stringify(session));
    }
    serveFile(root, req, res).catch(() => send(res, 500, 'text/plain; charset=utf-8', 'cannot read\n'));
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new ExprfitError('io', `cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`, {
          hints: ['choose another --port, or leave it out for a free one'],
          cause: e,
        }),
      ),
    );
    server.listen(port, '127.0.0.1', () => ok((server.address() as { port: number }).port));
  });
}

/** Starts the server; the script is read (and its errors thrown) before it listens. */
export async function startServer(options: ServeOptions = {}): Promise<WebServer> {
  const root = webRoot(options.root);
  const session = options.session ?? (options.script ? await scriptSession(options.script) : undefined);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ExprfitError('usage', `--port ${port}: not a port number (0 to 65535)`);
  }
  const server = createServer(handler(root, session));
  const bound = await listen(server, port);
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
