import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the web page in Chromium: npm run test:browser (vitest.browser.config.ts)
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    // builds dist/cli.js once: the CLI and REPL tests spawn bin/exprfit.js
    globalSetup: ['test/cli/setup.ts'],
    // property tests from a fixed seed (FC_SEED=random explores; see the file)
    setupFiles: ['test/fast-check-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: on CI's 2 cores that is one. The main process
    // only schedules, so use every core (npm test must stay under 4 minutes on 2 cores).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
