import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** ../shared beside the checkout: real CelebA material. */
export const sharedDir = resolve(repoRoot, '..', 'shared')
export const celebaSampleDir = join(sharedDir, 'celeba-sample')
export const celebaAnnotationsDir = join(sharedDir, 'celeba-annotations')
/** 12,000 original CelebA photos (178×218), real split and identity rows, no labels. */
export const celebaReal12kDir = join(sharedDir, 'celeba-real-12k')
/** 000001–004000 downscaled to 89×109 by a third party, with their real labels; all in train. */
export const celebaLabelledHalfDir = join(sharedDir, 'celeba-labelled-half')

/**
 * CI must have ../shared: a missing folder there fails loudly. Elsewhere a suite that needs it is
 * skipped with a printed reason.
 */
export function sharedDataAvailable(): boolean {
  return sharedFileAvailable(join(celebaSampleDir, 'list_attr_celeba.txt'))
}

/** The same check for the real sets beside the sample: each must hold its partition file. */
export function realSetsAvailable(): boolean {
  return [celebaSampleDir, celebaReal12kDir, celebaLabelledHalfDir].every((dir) =>
    sharedFileAvailable(join(dir, 'list_eval_partition.txt')),
  )
}

function sharedFileAvailable(file: string): boolean {
  if (existsSync(file)) return true
  if (process.env.CI) {
    throw new Error(`${file}: shared CelebA test data is missing; CI must provide ../shared`)
  }
  console.warn(`skipping: ${file} not found (shared CelebA test data)`)
  return false
}

export { repoRoot }
