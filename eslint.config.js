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
      // Arrays print as "1,2,3" (tensor shapes inside [ ] in error messages): allowed. Objects, unknowns
      // and functions in a template are still errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowArray: true }],
      // Forwarding a caught `unknown` unchanged (a `.catch` that cleans up, an abort race) is allowed;
      // rejecting with a known non-Error value is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // webxai's gradients go through interop/input-gradients.ts, which skips the weight gradients tfjs
    // computes and drops and frees the tape when a pass throws; a bare tf.grad would silently do
    // neither. Exempt: tests.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/core/src/interop/input-gradients.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='tf'][callee.property.name=/^(grad|grads|valueAndGrad|valueAndGrads)$/]",
          message: 'take gradients with inputGradient / inputGradients (interop/input-gradients.ts)',
        },
      ],
    },
  },
  {
    // Core draws host noise with its own normalFill (random/normal-fill.ts: WebAssembly, the same bits
    // as @webxai/shaders' JS reference in about a third of the CPU time); importing the reference in
    // production code would silently take the slow one. Exempt: tests (they compare the two) and the
    // module that wraps it.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/core/src/random/normal-fill.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@webxai/shaders',
              importNames: ['normalFill'],
              message: "draw host noise with core's normalFill (random/normal-fill.ts), the WebAssembly one",
            },
          ],
        },
      ],
    },
  },
);
