import { resolve } from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

// Each case lints one import as if it were written in a file of that layer (the file need not
// exist: ESLint judges the text under that path with the repository's own config).
const root = resolve(import.meta.dirname, '../..')
let eslint: ESLint

// Loading the config (typescript-eslint, the Svelte parser) is the slow part: done once, up front,
// with room for a busy machine.
const LINT_TIMEOUT_MS = 120_000

beforeAll(async () => {
  eslint = new ESLint({ cwd: root })
  await eslint.lintText('export {}\n', { filePath: resolve(root, 'src/shared/warm-up.ts') })
}, LINT_TIMEOUT_MS)

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/layers').map((m) => m.message)
}

const use = (source: string): string => `import * as x from '${source}'\nexport const y = x\n`

interface Case {
  file: string
  source: string
  /** What the error names, or null when the import is allowed. */
  error: RegExp | null
}

const cases: Record<string, Case[]> = {
  'src/shared imports nothing of the app': [
    { file: 'src/shared/f.ts', source: '../main/store/database', error: /src\/main/ },
    { file: 'src/shared/latent/f.ts', source: '../../renderer/src/lib/format', error: /renderer/ },
    { file: 'src/shared/f.ts', source: '../preload/index', error: /src\/preload/ },
    { file: 'src/shared/f.ts', source: 'node:fs', error: /built-in/ },
    { file: 'src/shared/f.ts', source: 'path', error: /built-in/ },
    { file: 'src/shared/latent/f.ts', source: '../contract', error: null },
    { file: 'src/shared/f.ts', source: 'zod', error: null },
  ],
  'engine/kernels imports neither engine/train nor engine/model': [
    { file: 'src/main/engine/kernels/simd/f.ts', source: '../../train/adam', error: /train/ },
    { file: 'src/main/engine/kernels/f.ts', source: '../model/rng', error: /engine\/model/ },
    { file: 'src/main/engine/kernels/simd/f.ts', source: '../switch', error: null },
    { file: 'src/main/engine/kernels/f.ts', source: '@tensorflow/tfjs-core', error: null },
  ],
  'analysis does not import studio': [
    { file: 'src/main/analysis/f.ts', source: '../studio/latent/maps', error: /studio/ },
    { file: 'src/main/analysis/f.ts', source: '../../shared/latent', error: null },
  ],
  'engine imports neither studio, dataset nor store': [
    { file: 'src/main/engine/process/f.ts', source: '../../studio/jobs', error: /studio/ },
    { file: 'src/main/engine/f.ts', source: '../dataset/imageCache', error: /dataset/ },
    { file: 'src/main/engine/train/f.ts', source: '../../store/runs', error: /store/ },
    { file: 'src/main/engine/train/f.ts', source: '../data/batches', error: null },
    { file: 'src/main/engine/f.ts', source: 'node:worker_threads', error: null },
  ],
  'the renderer imports only src/shared and its own files': [
    { file: 'src/renderer/src/lib/f.ts', source: '../../../main/studio/jobs', error: /main/ },
    { file: 'src/renderer/src/lib/f.ts', source: '../../../preload/index', error: /preload/ },
    { file: 'src/renderer/src/lib/f.ts', source: 'node:path', error: /built-in/ },
    { file: 'src/renderer/src/lib/f.ts', source: '@shared/contract', error: null },
    { file: 'src/renderer/src/lib/f.ts', source: '../../../shared/progress', error: null },
    { file: 'src/renderer/src/lib/f.ts', source: './format', error: null },
    { file: 'src/renderer/src/lib/f.ts', source: 'd3-scale', error: null },
  ],
}

describe('the layer rules', { timeout: LINT_TIMEOUT_MS }, () => {
  for (const [rule, list] of Object.entries(cases)) {
    describe(rule, () => {
      for (const { file, source, error } of list) {
        it(`${error ? 'refuses' : 'allows'} '${source}' in ${file}`, async () => {
          const errors = await layerErrors(file, use(source))
          if (error) {
            expect(errors).toHaveLength(1)
            expect(errors[0]).toMatch(error)
            expect(errors[0]).toContain(`'${source}'`)
          } else {
            expect(errors).toEqual([])
          }
        })
      }
    })
  }

  it('judges re-exports, dynamic imports and type-only imports as imports', async () => {
    const file = 'src/main/analysis/f.ts'
    const code = [
      "export { x } from '../studio/a'",
      "export * from '../studio/b'",
      "import type { T } from '../studio/c'",
      "export const load = (): Promise<unknown> => import('../studio/d')",
      'export type U = T',
    ].join('\n')
    expect(await layerErrors(file, code)).toHaveLength(4)
  })

  it('checks the script of a Svelte component in the renderer', async () => {
    const code =
      '<script lang="ts">\n  import { jobs } from \'../../../main/studio/jobs\'\n  jobs()\n</script>\n'
    const errors = await layerErrors('src/renderer/src/components/F.svelte', code)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/the page knows only the contract/)
  })
})
