/** A small PNG of a dataset image for the UI grid, made from its cache slot (no source decode). */
import { join } from 'node:path'
import { encodeSmallPng } from '../export/smallPng'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import { readSlot, type CacheInfo } from './imageCache'

export async function thumbnail(db: Db, paths: ProjectPaths, imageId: number): Promise<Buffer> {
  // The largest cache that holds the image, so the grid is as sharp as what was ingested.
  const caches = db
    .prepare(
      `SELECT c.id AS id, c.size AS size, c.crop AS crop, c.file AS file FROM caches c
       JOIN cache_slots s ON s.cache_id = c.id AND s.image_id = ? ORDER BY c.size DESC`,
    )
    .all(imageId) as { id: number; size: number; crop: string; file: string }[]
  for (const row of caches) {
    const cache: CacheInfo = {
      id: row.id,
      size: row.size,
      crop: row.crop,
      file: join(paths.cache, row.file),
      slotBytes: row.size * row.size * 3,
    }
    const pixels = await readSlot(db, cache, imageId)
    if (!pixels) continue
    return encodeSmallPng(pixels, row.size, row.size, 3)
  }
  throw new Error(`image ${imageId} has no cached pixels; ingest the dataset (again) first`)
}
