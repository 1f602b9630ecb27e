/**
 * Ingestion: detect the layout, scan, parse the annotations, bring the database up to date, then
 * preprocess every image that has no valid slot in the (size, crop) cache. Incremental: unchanged
 * images with valid slots are never decoded again, and a cancelled or killed run resumes where its
 * last committed batch ended.
 */
import { availableParallelism } from 'node:os'
import { readFile, stat } from 'node:fs/promises'
import { basename, join, relative, sep } from 'node:path'
import type { Problem, Split } from '../../shared/contract'
import { CancelledError, type TaskControl } from '../../shared/progress'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import { parseAttributes } from './annotations/attributes'
import { parseIdentities, parsePartition } from './annotations/keyValue'
import {
  addProblems,
  replaceProblems,
  syncAnnotations,
  syncImages,
  type Annotations,
} from './catalog'
import { describeRootChange, syncDataset } from './datasetRoot'
import { cropKey, datasetDefaultCrop, validateCrop, type CropSpec } from './crop'
import { CacheWriter, ensureCache, validSlots, type CacheInfo } from './imageCache'
import { detectLayout, type DatasetLayout } from './layout'
import type { JobOutcome } from './preprocess'
import { startPreprocessor } from './preprocessPool'
import { kindOf, scanImages } from './scan'
import { splitName } from './splits'
import { attributeCounts, PROBLEM_ORDER } from './summary'

export interface IngestOptions extends TaskControl {
  size: 64 | 128
  crop?: CropSpec
  /** worker threads for decoding; default one per core (none for small jobs), 0 = this thread */
  threads?: number
}

export interface IngestStats {
  scanned: number
  added: number
  changed: number
  removed: number
  /** images decoded in this run (ok or bad) */
  processed: number
  /** images whose valid slot was kept */
  reused: number
  /** latents removed with images that left the project (removed files, or a different dataset) */
  latentsDropped: number
}

export interface IngestResult {
  images: number
  splits: Record<Split, number>
  attributes: Record<string, number>
  problems: Problem[]
  stats: IngestStats
  /** what happened to what the project already knew, when that is not obvious: moves, removals */
  notices: string[]
}

/** No images at all: the one ingest failure that is not a per-file problem. */
export class NoImagesError extends Error {
  constructor(dir: string) {
    super(
      `${dir}: no images found (jpg, jpeg, png or webp); point at a CelebA folder or a folder of face images`,
    )
    this.name = 'NoImagesError'
  }
}

/** Slot rows are committed (after a datasync) every this many images. */
const COMMIT_EVERY = 256
/** Below this many images, starting workers costs more than it saves. */
const MIN_FOR_WORKERS = 400

export async function ingestDataset(
  db: Db,
  paths: ProjectPaths,
  datasetDir: string,
  options: IngestOptions,
): Promise<IngestResult> {
  const layout = detectLayout(datasetDir)
  const crop = options.crop ?? datasetDefaultCrop(layout.kind)
  validateCrop(crop)
  const problemName = (rel: string): string =>
    relative(layout.root, join(layout.imageDir, rel)).split(sep).join('/') || rel
  const scan = await scanImages(layout.imageDir, { ...options, describe: problemName })
  if (scan.files.length === 0) throw new NoImagesError(layout.imageDir)

  options.onProgress?.({ phase: 'annotations', done: 0, total: 1 })
  const { annotations, problems: parseProblems } = await readAnnotations(layout)
  options.onProgress?.({ phase: 'annotations', done: 1, total: 1 })

  const notices: string[] = []
  const changes = db.transaction(() => {
    const root = syncDataset(db, layout, cropKey(crop), scan.files)
    const rootNotice = describeRootChange(root, layout.imageDir)
    if (rootNotice) notices.push(rootNotice)
    const imageChanges = syncImages(
      db,
      scan.files,
      problemName,
      root.match === 'moved' ? 'size' : 'size-and-mtime',
    )
    if (imageChanges.latentsDropped > 0) {
      notices.push(
        `${imageChanges.removed} image files are gone from ${layout.imageDir}; their ${imageChanges.latentsDropped} latents were removed`,
      )
    }
    const matchProblems = syncAnnotations(
      db,
      annotations,
      imageChanges.touched,
      {
        attributes: layout.attributes ? basename(layout.attributes) : '',
        partition: layout.partition ? basename(layout.partition) : '',
      },
      problemName,
    )
    replaceProblems(db, 'scan', scan.problems)
    replaceProblems(db, 'annotations', [...parseProblems, ...matchProblems])
    return { ...imageChanges, latentsDropped: imageChanges.latentsDropped + root.latentsDropped }
  })()

  const cache = ensureCache(db, paths, options.size, crop)
  const processed = await preprocessPending(db, layout, cache, crop, options, problemName)
  db.prepare("UPDATE dataset SET ingested_at = datetime('now') WHERE id = 1").run()

  const result = ingestSummary(db, cache)
  return {
    ...result,
    stats: {
      scanned: scan.files.length,
      added: changes.added,
      changed: changes.changed,
      removed: changes.removed,
      processed: processed.decoded,
      reused: result.images - processed.ok,
      latentsDropped: changes.latentsDropped,
    },
    notices,
  }
}

