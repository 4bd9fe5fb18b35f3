import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '.bt/**',
      '**/*.tmp.ts',
      'examples/out/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'docs/diagrams/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-implied-eval': 'off',
      'no-new-func': 'off',
    },
  },
  {
    // the web page and its fit worker run in the browser
    files: ['src/web/page/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
