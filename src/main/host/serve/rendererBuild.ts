import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot, rendererBuildDir } from '../../app/paths'

/**
 * serve mode needs the built page. A fresh install has none yet, so it is built once on first use
 * (vite is installed with the studio).
 */
export async function ensureRendererBuilt(log: (message: string) => void): Promise<string> {
  const dir = rendererBuildDir()
  if (existsSync(join(dir, 'index.html'))) return dir
  log('Building the studio page (first run only)…')
  const { build } = await import('vite')
  await build({ configFile: join(packageRoot(), 'vite.renderer.config.ts'), logLevel: 'warn' })
  return dir
}