async function readAnnotations(
  layout: DatasetLayout,
): Promise<{ annotations: Annotations; problems: Problem[] }> {
  const problems: Problem[] = []
  // An unreadable annotation file is a problem like any other: the images still ingest.
  const load = async (file: string | null): Promise<{ text: string; stamp: string } | null> => {
    if (!file) return null
    try {
      const info = await stat(file)
      // Never read a named pipe or a device: it could block or never end.
      if (!info.isFile()) {
        problems.push({
          file: basename(file),
          reason: `is ${kindOf(info)}, not a file; labels from it are missing (replace it with the annotation file)`,
        })
        return null
      }
      return { text: await readFile(file, 'utf8'), stamp: `${file}:${info.size}:${info.mtimeMs}` }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      problems.push({
        file: basename(file),
        reason: `cannot be read (${code}); labels from it are missing`,
      })
      return null
    }
  }
  const loaded = await Promise.all([
    load(layout.attributes),
    load(layout.partition),
    load(layout.identities),
  ])
  const signature = loaded.map((file) => file?.stamp ?? '-')
  const [attrText, partText, idText] = loaded.map((file) => file?.text ?? null) as [
    string | null,
    string | null,
    string | null,
  ]
  let attributes = null
  if (attrText !== null && layout.attributes) {
    attributes = parseAttributes(attrText, basename(layout.attributes))
    problems.push(...attributes.problems)
    if (attributes.names.length === 0) attributes = null
  }
  let partition = null
  if (partText !== null && layout.partition) {
    const parsed = parsePartition(partText, basename(layout.partition))
    problems.push(...parsed.problems)
    partition = parsed.values
  }
  let identities = null
  if (idText !== null && layout.identities) {
    const parsed = parseIdentities(idText, basename(layout.identities))
    problems.push(...parsed.problems)
    identities = parsed.values
  }
  return {
    annotations: { attributes, partition, identities, signature: signature.join('|') },
    problems,
  }
}

interface Finished {
  id: number
  size: number
  mtimeMs: number
  file: string
  outcome: JobOutcome
}

