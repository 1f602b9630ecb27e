/**
 * Brings the database's view of the dataset in line with a scan: new, changed (size or mtime) and
 * removed files, labels (attributes, split, identity) and the problems found on the way. Unchanged
 * images keep their status and cache slots; changed ones go back to 'pending' and lose their slots.
 */
import type { Problem } from '../../shared/contract'
import type { Db } from '../store/database'
import type { ScannedFile } from './scan'
import type { AttributeTable } from './annotations/attributes'

export interface Annotations {
  attributes: AttributeTable | null
  partition: Map<string, number> | null
  identities: Map<string, number> | null
  /** changes whenever an annotation file does: labels are rewritten for every image then */
  signature: string
}

export interface CatalogChanges {
  added: number
  changed: number
  removed: number
  unchanged: number
  /** latents that went with removed images */
  latentsDropped: number
}

export type ProblemStage = 'scan' | 'annotations' | 'image'

export const SIGNATURE_KEY = 'dataset.annotations'
/** Unmatched rows/files are listed one by one up to this many, then counted in one line. */
const LISTED_UNMATCHED = 10

/**
 * `sameBytesBy: 'size'` (the dataset moved or was copied) matches files by name and size alone and
 * carries the new modification times over to the rows and their cache slots.
 */
export function syncImages(
  db: Db,
  files: ScannedFile[],
  problemName: (rel: string) => string,
  sameBytesBy: 'size-and-mtime' | 'size' = 'size-and-mtime',
): CatalogChanges & { touched: Set<number> } {
  const existing = new Map<string, { id: number; size: number; mtime_ms: number }>()
  for (const row of db
    .prepare('SELECT id, file, size, mtime_ms FROM images')
    .iterate() as Iterable<{
    id: number
    file: string
    size: number
    mtime_ms: number
  }>) {
    existing.set(row.file, row)
  }
  const insert = db.prepare(
    "INSERT INTO images (file, size, mtime_ms, status) VALUES (?, ?, ?, 'pending')",
  )
  const update = db.prepare(
    "UPDATE images SET size = ?, mtime_ms = ?, status = 'pending', width = NULL, height = NULL WHERE id = ?",
  )
  const dropSlots = db.prepare('DELETE FROM cache_slots WHERE image_id = ?')
  const retime = db.prepare('UPDATE images SET mtime_ms = ? WHERE id = ?')
  const retimeSlots = db.prepare(
    'UPDATE cache_slots SET mtime_ms = ? WHERE image_id = ? AND size = ? AND mtime_ms = ?',
  )
  const latentsOf = db.prepare('SELECT count(*) AS n FROM latents WHERE image_id = ?')
  const dropProblems = db.prepare("DELETE FROM problems WHERE stage = 'image' AND file = ?")
  const remove = db.prepare('DELETE FROM images WHERE id = ?')
  const touched = new Set<number>()
  const changes: CatalogChanges = {
    added: 0,
    changed: 0,
    removed: 0,
    unchanged: 0,
    latentsDropped: 0,
  }

  for (const file of files) {
    const row = existing.get(file.rel)
    existing.delete(file.rel)
    if (!row) {
      touched.add(Number(insert.run(file.rel, file.size, file.mtimeMs).lastInsertRowid))
      changes.added++
    } else if (sameBytesBy === 'size' && row.size === file.size) {
      if (row.mtime_ms !== file.mtimeMs) {
        retime.run(file.mtimeMs, row.id)
        retimeSlots.run(file.mtimeMs, row.id, row.size, row.mtime_ms)
      }
      changes.unchanged++
    } else if (row.size !== file.size || row.mtime_ms !== file.mtimeMs) {
      update.run(file.size, file.mtimeMs, row.id)
      dropSlots.run(row.id)
      dropProblems.run(problemName(file.rel))
      touched.add(row.id)
      changes.changed++
    } else {
      changes.unchanged++
    }
  }
  for (const [rel, row] of existing) {
    changes.latentsDropped += (latentsOf.get(row.id) as { n: number }).n
    remove.run(row.id)
    dropProblems.run(problemName(rel))
    changes.removed++
  }
  return { ...changes, touched }
}

/**
 * Writes labels for the touched images, or for all of them when the annotation files changed, and
 * returns the matching problems: rows naming files that are not there, files without rows.
 */
