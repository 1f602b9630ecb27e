/**
 * The packed pixel cache: one file per (resolution, crop), uint8 RGB NHWC, image id i at slot i − 1.
 * Slots are written with positioned writes and read in batches at their offsets, never by loading the
 * file. A slot counts only once its cache_slots row exists, and that row is written after the pixels
 * are synced to disk (see CacheWriter.sync), so a killed ingest never leaves a half-written slot valid.
 */
import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Split } from '../../shared/contract'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import { cropKey, DEFAULT_CROP, type CropSpec } from './crop'
import { splitCode } from './splits'

export interface CacheInfo {
  id: number
  size: number
  crop: string
  /** absolute path of the packed file */
  file: string
  slotBytes: number
}

export function cacheFileName(size: number, crop: CropSpec): string {
  return `faces-${size}-${cropKey(crop).replace(/[^A-Za-z0-9.-]/g, '_')}.rgb`
}

export function findCache(
  db: Db,
  paths: ProjectPaths,
  size: number,
  crop: CropSpec = DEFAULT_CROP,
): CacheInfo | null {
  const row = db
    .prepare('SELECT id, file FROM caches WHERE size = ? AND crop = ?')
    .get(size, cropKey(crop)) as { id: number; file: string } | undefined
  if (!row) return null
  return cacheInfo(row.id, size, cropKey(crop), join(paths.cache, row.file))
}

export function ensureCache(db: Db, paths: ProjectPaths, size: number, crop: CropSpec): CacheInfo {
  const found = findCache(db, paths, size, crop)
  if (found) return found
  const file = cacheFileName(size, crop)
  const result = db
    .prepare('INSERT INTO caches (size, crop, file) VALUES (?, ?, ?)')
    .run(size, cropKey(crop), file)
  return cacheInfo(Number(result.lastInsertRowid), size, cropKey(crop), join(paths.cache, file))
}

function cacheInfo(id: number, size: number, crop: string, file: string): CacheInfo {
  return { id, size, crop, file, slotBytes: size * size * 3 }
}

export function slotOffset(cache: CacheInfo, imageId: number): number {
  return (imageId - 1) * cache.slotBytes
}

/** Positioned writes into the packed file; `sync` must complete before slot rows are committed. */
export class CacheWriter {
  private constructor(
    private readonly cache: CacheInfo,
    private readonly handle: FileHandle,
  ) {}

  /** Opens (creating) the file and grows it to hold image ids up to `maxImageId`. */
  static async open(cache: CacheInfo, maxImageId: number): Promise<CacheWriter> {
    if (!existsSync(cache.file)) writeFileSync(cache.file, new Uint8Array(0))
    const handle = await open(cache.file, 'r+')
    const wanted = maxImageId * cache.slotBytes
    if ((await handle.stat()).size < wanted) await handle.truncate(wanted)
    return new CacheWriter(cache, handle)
  }

  async write(imageId: number, pixels: Uint8Array): Promise<void> {
    if (pixels.length !== this.cache.slotBytes) {
      throw new Error(
        `slot for image ${imageId} has ${pixels.length} bytes, expected ${this.cache.slotBytes}`,
      )
    }
    await this.handle.write(pixels, 0, pixels.length, slotOffset(this.cache, imageId))
  }

