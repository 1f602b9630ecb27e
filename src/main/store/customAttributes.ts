/** Rows of the custom_attributes tables: a run's own named attributes and their labelled faces. */
import type { Db } from './database'

export type Versus = 'rest' | 'selection'

export interface CustomAttributeRow {
  id: number
  runId: number
  name: string
  versus: Versus
  vector: Float32Array | null
  auc: number | null
  positives: number
  negatives: number
}

interface RawRow {
  id: number
  run_id: number
  name: string
  versus: Versus
  vector: Buffer | null
  auc: number | null
  positives: number
  negatives: number
}

function fromRaw(row: RawRow): CustomAttributeRow {
  let vector: Float32Array | null = null
  if (row.vector) {
    const copy = new Uint8Array(row.vector.byteLength)
    copy.set(row.vector)
    vector = new Float32Array(copy.buffer)
  }
  return {
    id: row.id,
    runId: row.run_id,
    name: row.name,
    versus: row.versus,
    vector,
    auc: row.auc,
    positives: row.positives,
    negatives: row.negatives,
  }
}

export function listCustomAttributeRows(db: Db, runId: number): CustomAttributeRow[] {
  return (
    db
      .prepare('SELECT * FROM custom_attributes WHERE run_id = ? ORDER BY created_at, id')
      .all(runId) as RawRow[]
  ).map(fromRaw)
}

/** The attribute by name (case-insensitive), or null. */
export function findCustomAttributeRow(
  db: Db,
  runId: number,
  name: string,
): CustomAttributeRow | null {
  const row = db
    .prepare('SELECT * FROM custom_attributes WHERE run_id = ? AND name = ?')
    .get(runId, name) as RawRow | undefined
  return row ? fromRaw(row) : null
}

/** Creates the attribute (or replaces its faces, keeping its id) with the given labelled faces. */
export function saveCustomAttributeFaces(
  db: Db,
  runId: number,
  name: string,
  versus: Versus,
  faces: { positives: readonly number[]; negatives: readonly number[] },
): number {
  return db.transaction(() => {
    const now = new Date().toISOString()
    db.prepare(
      `INSERT INTO custom_attributes (run_id, name, versus, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, name) DO UPDATE SET versus = excluded.versus, updated_at = excluded.updated_at`,
    ).run(runId, name, versus, now, now)
    const { id } = db
      .prepare('SELECT id FROM custom_attributes WHERE run_id = ? AND name = ?')
      .get(runId, name) as { id: number }
    db.prepare('DELETE FROM custom_attribute_faces WHERE attribute_id = ?').run(id)
    const insert = db.prepare(
      'INSERT OR REPLACE INTO custom_attribute_faces (attribute_id, image_id, label) VALUES (?, ?, ?)',
    )
    for (const imageId of faces.negatives) insert.run(id, imageId, -1)
    // Positives last: a face given in both groups counts as having the attribute.
    for (const imageId of faces.positives) insert.run(id, imageId, 1)
    return id
  })()
}

/** One face's hand label: 1 has it, −1 lacks it, 0 forgets it. */
export function setCustomAttributeFace(
  db: Db,
  attributeId: number,
  imageId: number,
  label: 1 | -1 | 0,
): void {
  if (label === 0) {
    db.prepare('DELETE FROM custom_attribute_faces WHERE attribute_id = ? AND image_id = ?').run(
      attributeId,
      imageId,
    )
  } else {
    db.prepare(
      'INSERT OR REPLACE INTO custom_attribute_faces (attribute_id, image_id, label) VALUES (?, ?, ?)',
    ).run(attributeId, imageId, label)
  }
}

/** The labelled faces of an attribute, ascending ids. */
export function customAttributeFaces(
  db: Db,
  attributeId: number,
): { positives: number[]; negatives: number[] } {
  const rows = db
    .prepare(
      'SELECT image_id, label FROM custom_attribute_faces WHERE attribute_id = ? ORDER BY image_id',
    )
    .raw(true)
    .all(attributeId) as [number, number][]
  const positives: number[] = []
  const negatives: number[] = []
  for (const [id, label] of rows) (label === 1 ? positives : negatives).push(id)
  return { positives, negatives }
}

export function storeCustomAttributeFit(
  db: Db,
  attributeId: number,
  fit: { vector: Float32Array | null; auc: number | null; positives: number; negatives: number },
): void {
  db.prepare(
    `UPDATE custom_attributes SET vector = ?, auc = ?, positives = ?, negatives = ?, updated_at = ?
     WHERE id = ?`,
  ).run(
    fit.vector
      ? Buffer.from(fit.vector.buffer, fit.vector.byteOffset, fit.vector.byteLength)
      : null,
    fit.auc,
    fit.positives,
    fit.negatives,
    new Date().toISOString(),
    attributeId,
  )
}

export function deleteCustomAttribute(db: Db, attributeId: number): void {
  db.prepare('DELETE FROM custom_attributes WHERE id = ?').run(attributeId)
}
