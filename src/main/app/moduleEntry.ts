import { fileURLToPath } from 'node:url'

/**
 * A worker module beside the calling one: the TypeScript source when running through tsx (CLI,
 * tests), the bundled .js when running from electron-vite's build, where every entry sits in out/main.
 */
export function siblingModulePath(selfUrl: string, name: string): string {
  const extension = selfUrl.endsWith('.ts') ? '.ts' : '.js'
  return fileURLToPath(new URL(`./${name}${extension}`, selfUrl))
}

/** Node flags a forked worker needs: tsx's loader for TypeScript sources, nothing when bundled. */
export function forkExecArgv(entry: string): string[] {
  return entry.endsWith('.ts') ? ['--import', 'tsx'] : []
}
