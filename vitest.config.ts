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
  },
});
