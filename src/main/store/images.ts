/** The project's images as the studio looks them up: by file name, by id, all of them, by search. */
import type { Db } from './database'

export interface ImageRef {
  id: number
  file: string
}

/** An image named as ingested, or by its last path segment ("000010.jpg" in a nested folder). */
export const FILE_MATCH = "(i.file = ? OR i.file LIKE '%/' || ?)"

/** The ingested image with that file name (the shortest path wins), or null. */
export function findImageByFile(db: Db, file: string): ImageRef | null {
  const row = db
    .prepare(
      `SELECT i.id AS id, i.file AS file FROM images i
       WHERE ${FILE_MATCH} AND i.status = 'ok' ORDER BY length(i.file) LIMIT 1`,
    )
    .get(file, file) as ImageRef | undefined
  return row ?? null
}

/** The ingested image with that id, or null. */
export function findImageById(db: Db, id: number): ImageRef | null {
  const row = db.prepare("SELECT id, file FROM images WHERE id = ? AND status = 'ok'").get(id) as
    ImageRef | undefined
  return row ?? null
}

/** Ingested images whose file name contains `text`: exact names first, then shorter paths. */
export function searchImagesByFile(db: Db, text: string, limit: number): ImageRef[] {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return db
    .prepare(
      `SELECT i.id AS id, i.file AS file FROM images i
       WHERE i.status = 'ok' AND i.file LIKE ? ESCAPE '\\'
       ORDER BY ${FILE_MATCH} DESC, length(i.file), i.id LIMIT ?`,
    )
    .all(pattern, text, text, limit) as ImageRef[]
}

/** The file of each id, or `#id` where there is none. */
export function imageFiles(db: Db, ids: readonly number[]): string[] {
  const stmt = db.prepare('SELECT file FROM images WHERE id = ?')
  return ids.map((id) => (stmt.get(id) as { file: string } | undefined)?.file ?? `#${id}`)
}

/** Every ingested image, ascending ids. */
export function okImages(db: Db): ImageRef[] {
  return db
    .prepare("SELECT id, file FROM images WHERE status = 'ok' ORDER BY id")
    .all() as ImageRef[]
}

/** The ids of every ingested image, ascending. */
export function okImageIds(db: Db): Int32Array {
  const rows = db
    .prepare("SELECT id FROM images WHERE status = 'ok' ORDER BY id")
    .raw(true)
    .all() as [number][]
  return Int32Array.from(rows, (r) => r[0])
}

export function countOkImages(db: Db): number {
  return (db.prepare("SELECT count(*) AS n FROM images WHERE status = 'ok'").get() as { n: number })
    .n
}

/** The ids of every image the project knows, ingested or not. */
export function knownImageIds(db: Db): Set<number> {
  return new Set(db.prepare('SELECT id FROM images').pluck().all() as number[])
}

/** The dataset's attribute names, in column order. */
export function attributeNames(db: Db): string[] {
  return (
    db.prepare('SELECT name FROM attribute_names ORDER BY idx').all() as { name: string }[]
  ).map((row) => row.name)
}
