import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * A worker module beside the calling one: the TypeScript source when running through tsx (CLI,
 * tests), the bundled .js when running from electron-vite's build, where every entry sits in out/main.
 */
export function siblingModulePath(selfUrl: string, name: string): string {
  const extension = selfUrl.endsWith('.ts') ? '.ts' : '.js'
  return fileURLToPath(new URL(`./${name}${extension}`, selfUrl))
}

/**
 * Node flags a forked worker needs: tsx's loader for TypeScript sources, nothing when bundled. The
 * loader is named by its path, since a bare `tsx` resolves from the working folder, which may be any.
 */
export function forkExecArgv(entry: string): string[] {
  if (!entry.endsWith('.ts')) return []
  const loader = createRequire(import.meta.url).resolve('tsx')
  return ['--import', pathToFileURL(loader).href]
}