/** Decodes every image without a valid slot; returns how many were decoded, and how many were fine. */
async function preprocessPending(
  db: Db,
  layout: DatasetLayout,
  cache: CacheInfo,
  crop: CropSpec,
  options: IngestOptions,
  problemName: (rel: string) => string,
): Promise<{ decoded: number; ok: number }> {
  const work = db
    .prepare(
      `SELECT i.id AS id, i.file AS file, i.size AS size, i.mtime_ms AS mtimeMs FROM images i
       WHERE i.status != 'bad' AND NOT EXISTS (
         SELECT 1 FROM cache_slots s WHERE s.cache_id = ? AND s.image_id = i.id
           AND s.size = i.size AND s.mtime_ms = i.mtime_ms)
       ORDER BY i.id`,
    )
    .all(cache.id) as { id: number; file: string; size: number; mtimeMs: number }[]
  const total = work.length
  options.onProgress?.({ phase: 'preprocess', done: 0, total })
  if (total === 0) return { decoded: 0, ok: 0 }

  const maxId = (db.prepare('SELECT max(id) AS n FROM images').get() as { n: number }).n
  const writer = await CacheWriter.open(cache, maxId)
  const saveSlot = db.prepare(
    'INSERT OR REPLACE INTO cache_slots (cache_id, image_id, size, mtime_ms) VALUES (?, ?, ?, ?)',
  )
  const markOk = db.prepare("UPDATE images SET status = 'ok', width = ?, height = ? WHERE id = ?")
  const markBad = db.prepare("UPDATE images SET status = 'bad' WHERE id = ?")
  const commit = db.transaction((batch: Finished[]) => {
    const problems: Problem[] = []
    for (const item of batch) {
      if (item.outcome.ok) {
        saveSlot.run(cache.id, item.id, item.size, item.mtimeMs)
        markOk.run(item.outcome.width, item.outcome.height, item.id)
      } else {
        markBad.run(item.id)
        problems.push({ file: problemName(item.file), reason: item.outcome.reason })
      }
    }
    addProblems(db, 'image', problems)
  })

  let finished: Finished[] = []
  let flushing: Promise<void> = Promise.resolve()
  // Pixels first, then the rows that make them valid: the datasync must finish before the commit.
  const flush = (): Promise<void> => {
    const batch = finished
    finished = []
    flushing = flushing.then(async () => {
      if (batch.length === 0) return
      await writer.sync()
      commit(batch)
    })
    return flushing
  }

  const threads = options.threads ?? (total >= MIN_FOR_WORKERS ? availableParallelism() : 0)
  const preprocessor = await startPreprocessor({
    cacheFile: cache.file,
    size: cache.size,
    crop,
    threads,
    writer,
  })
  let next = 0
  let done = 0
  let ok = 0
  let failure: unknown = null
  const lane = async (): Promise<void> => {
    while (next < total && failure === null && !options.signal?.aborted) {
      const items = work.slice(next, next + preprocessor.batchSize)
      next += items.length
      let outcomes: JobOutcome[]
      try {
        outcomes = await preprocessor.run(
          items.map((item) => ({ id: item.id, file: join(layout.imageDir, item.file) })),
        )
      } catch (error) {
        failure ??= error
        return
      }
      outcomes.forEach((outcome, k) => {
        finished.push({ ...(items[k] as (typeof items)[number]), outcome })
        if (outcome.ok) ok++
      })
      done += items.length
      // A failed commit rejects the chain; the final flush below rethrows it.
      if (finished.length >= COMMIT_EVERY) flush().catch(() => undefined)
      options.onProgress?.({ phase: 'preprocess', done, total })
    }
  }
  try {
    await Promise.all(Array.from({ length: preprocessor.parallelism }, lane))
    // What finished is kept even when the run stops early: a rerun resumes after it.
    await flush()
  } finally {
    await flushing.catch(() => undefined)
    await preprocessor.close()
    await writer.close()
  }
  if (failure !== null) throw failure
  if (options.signal?.aborted) throw new CancelledError('ingest cancelled; run it again to resume')
  return { decoded: done, ok }
}

/** What an ingest reports: images with a valid slot in `cache`, their splits and attribute counts. */
export function ingestSummary(db: Db, cache: CacheInfo): Omit<IngestResult, 'stats' | 'notices'> {
  const slots = validSlots(db, cache.id)
  const splits: Record<Split, number> = { train: 0, validation: 0, test: 0, unassigned: 0 }
  for (const slot of slots) splits[splitName(slot.split)]++
  const problems = (
    db.prepare(`SELECT file, line, reason FROM problems ORDER BY ${PROBLEM_ORDER}`).all() as {
      file: string
      line: number | null
      reason: string
    }[]
  ).map((p) => (p.line === null ? { file: p.file, reason: p.reason } : { ...p, line: p.line }))
  return {
    images: slots.length,
    splits,
    attributes: attributeCounts(db, cache.id),
    problems,
  }
}
