/** The dataset as the UI shows it: counts by split, attribute counts, problems. Answered by SQLite. */
import type { DatasetSummary, Problem, Split } from '../../shared/contract'
import type { Db } from '../store/database'
import { attributeNames } from '../store/images'
import { splitName } from './splits'

/** Scan, then annotation, then decode problems, each in the order found. */
export const PROBLEM_ORDER =
  "CASE stage WHEN 'scan' THEN 0 WHEN 'annotations' THEN 1 ELSE 2 END, id"

/** Problems listed in a summary; problemCount has them all. */
const LISTED_PROBLEMS = 500

/**
 * Attribute name → images where it is 1: among images with a valid slot in cache `cacheId`, or
 * among all 'ok' images when no cache is given.
 */
export function attributeCounts(db: Db, cacheId?: number): Record<string, number> {
  const names = attributeNames(db)
  if (names.length === 0) return {}
  const sums = names.map((_, i) => `coalesce(sum(a.a${i} = 1), 0) AS c${i}`).join(', ')
  const where =
    cacheId === undefined
      ? "i.status = 'ok'"
      : `i.status = 'ok' AND EXISTS (SELECT 1 FROM cache_slots s WHERE s.cache_id = ${Number(cacheId)}
           AND s.image_id = i.id AND s.size = i.size AND s.mtime_ms = i.mtime_ms)`
  const row = db
    .prepare(
      `SELECT ${sums} FROM image_attributes a JOIN images i ON i.id = a.image_id WHERE ${where}`,
    )
    .get() as Record<string, number>
  return Object.fromEntries(names.map((name, i) => [name, row[`c${i}`] ?? 0]))
}

export function datasetSummary(db: Db): DatasetSummary {
  const dataset = db.prepare('SELECT root, layout FROM dataset WHERE id = 1').get() as
    { root: string; layout: string } | undefined
  const splits: Record<Split, number> = { train: 0, validation: 0, test: 0, unassigned: 0 }
  let images = 0
  for (const row of db
    .prepare("SELECT split, count(*) AS n FROM images WHERE status = 'ok' GROUP BY split")
    .all() as { split: number | null; n: number }[]) {
    splits[splitName(row.split)] += row.n
    images += row.n
  }
  const problems = (
    db
      .prepare('SELECT file, line, reason FROM problems ORDER BY id LIMIT ?')
      .all(LISTED_PROBLEMS) as {
      file: string
      line: number | null
      reason: string
    }[]
  ).map((p): Problem =>
    p.line === null ? { file: p.file, reason: p.reason } : { ...p, line: p.line },
  )
  const problemCount = (db.prepare('SELECT count(*) AS n FROM problems').get() as { n: number }).n
  return {
    root: dataset?.root ?? null,
    layout: dataset?.layout ?? null,
    images,
    splits,
    attributes: attributeCounts(db),
    attributeNames: attributeNames(db),
    problems,
    problemCount,
  }
}
