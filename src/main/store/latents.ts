import type { Db } from './database'

export interface LatentRow {
  imageId: number
  mu: Float32Array
  logVar: Float32Array
}

function toBlob(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength)
}

function fromBlob(blob: Buffer): Float32Array {
  // Copy: SQLite's buffer is not guaranteed to be 4-byte aligned.
  const copy = new Uint8Array(blob.byteLength)
  copy.set(blob)
  return new Float32Array(copy.buffer)
}

export function insertLatents(db: Db, runId: number, rows: readonly LatentRow[]): void {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO latents (run_id, image_id, mu, logvar) VALUES (?, ?, ?, ?)',
  )
  db.transaction(() => {
    for (const row of rows) insert.run(runId, row.imageId, toBlob(row.mu), toBlob(row.logVar))
  })()
}

export function countLatents(db: Db, runId: number): number {
  return (
    db.prepare('SELECT count(*) AS n FROM latents WHERE run_id = ?').get(runId) as { n: number }
  ).n
}

/** Image ids that have a latent for this run. */
export function encodedImageIds(db: Db, runId: number): Set<number> {
  const rows = db.prepare('SELECT image_id AS id FROM latents WHERE run_id = ?').all(runId) as {
    id: number
  }[]
  return new Set(rows.map((r) => r.id))
}

/** All latents of a run in image-id order, as one N×D matrix of μ (and of log σ²). */
export function readLatentMatrix(
  db: Db,
  runId: number,
): { imageIds: Int32Array; mu: Float32Array; logVar: Float32Array; dim: number } {
  const rows = db
    .prepare('SELECT image_id AS id, mu, logvar FROM latents WHERE run_id = ? ORDER BY image_id')
    .all(runId) as { id: number; mu: Buffer; logvar: Buffer }[]
  const dim = rows.length > 0 ? (rows[0] as { mu: Buffer }).mu.byteLength / 4 : 0
  const imageIds = new Int32Array(rows.length)
  const mu = new Float32Array(rows.length * dim)
  const logVar = new Float32Array(rows.length * dim)
  rows.forEach((row, i) => {
    imageIds[i] = row.id
    mu.set(fromBlob(row.mu), i * dim)
    logVar.set(fromBlob(row.logvar), i * dim)
  })
  return { imageIds, mu, logVar, dim }
}

export function latentOf(db: Db, runId: number, imageId: number): LatentRow | null {
  const row = db
    .prepare('SELECT mu, logvar FROM latents WHERE run_id = ? AND image_id = ?')
    .get(runId, imageId) as { mu: Buffer; logvar: Buffer } | undefined
  return row ? { imageId, mu: fromBlob(row.mu), logVar: fromBlob(row.logvar) } : null
}
