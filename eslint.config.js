import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import layerRules from './eslint-rules/layers.js'

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'coverage', 'test-output', '.demo'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,svelte}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // Only the Electron adapter may import electron: everything else must run under plain Node.
    files: ['src/**/*.ts'],
    ignores: ['src/main/host/electron/**', 'src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only src/main/host/electron and src/preload may import electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // The layers of the README's layout: each may import only what lies below it.
    files: ['src/**/*.{ts,svelte}'],
    plugins: { layers: layerRules },
    rules: {
      'layers/layers': [
        'error',
        {
          aliases: { '@shared': 'src/shared' },
          layers: [
            {
              dir: 'src/shared',
              only: ['src/shared'],
              noNode: true,
              why: 'the contract is pure and runs in every process, the page included',
            },
            {
              dir: 'src/renderer',
              only: ['src/renderer', 'src/shared'],
              noNode: true,
              why: 'the page knows only the contract',
            },
            {
              dir: 'src/main/engine',
              forbid: ['src/main/studio', 'src/main/dataset', 'src/main/store'],
              why: 'the engine trains and infers on what it is given; the studio feeds it',
            },
            {
              dir: 'src/main/engine/kernels',
              forbid: ['src/main/engine/train', 'src/main/engine/model'],
              why: 'kernels are the bottom of the engine; training and the model build on them',
            },
            {
              dir: 'src/main/analysis',
              forbid: ['src/main/studio'],
              why: 'analysis is pure maths over latents; the studio calls it',
            },
          ],
        },
      ],
    },
  },
)
