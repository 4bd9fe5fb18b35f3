/**
 * vitest globalSetup: builds the CLI bundle (dist/cli.js) once before the tests, so that the CLI and REPL
 * tests can spawn `node bin/exprfit.js` as users run it.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-types', '--no-web'], {
    cwd: root,
    stdio: 'inherit',
  });
}
