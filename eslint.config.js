// ESLint: eslint's and typescript-eslint's recommended rules (not the type-checked ones: with the
// project's tsconfig they took ~28 s for the tree on 2 cores and mostly repeat `any` findings).
// Formatting is Prettier's: eslint-config-prettier, last, turns off the rules that would fight it.
//
// typescript-eslint comes from tools/lint (`@containrlab/lint`), a local package that pins the
// TypeScript 6 its parser needs: it loads the classic JS compiler API (`require('typescript')`),
// which the project's own TypeScript 7 (`tsc`) ships none of, and npm refuses it beside TypeScript 7
// at the root (peer range `typescript <6.1.0`: ERESOLVE).
import js from '@eslint/js'
import tseslint from '@containrlab/lint'
import prettier from 'eslint-config-prettier/flat'
import {defineConfig, globalIgnores} from 'eslint/config'
import globals from 'globals'

export default defineConfig(
  globalIgnores(['dist/', 'dist-bench/', 'oclif.manifest.json']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a name kept on purpose (`_ctx` in a signature), and
      // `{ClientToken: _token, ...rest}` drops keys from an object.
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true}],
    },
  },
  {
    // Tests stub SDK clients whose command and input types are generic per client
    // (aws-sdk-client-mock's `on(command as any)`); `any` there is the price of one helper for all.
    files: ['test/**/*.ts'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {globals: globals.node},
  },
  prettier,
)
