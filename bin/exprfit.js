#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/cli.js by `npm run build` (run automatically by `npm ci`).
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2)));
