/**
 * Decides whether an ingest reads the dataset the project already knows, reached through another
 * path, or a different one. The same folder through a symbolic link, the folder after a move, or a
 * copy of it keeps every image id, cache slot and latent; only a different dataset replaces them,
 * and then the result says how much went.
 */
import { existsSync, realpathSync } from 'node:fs'
import type { Db } from '../store/database'
import { SIGNATURE_KEY } from './catalog'
import type { DatasetLayout } from './layout'
import type { ScannedFile } from './scan'

/**
 * `same`: the folder the project knows (or none known yet); `moved`: the known images found
 * elsewhere, matched by file name and size; `replaced`: a different dataset.
 */
export type DatasetMatch = 'same' | 'moved' | 'replaced'

export interface RootChange {
  match: DatasetMatch
  /** the image folder recorded before this ingest, when it differs from the new one */
  previous: string | null
  /** latents removed because their images left the project with the old dataset */
  latentsDropped: number
  imagesDropped: number
}

/** Records the dataset's folder; a different dataset replaces everything the project knew. */
export function syncDataset(
  db: Db,
  layout: DatasetLayout,
  crop: string,
  files: readonly ScannedFile[],
): RootChange {
  const current = db.prepare('SELECT image_dir FROM dataset WHERE id = 1').get() as
    { image_dir: string } | undefined
  const change = current
    ? compare(db, current.image_dir, layout.imageDir, files)
    : { match: 'same' as const, previous: null, latentsDropped: 0, imagesDropped: 0 }
  if (change.match === 'replaced') {
    db.exec('DELETE FROM images; DELETE FROM problems; DELETE FROM attribute_names')
    db.prepare('DELETE FROM settings WHERE key = ?').run(SIGNATURE_KEY)
  }
  db.prepare(
    `INSERT INTO dataset (id, root, image_dir, layout, crop) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET root = excluded.root, image_dir = excluded.image_dir,
       layout = excluded.layout, crop = excluded.crop`,
  ).run(layout.root, layout.imageDir, layout.kind, crop)
  return change
}

function compare(
  db: Db,
  previous: string,
  imageDir: string,
  files: readonly ScannedFile[],
): RootChange {
  if (realOrSelf(previous) === realOrSelf(imageDir)) {
    return { match: 'same', previous: null, latentsDropped: 0, imagesDropped: 0 }
  }
  const known = new Map<string, number>()
  for (const row of db.prepare('SELECT file, size FROM images').iterate() as Iterable<{
    file: string
    size: number
  }>) {
    known.set(row.file, row.size)
  }
  const matched = files.filter((file) => known.get(file.rel) === file.size).length
  // Moved: the old folder is gone and most of its files are here; or every known file is here
  // (a copy). Names and sizes both matching by chance over most of a dataset does not happen.
  const gone = !existsSync(previous)
  if (known.size > 0 && (matched === known.size || (gone && matched * 2 >= known.size))) {
    return { match: 'moved', previous, latentsDropped: 0, imagesDropped: 0 }
  }
  const latents = (db.prepare('SELECT count(*) AS n FROM latents').get() as { n: number }).n
  return { match: 'replaced', previous, latentsDropped: latents, imagesDropped: known.size }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** One line for the ingest result and the CLI: what happened to the known images, if anything. */
export function describeRootChange(change: RootChange, imageDir: string): string | null {
  if (change.match === 'moved') {
    return `the dataset moved from ${change.previous} to ${imageDir}: images matched by file name and size keep their cache and latents`
  }
  if (change.match === 'replaced' && change.imagesDropped > 0) {
    return `${imageDir} is a different dataset than ${change.previous}: its ${change.imagesDropped} images and their ${change.latentsDropped} latents were removed from the project`
  }
  return null
}
