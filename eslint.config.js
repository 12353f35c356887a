// SPDX-License-Identifier: Apache-2.0
// ESLint 9 flat config, typescript-eslint with type information (`pnpm lint`; CI runs it from
// tools/test.sh). The rules that matter most here: no floating promises (a GPU dispatch or readback
// nobody awaits hides its error and races the next one), no unused code, consistent type imports.
// typescript-eslint's recommended type-checked set is on except the rules listed as off below,
// which the code does not pass today (turn one on together with its fixes). No formatter is
// applied to the tree (it would rewrite every file other branches are editing). Workspace packages'
// types come from their dist/ builds, so `pnpm lint` builds first (cached by turbo).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/reports/**', '**/*.d.ts', '**/*.js', '**/*.mjs'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts', 'apps/*/src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // tsconfig.test.json covers src and tests (tsconfig.json leaves the tests out).
        project: ['packages/*/tsconfig.test.json', 'apps/demo/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `typeof import('x')` stays allowed: the bench imports tfjs lazily (after Dawn is installed).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `interface A extends B {}` is how vitest's matchers are declared.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Recommended, but not passed yet (violations when this config landed):
      '@typescript-eslint/no-unnecessary-type-assertion': 'off', // 77
      '@typescript-eslint/require-await': 'off', // 28
      '@typescript-eslint/restrict-template-expressions': 'off', // 15
      '@typescript-eslint/no-unsafe-argument': 'off', // 4
      '@typescript-eslint/no-base-to-string': 'off', // 3
      '@typescript-eslint/no-unused-expressions': 'off', // 3
      '@typescript-eslint/unbound-method': 'off', // 2
      '@typescript-eslint/no-redundant-type-constituents': 'off', // 2
      '@typescript-eslint/no-unsafe-enum-comparison': 'off', // 2
      '@typescript-eslint/prefer-promise-reject-errors': 'off', // 1
      '@typescript-eslint/no-unsafe-assignment': 'off', // 1
      '@typescript-eslint/no-unsafe-member-access': 'off', // 1
      // Off after merging main (tests written concurrently on other branches; fix, then turn on):
      '@typescript-eslint/no-unsafe-return': 'off', // 4
      '@typescript-eslint/no-explicit-any': 'off', // 5 (guided-ig.gpu.test.ts)
      '@typescript-eslint/no-unsafe-call': 'off', // 3 (guided-ig.gpu.test.ts)
      '@typescript-eslint/restrict-plus-operands': 'off', // 2 (cli/test/run-cli.ts)
    },
  },
);