  async sync(): Promise<void> {
    await this.handle.datasync()
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

/** What the training engine reads: valid slots only, in batches by image id. */
export interface ImageCache {
  size: number
  crop: string
  /** images with a valid slot */
  count: number
  /** ids of images with a valid slot, ascending; optionally one split */
  imageIds(split?: Split): number[]
  /** N×size×size×3 uint8 RGB (NHWC), in the order of `imageIds` */
  readBatch(imageIds: readonly number[]): Promise<Uint8Array>
  close(): Promise<void>
}

/** Ids (and split codes) of images whose slot in `cache` is valid for the file as last scanned. */
export function validSlots(db: Db, cacheId: number): { id: number; split: number | null }[] {
  return db
    .prepare(
      `SELECT i.id AS id, i.split AS split FROM cache_slots s
       JOIN images i ON i.id = s.image_id AND i.size = s.size AND i.mtime_ms = s.mtime_ms
       WHERE s.cache_id = ? AND i.status = 'ok' ORDER BY i.id`,
    )
    .all(cacheId) as { id: number; split: number | null }[]
}

export function openImageCache(
  db: Db,
  paths: ProjectPaths,
  size: number,
  crop: CropSpec = DEFAULT_CROP,
): ImageCache {
  const cache = findCache(db, paths, size, crop)
  if (!cache || !existsSync(cache.file)) {
    throw new Error(
      `no ${size}×${size} image cache (crop ${cropKey(crop)}) in ${paths.root}; ingest the dataset with size ${size} first`,
    )
  }
  const slots = validSlots(db, cache.id)
  const valid = new Set(slots.map((slot) => slot.id))
  let handle: Promise<FileHandle> | null = null
  const file = (): Promise<FileHandle> => (handle ??= open(cache.file, 'r'))

  return {
    size,
    crop: cache.crop,
    count: slots.length,
    imageIds(split) {
      if (split === undefined) return slots.map((slot) => slot.id)
      const code = splitCode(split)
      return slots.filter((slot) => slot.split === code).map((slot) => slot.id)
    },
    async readBatch(imageIds) {
      const out = new Uint8Array(imageIds.length * cache.slotBytes)
      const fh = await file()
      const reads: Promise<unknown>[] = []
      // Consecutive ids are consecutive slots: one read per run.
      let i = 0
      while (i < imageIds.length) {
        let j = i
        while (j < imageIds.length) {
          const id = imageIds[j] as number
          if (!valid.has(id)) {
            throw new Error(`image ${id} has no valid slot in the ${size}×${size} cache`)
          }
          if (j > i && id !== (imageIds[j - 1] as number) + 1) break
          j++
        }
        const bytes = (j - i) * cache.slotBytes
        reads.push(
          readFully(fh, out, i * cache.slotBytes, bytes, slotOffset(cache, imageIds[i] as number)),
        )
        i = j
      }
      await Promise.all(reads)
      return out
    },
    async close() {
      if (handle) await (await handle).close()
      handle = null
    },
  }
}

async function readFully(
  fh: FileHandle,
  out: Uint8Array,
  outOffset: number,
  length: number,
  position: number,
): Promise<void> {
  let done = 0
  while (done < length) {
    const { bytesRead } = await fh.read(out, outOffset + done, length - done, position + done)
    if (bytesRead === 0) throw new Error(`image cache ended early at byte ${position + done}`)
    done += bytesRead
  }
}

/** One slot's pixels, or null when the image has no valid slot in this cache. */
/**
 * One slot, for a thumbnail or a single face. Read synchronously: 12–48 kB from the page cache
 * takes microseconds, where three thread-pool round trips (open, read, close) cost more than the
 * read itself while a grid asks for dozens of thumbnails at once.
 */
export async function readSlot(
  db: Db,
  cache: CacheInfo,
  imageId: number,
): Promise<Uint8Array | null> {
  const row = db
    .prepare(
      `SELECT 1 FROM cache_slots s JOIN images i ON i.id = s.image_id
         AND i.size = s.size AND i.mtime_ms = s.mtime_ms
       WHERE s.cache_id = ? AND s.image_id = ? AND i.status = 'ok'`,
    )
    .get(cache.id, imageId)
  if (!row) return null
  const fd = openSync(cache.file, 'r')
  try {
    const out = new Uint8Array(cache.slotBytes)
    const position = slotOffset(cache, imageId)
    for (let done = 0; done < out.length;) {
      const n = readSync(fd, out, done, out.length - done, position + done)
      if (n === 0) throw new Error(`${cache.file}: ends inside the slot of image ${imageId}`)
      done += n
    }
    return out
  } finally {
    closeSync(fd)
  }
}
