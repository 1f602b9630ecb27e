import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TaskControl } from '../../shared/progress'
import { generateSyntheticDataset } from '../dataset/synth'

export const DEMO_FACE_COUNT = 600
const DEMO_SEED = 2026

export interface DemoLocation {
  projectDir: string
  datasetDir: string
}

export function demoLocation(userDataDir: string): DemoLocation {
  return {
    projectDir: join(userDataDir, 'demo-project'),
    datasetDir: join(userDataDir, 'demo-faces'),
  }
}

/**
 * Generates the demo's synthetic CelebA folder on first use. A marker written last means an
 * interrupted generation is redone rather than trusted.
 */
export async function ensureDemoFaces(
  location: DemoLocation,
  control: TaskControl = {},
): Promise<void> {
  const marker = join(location.datasetDir, '.complete')
  if (existsSync(marker)) return
  await generateSyntheticDataset(location.datasetDir, {
    count: DEMO_FACE_COUNT,
    seed: DEMO_SEED,
    ...control,
  })
  writeFileSync(marker, `${DEMO_FACE_COUNT} faces, seed ${DEMO_SEED}\n`)
}
