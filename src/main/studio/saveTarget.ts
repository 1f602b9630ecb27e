/**
 * A save target from the page → the path to write: a name in the project's exports/ folder, or the
 * path the person picked in the host's own save dialog (Electron). The page never supplies a path.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ContractError } from '../../shared/contract'
import type { SaveTarget } from '../../shared/exportTarget'
import { checkReplaceable, type OutputKind } from '../export/outputGuard'
import type { OpenProject, PickSavePath } from './context'

export interface ResolvedSave {
  /** Absolute path to write. */
  path: string
  /** The exports/ name to download it by; null for a dialog path. */
  download: string | null
}

export async function resolveSaveTarget(
  project: OpenProject,
  target: SaveTarget,
  output: { kind: OutputKind | 'png-sequence'; ending: string; fallbackName: string },
  pickSavePath: PickSavePath | undefined,
): Promise<ResolvedSave | null> {
  if (target.kind === 'exports') {
    mkdirSync(project.paths.exports, { recursive: true })
    const path = join(project.paths.exports, target.name)
    if (output.kind !== 'png-sequence') {
      checkReplaceable(path, output.kind, { hint: 'choose another name' })
    }
    return { path, download: target.name }
  }
  if (!pickSavePath) {
    throw new ContractError(
      "this host has no save dialog (serve mode): save into the project's exports folder by name and download it from there",
      'bad-request',
    )
  }
  const path = await pickSavePath(target.suggestedName ?? output.fallbackName, output.ending)
  if (path === null) return null
  // The dialog asked before replacing a file; a database is still never replaced.
  if (output.kind !== 'png-sequence') checkReplaceable(path, output.kind, { force: true })
  return { path, download: null }
}
