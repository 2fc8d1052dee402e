// Lint, and the architecture's layering: the engine never touches VS Code or the DOM, and the
// panel front end imports nothing of ours but src/shared.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'schemas/**', 'test/e2e/.work/**', '.tmp/**', 'test-results/**', 'runs/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/core/**', 'src/shared/**', 'src/cli/**', 'src/trainer/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }],
      'no-restricted-globals': ['error', 'window', 'document'],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'], patterns: [{ group: ['**/core/**', '**/extension/**', '**/trainer/**', '**/cli/**', '@tensorflow/*'], message: 'src/shared holds protocols only.' }] }],
    },
  },
  {
    files: ['webview/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'], patterns: [{ group: ['**/src/core/**', '**/src/extension/**', '**/src/trainer/**', '**/src/cli/**', '@tensorflow/*', 'node:*'], message: 'The webview may import only src/shared.' }] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
