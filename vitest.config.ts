import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// Three suites: unit (pure, fast), integration (real SQLite, sharp, tfjs, child processes),
// browser (the real page in Debian's Chromium against serve mode).
export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/trainedProject.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // The machine has two cores: heavy suites share them better one file at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/buildRenderer.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
