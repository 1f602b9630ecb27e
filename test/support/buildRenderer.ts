import { join } from 'node:path'
import { build } from 'vite'
import { repoRoot } from './sharedData'

/** Browser suites test the page as built from the current sources. */
export default async function setup(): Promise<void> {
  await build({ configFile: join(repoRoot, 'vite.renderer.config.ts'), logLevel: 'warn' })
}
