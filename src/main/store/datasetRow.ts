/** The project's one dataset row and its image caches, as the studio reads them. */
import type { Db } from './database'

export interface DatasetRow {
  root: string
  imageDir: string
  /** The crop's key (dataset/crop). */
  crop: string
  layout: string
}

/** The ingested dataset, or undefined before the first ingest. */
export function datasetRow(db: Db): DatasetRow | undefined {
  return db
    .prepare('SELECT root, image_dir AS imageDir, crop, layout FROM dataset WHERE id = 1')
    .get() as DatasetRow | undefined
}

/** The size of the largest image cache, or undefined when there is none. */
export function largestCacheSize(db: Db): number | undefined {
  const row = db.prepare('SELECT size FROM caches ORDER BY size DESC LIMIT 1').get() as
    { size: number } | undefined
  return row?.size
}
