/**
 * Loading a run's latents (and, aligned with them, the images' attribute labels and splits) from
 * SQLite in one pass, in the layouts the analysis functions take: N×D Float32Array and N×A Int8Array.
 */
import type { Db } from './database'
import { attributeNames } from './images'
import { countLatents, currentLatent } from './latents'

export interface LatentTable {
  runId: number
  n: number
  dim: number
  /** Ascending dataset image ids, one per row. */
  imageIds: Int32Array
  mu: Float32Array
  /** Only when asked for (statistics need it; vectors and maps do not). */
  logVar: Float32Array | null
}

export interface LabelTable {
  names: string[]
  /** N×A: 1 has it, −1 has not, 0 unknown. */
  labels: Int8Array
  /** Per row: the images.split code (0 train, 1 validation, 2 test), −1 where unassigned. */
  splits: Int8Array
}

/** Copies a blob into a destination at a float offset (blobs need not be 4-byte aligned). */
function copyFloats(blob: Buffer, into: Float32Array, offset: number): void {
  new Uint8Array(into.buffer, into.byteOffset + offset * 4, blob.byteLength).set(blob)
}

function latentDim(db: Db, runId: number): number {
  const row = db
    .prepare(
      `SELECT length(mu) AS bytes FROM latents WHERE run_id = ? AND ${currentLatent()} LIMIT 1`,
    )
    .get(runId) as { bytes: number } | undefined
  return row ? row.bytes / 4 : 0
}

/**
 * μ (and optionally log σ²) of every encoded image of a run, plus its labels when asked. Raw rows
 * and a preallocated matrix: no per-row objects beyond what the driver makes, so 200k rows load in
 * well under a second.
 */
export function loadLatentTable(
  db: Db,
  runId: number,
  options: { logVar?: boolean; limit?: number } = {},
): LatentTable {
  const dim = latentDim(db, runId)
  const total = countLatents(db, runId)
  const n = options.limit !== undefined ? Math.min(total, options.limit) : total
  const imageIds = new Int32Array(n)
  const mu = new Float32Array(n * dim)
  const logVar = options.logVar ? new Float32Array(n * dim) : null
  if (n === 0) return { runId, n: 0, dim, imageIds, mu, logVar }
  const rows = db
    .prepare(
      `SELECT image_id, mu${logVar ? ', logvar' : ''} FROM latents
       WHERE run_id = ? AND ${currentLatent()} ORDER BY image_id LIMIT ?`,
    )
    .raw(true)
  let i = 0
  for (const row of rows.iterate(runId, n) as Iterable<[number, Buffer, Buffer?]>) {
    if (row[1].byteLength !== dim * 4) {
      throw new Error(
        `latents of run ${runId}: image ${row[0]} has ${row[1].byteLength / 4} values, others have ${dim}; re-encode the run`,
      )
    }
    imageIds[i] = row[0]
    copyFloats(row[1], mu, i * dim)
    if (logVar && row[2]) copyFloats(row[2], logVar, i * dim)
    i++
  }
  return { runId, n: i, dim, imageIds, mu, logVar }
}

/** Labels and splits of the given images (ascending ids), aligned with them. */
export function loadLabels(db: Db, imageIds: Int32Array): LabelTable {
  const names = attributeNames(db)
  const a = names.length
  const n = imageIds.length
  const labels = new Int8Array(n * a)
  const splits = new Int8Array(n).fill(-1)
  if (n === 0) return { names, labels, splits }
  const columns = names.map((_, k) => `, a.a${k}`).join('')
  const stmt = db
    .prepare(
      `SELECT i.id, i.split${columns} FROM images i
       LEFT JOIN image_attributes a ON a.image_id = i.id
       WHERE i.id BETWEEN ? AND ? ORDER BY i.id`,
    )
    .raw(true)
  // Both sides are ascending: a merge walk instead of a lookup per row.
  let r = 0
  for (const row of stmt.iterate(imageIds[0], imageIds[n - 1]) as Iterable<(number | null)[]>) {
    const id = row[0] as number
    while (r < n && (imageIds[r] as number) < id) r++
    if (r >= n) break
    if (imageIds[r] !== id) continue
    const split = row[1]
    if (split !== null && split !== undefined) splits[r] = split
    for (let k = 0; k < a; k++) {
      const v = row[k + 2]
      labels[r * a + k] = v === 1 ? 1 : v === -1 ? -1 : 0
    }
  }
  return { names, labels, splits }
}
