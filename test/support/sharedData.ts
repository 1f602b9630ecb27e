import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** ../shared beside the checkout: real CelebA material. */
export const sharedDir = resolve(repoRoot, '..', 'shared')
export const celebaSampleDir = join(sharedDir, 'celeba-sample')
export const celebaAnnotationsDir = join(sharedDir, 'celeba-annotations')

/**
 * CI must have ../shared: a missing folder there fails loudly. Elsewhere a suite that needs it is
 * skipped with a printed reason.
 */
export function sharedDataAvailable(): boolean {
  if (existsSync(join(celebaSampleDir, 'list_attr_celeba.txt'))) return true
  if (process.env.CI) {
    throw new Error(`${sharedDir}: shared CelebA test data is missing; CI must provide ../shared`)
  }
  console.warn(`skipping: ${sharedDir} not found (shared CelebA test data)`)
  return false
}

export { repoRoot }
