import { defineConfig } from 'vitest/config';

/** The browser tests (`npm run test:browser`): headless Chromium (the system's) driving the web page. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    // builds dist/cli.js and dist/web once
    globalSetup: ['test/browser/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
