import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The package's root folder, found by walking up to package.json: the same answer from the sources
 * (tsx) and from electron-vite's bundle in out/main.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }
      if (pkg.name === 'vae-face-studio') return dir
    } catch {
      // not here; keep walking up
    }
    const parent = resolve(dir, '..')
    if (parent === dir) throw new Error('cannot find the vae-face-studio package root')
    dir = parent
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string
  }
  return pkg.version
}

export function rendererBuildDir(): string {
  return join(packageRoot(), 'out', 'renderer')
}
