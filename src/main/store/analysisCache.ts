/**
 * Slow analysis results (attribute vectors, 2-D maps) kept per run in analysis_cache. A row is used
 * only while its fingerprint matches the run's current latents and labels, so encoding more images,
 * re-encoding, or re-ingesting the attributes recomputes it.
 */
import type { Db } from './database'
import { currentLatent } from './latents'

/**
 * What the cached results depend on: the run's current latents (the checkpoint step they came from,
 * how many, which images, and the bytes of the first and last μ) and the labels of those images (a
 * weighted checksum over the attribute columns). Stale latents never count, so a result computed
 * before the run was trained further no longer matches.
 */
export function latentFingerprint(db: Db, runId: number): string {
  const latents = db
    .prepare(
      `SELECT count(*) AS n, total(image_id) AS ids, max(image_id) AS last,
              min(image_id) AS first, max(step) AS step FROM latents
       WHERE run_id = ? AND ${currentLatent()}`,
    )
    .get(runId) as {
    n: number
    ids: number
    last: number | null
    first: number | null
    step: number | null
  }
  const ends = db
    .prepare(
      `SELECT hex(mu) AS h FROM latents WHERE run_id = ? AND image_id IN (?, ?) AND ${currentLatent()}`,
    )
    .all(runId, latents.first ?? 0, latents.last ?? 0) as { h: string }[]
  const names = (
    db.prepare('SELECT idx, name FROM attribute_names ORDER BY idx').all() as {
      idx: number
      name: string
    }[]
  ).map((row) => row.name)
  const weighted = names.map((_, k) => `coalesce(a.a${k}, 0) * ${k + 1}`).join(' + ') || '0'
  const labels = db
    .prepare(
      `SELECT total(l.image_id * (${weighted})) AS sum, total(coalesce(i.split, 7) * l.image_id) AS splits
       FROM latents l JOIN images i ON i.id = l.image_id
       LEFT JOIN image_attributes a ON a.image_id = l.image_id
       WHERE l.run_id = ? AND ${currentLatent('l')}`,
    )
    .get(runId) as { sum: number; splits: number }
  const endHash = ends.map((row) => shortHash(row.h)).join('.')
  return [
    latents.step ?? 'none',
    latents.n,
    latents.ids,
    latents.last ?? 0,
    endHash,
    names.length,
    shortHash(names.join('|')),
    labels.sum,
    labels.splits,
  ].join(':')
}

/** FNV-1a, enough to notice a change (not for security). */
function shortHash(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16)
}

export function readCached(
  db: Db,
  runId: number,
  kind: string,
  key: string,
  fingerprint: string,
): Buffer | null {
  const row = db
    .prepare(
      'SELECT fingerprint, data FROM analysis_cache WHERE run_id = ? AND kind = ? AND key = ?',
    )
    .get(runId, kind, key) as { fingerprint: string; data: Buffer } | undefined
  return row && row.fingerprint === fingerprint ? row.data : null
}

export function writeCached(
  db: Db,
  runId: number,
  kind: string,
  key: string,
  fingerprint: string,
  data: Buffer,
): void {
  db.prepare(
    `INSERT OR REPLACE INTO analysis_cache (run_id, kind, key, fingerprint, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(runId, kind, key, fingerprint, data, new Date().toISOString())
}
