/**
 * Saved morph timelines in the project's `timelines` table: name and run in columns, the timeline and
 * its keyframes' sources as one JSON document, validated against the schema whenever it is read back.
 */
import type { z } from 'zod'
import { savedTimelineSchema } from '../../shared/contractMorph'
import type { Db } from './database'
import { getRun } from './runs'

export type StoredTimeline = z.output<typeof savedTimelineSchema>

export interface TimelineSummary {
  id: number
  name: string
  updatedAt: string
  keyframes: number
}

interface TimelineRow {
  id: number
  name: string
  run_id: number | null
  data: string
  updated_at: string
}

/** The JSON column holds what the row's columns do not: the timeline and the sources. */
const storedDataSchema = savedTimelineSchema.pick({ timeline: true, sources: true })

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue?.path.length ? issue.path.join('.') : '(root)'
  return `${where}: ${issue?.message ?? 'invalid'}`
}

function checkTimeline(db: Db, value: StoredTimeline): void {
  const keyframes = value.timeline.keyframes.length
  if (value.sources.length !== keyframes) {
    throw new Error(
      `timeline "${value.name}": ${value.sources.length} sources for ${keyframes} keyframes; give one source per keyframe, in order`,
    )
  }
  if (value.runId !== null && !getRun(db, value.runId)) {
    throw new Error(`timeline "${value.name}": there is no run ${value.runId} in this project`)
  }
}

export function listTimelines(db: Db): TimelineSummary[] {
  const rows = db
    .prepare('SELECT id, name, data, updated_at FROM timelines ORDER BY updated_at DESC, id DESC')
    .all() as Omit<TimelineRow, 'run_id'>[]
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    updatedAt: row.updated_at,
    // A damaged row still lists (with 0 keyframes) so it can be found and deleted; opening it says what is wrong.
    keyframes: keyframeCount(row.data),
  }))
}

function keyframeCount(data: string): number {
  try {
    const keyframes = (JSON.parse(data) as { timeline?: { keyframes?: unknown } })?.timeline
      ?.keyframes
    return Array.isArray(keyframes) ? keyframes.length : 0
  } catch {
    return 0
  }
}

export function getTimeline(
  db: Db,
  id: number,
): StoredTimeline & { id: number; updatedAt: string } {
  const row = db
    .prepare('SELECT id, name, run_id, data, updated_at FROM timelines WHERE id = ?')
    .get(id) as TimelineRow | undefined
  if (!row) throw new Error(`timeline ${id}: there is no such timeline in this project`)
  const what = `timeline ${id} ("${row.name}")`
  let json: unknown
  try {
    json = JSON.parse(row.data)
  } catch (error) {
    throw new Error(
      `${what}: the saved data is not valid JSON (${(error as Error).message}); delete it and save it again`,
      { cause: error },
    )
  }
  const parsed = storedDataSchema.safeParse(json)
  if (!parsed.success) {
    throw new Error(
      `${what}: the saved data is damaged (${describeIssue(parsed.error)}); delete it and save it again`,
    )
  }
  return {
    id: row.id,
    name: row.name,
    runId: row.run_id,
    timeline: parsed.data.timeline,
    sources: parsed.data.sources,
    updatedAt: row.updated_at,
  }
}

/** Inserts a new timeline, or replaces the one with `id`; returns its id. */
export function saveTimeline(db: Db, value: StoredTimeline, id?: number): number {
  checkTimeline(db, value)
  const data = JSON.stringify({ timeline: value.timeline, sources: value.sources })
  const now = new Date().toISOString()
  if (id === undefined) {
    const result = db
      .prepare(
        'INSERT INTO timelines (name, run_id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(value.name, value.runId, data, now, now)
    return Number(result.lastInsertRowid)
  }
  const result = db
    .prepare('UPDATE timelines SET name = ?, run_id = ?, data = ?, updated_at = ? WHERE id = ?')
    .run(value.name, value.runId, data, now, id)
  if (result.changes === 0) {
    throw new Error(`timeline ${id}: there is no such timeline to update; save it without an id`)
  }
  return id
}

export function deleteTimeline(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM timelines WHERE id = ?').run(id).changes > 0
}