export function syncAnnotations(
  db: Db,
  annotations: Annotations,
  touched: Set<number>,
  names: { attributes: string; partition: string },
  problemName: (rel: string) => string,
): Problem[] {
  const attrs = annotations.attributes
  const attributeNames = attrs?.names ?? []
  const storedNames = (
    db.prepare('SELECT name FROM attribute_names ORDER BY idx').all() as { name: string }[]
  ).map((row) => row.name)
  const previous = db.prepare('SELECT value FROM settings WHERE key = ?').get(SIGNATURE_KEY) as
    { value: string } | undefined
  const rewriteAll =
    previous?.value !== annotations.signature ||
    storedNames.join('\n') !== attributeNames.join('\n')

  if (storedNames.join('\n') !== attributeNames.join('\n')) {
    db.exec('DELETE FROM attribute_names')
    const insertName = db.prepare('INSERT INTO attribute_names (idx, name) VALUES (?, ?)')
    attributeNames.forEach((name, idx) => insertName.run(idx, name))
  }
  if (rewriteAll) db.exec('DELETE FROM image_attributes')

  const rowOf = new Map<string, number>()
  attrs?.files.forEach((file, row) => rowOf.set(file, row))
  const n = attributeNames.length
  const columns = Array.from({ length: n }, (_, i) => `a${i}`)
  const insertAttrs =
    n > 0
      ? db.prepare(
          `INSERT OR REPLACE INTO image_attributes (image_id, ${columns.join(', ')}) VALUES (?${', ?'.repeat(n)})`,
        )
      : null
  const dropAttrs = db.prepare('DELETE FROM image_attributes WHERE image_id = ?')
  const setLabels = db.prepare('UPDATE images SET split = ?, identity = ? WHERE id = ?')

  const usedAttr = new Set<string>()
  const usedPartition = new Set<string>()
  const noAttrRow: string[] = []
  const noPartitionRow: string[] = []
  const params: (number | null)[] = new Array(n + 1)

  for (const image of db.prepare('SELECT id, file FROM images ORDER BY id').all() as {
    id: number
    file: string
  }[]) {
    const attrKey = keyFor(image.file, rowOf)
    const partKey = annotations.partition ? keyFor(image.file, annotations.partition) : null
    const idKey = annotations.identities ? keyFor(image.file, annotations.identities) : null
    if (attrKey !== null) usedAttr.add(attrKey)
    else if (attrs) noAttrRow.push(image.file)
    if (partKey !== null) usedPartition.add(partKey)
    else if (annotations.partition) noPartitionRow.push(image.file)
    if (!rewriteAll && !touched.has(image.id)) continue

    const split = partKey !== null ? (annotations.partition?.get(partKey) ?? null) : null
    const identity = idKey !== null ? (annotations.identities?.get(idKey) ?? null) : null
    setLabels.run(split, identity, image.id)
    if (insertAttrs && attrs && attrKey !== null) {
      const row = rowOf.get(attrKey) as number
      params[0] = image.id
      for (let i = 0; i < n; i++) {
        const v = attrs.values[row * n + i] as number
        params[i + 1] = v === 0 ? null : v
      }
      insertAttrs.run(params)
    } else if (!rewriteAll) {
      dropAttrs.run(image.id)
    }
  }
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(SIGNATURE_KEY, annotations.signature)

  const problems: Problem[] = []
  if (attrs) {
    const missing = attrs.files.filter((file) => !usedAttr.has(file))
    problems.push(
      ...unmatched(names.attributes, missing, 'row for a file that is not in the image folder'),
    )
    problems.push(
      ...unmatched(
        names.attributes,
        noAttrRow.map(problemName),
        'image without an attribute row',
        true,
      ),
    )
  }
  if (annotations.partition) {
    const missing = [...annotations.partition.keys()].filter((file) => !usedPartition.has(file))
    problems.push(
      ...unmatched(names.partition, missing, 'row for a file that is not in the image folder'),
    )
    problems.push(
      ...unmatched(
        names.partition,
        noPartitionRow.map(problemName),
        'image without a split row (unassigned)',
        true,
      ),
    )
  }
  return problems
}

/** Annotation files name images by file name; nested plain folders use the relative path. */
function keyFor(file: string, table: Map<string, number>): string | null {
  if (table.has(file)) return file
  const slash = file.lastIndexOf('/')
  if (slash >= 0) {
    const base = file.slice(slash + 1)
    if (table.has(base)) return base
  }
  return null
}

function unmatched(source: string, files: string[], reason: string, perImage = false): Problem[] {
  const listed = files
    .slice(0, LISTED_UNMATCHED)
    .map((file) =>
      perImage
        ? { file, reason: `${reason} in ${source}` }
        : { file: source, reason: `${reason}: ${file}` },
    )
  if (files.length > LISTED_UNMATCHED) {
    listed.push({
      file: source,
      reason: `${reason}: ${files.length - LISTED_UNMATCHED} more (${files.length} in all)`,
    })
  }
  return listed
}

export function replaceProblems(db: Db, stage: ProblemStage, problems: Problem[]): void {
  db.prepare('DELETE FROM problems WHERE stage = ?').run(stage)
  addProblems(db, stage, problems)
}

export function addProblems(db: Db, stage: ProblemStage, problems: Problem[]): void {
  const insert = db.prepare('INSERT INTO problems (file, line, reason, stage) VALUES (?, ?, ?, ?)')
  for (const p of problems) insert.run(p.file, p.line ?? null, p.reason, stage)
}
