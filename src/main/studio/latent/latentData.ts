/**
 * A run's latents as the studio's analyses need them: the table or an error that names the action
 * (the SQL is in store/latentTable), images found by name or id, attributes found by name.
 */
import type { Db } from '../../store/database'
import { findImageByFile, findImageById } from '../../store/images'
import { countLatents } from '../../store/latents'
import { loadLatentTable, type LatentTable } from '../../store/latentTable'

export { attributeNames, imageFiles } from '../../store/images'
export {
  loadLabels,
  loadLatentTable,
  type LabelTable,
  type LatentTable,
} from '../../store/latentTable'

/**
 * Thrown when a run has no latents from its current checkpoint. The message names the action, not a
 * command: the studio shows an Encode button, the CLI's own message says `encode`.
 */
export class NoLatentsError extends Error {
  constructor(
    readonly runId: number,
    readonly projectRoot: string,
  ) {
    super(`run ${runId} has no latents from its current checkpoint yet; encode the images with it`)
    this.name = 'NoLatentsError'
  }
}

/** Latents of the run's current checkpoint (stale ones are never read). */
export function countRunLatents(db: Db, runId: number): number {
  return countLatents(db, runId)
}

/** The run's latent table, or a NoLatentsError when nothing is encoded with the current checkpoint. */
export function requireLatentTable(
  db: Db,
  projectRoot: string,
  runId: number,
  options: { logVar?: boolean; limit?: number } = {},
): LatentTable {
  const table = loadLatentTable(db, runId, options)
  if (table.n === 0) throw new NoLatentsError(runId, projectRoot)
  return table
}

/** A dataset image by its file name (e.g. 000010.jpg, or a path ending in it) or numeric id. */
export function findImage(
  db: Db,
  projectRoot: string,
  ref: string | number,
): {
  id: number
  file: string
} {
  const row = typeof ref === 'number' ? findImageById(db, ref) : findImageByFile(db, ref)
  if (!row) throw new Error(`${ref}: not an ingested image of ${projectRoot}`)
  return row
}

/** The index of an attribute by name (case-insensitive), or an error listing the valid names. */
export function attributeIndexIn(names: readonly string[], name: string): number {
  const exact = names.indexOf(name)
  if (exact >= 0) return exact
  const lower = name.toLowerCase()
  const loose = names.findIndex((n) => n.toLowerCase() === lower)
  if (loose >= 0) return loose
  if (names.length === 0) {
    throw new Error(`unknown attribute "${name}"; this dataset has no attribute labels`)
  }
  throw new Error(`unknown attribute "${name}"; valid attributes: ${names.join(', ')}`)
}
