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

/**
 * The SQL condition of a current latent: one encoded with the checkpoint its run has now (the run's
 * steps_done is the step of its last checkpoint). Others are stale and no reader may use them.
 */
export function currentLatent(alias = 'latents'): string {
  return `${alias}.step = (SELECT steps_done FROM runs WHERE runs.id = ${alias}.run_id)`
}

/** Stores latents encoded with the run's checkpoint of `step`, replacing what the images had. */
export function insertLatents(
  db: Db,
  runId: number,
  step: number,
  rows: readonly LatentRow[],
): void {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO latents (run_id, image_id, mu, logvar, step) VALUES (?, ?, ?, ?, ?)',
  )
  db.transaction(() => {
    for (const row of rows) {
      insert.run(runId, row.imageId, toBlob(row.mu), toBlob(row.logVar), step)
    }
  })()
}

/** Latents of the run's current checkpoint. */
export function countLatents(db: Db, runId: number): number {
  return (
    db
      .prepare(`SELECT count(*) AS n FROM latents WHERE run_id = ? AND ${currentLatent()}`)
      .get(runId) as { n: number }
  ).n
}

/** Latents of the run that came from another checkpoint than its current one. */
export function countStaleLatents(db: Db, runId: number): number {
  return (
    db
      .prepare(
        `SELECT count(*) AS n FROM latents WHERE run_id = ? AND NOT coalesce(${currentLatent()}, 0)`,
      )
      .get(runId) as { n: number }
  ).n
}

/** Image ids that have a latent of this run encoded with its checkpoint of `step`. */
export function encodedImageIds(db: Db, runId: number, step: number): Set<number> {
  const rows = db
    .prepare('SELECT image_id AS id FROM latents WHERE run_id = ? AND step = ?')
    .all(runId, step) as { id: number }[]
  return new Set(rows.map((r) => r.id))
}

/** All current latents of a run in image-id order, as one N×D matrix of μ (and of log σ²). */
export function readLatentMatrix(
  db: Db,
  runId: number,
): { imageIds: Int32Array; mu: Float32Array; logVar: Float32Array; dim: number } {
  const rows = db
    .prepare(
      `SELECT image_id AS id, mu, logvar FROM latents WHERE run_id = ? AND ${currentLatent()}
       ORDER BY image_id`,
    )
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
    .prepare(
      `SELECT mu, logvar FROM latents WHERE run_id = ? AND image_id = ? AND ${currentLatent()}`,
    )
    .get(runId, imageId) as { mu: Buffer; logvar: Buffer } | undefined
  return row ? { imageId, mu: fromBlob(row.mu), logVar: fromBlob(row.logvar) } : null
}
