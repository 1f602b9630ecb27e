/**
 * What must hold after any kill, whenever it came: the database passes SQLite's own check, the
 * checkpoint (if any) loads, exports are whole files or absent, and no temporary files are left
 * where a person looks once the interrupted command has run again.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { readCheckpointFile } from '../../src/main/engine/train/checkpoint'
import { CHECKPOINT_FILE } from '../../src/main/engine/train/loop'

/** `PRAGMA integrity_check` and foreign keys; returns what is wrong, or null. */
export function databaseProblem(file: string): string | null {
  if (!existsSync(file)) return null
  const db = new Database(file)
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    const report = rows.map((r) => r.integrity_check).join('; ')
    if (report !== 'ok') return `${file}: integrity_check: ${report}`
    const orphans = db.pragma('foreign_key_check') as unknown[]
    if (orphans.length > 0) return `${file}: ${orphans.length} rows fail foreign_key_check`
    return null
  } finally {
    db.close()
  }
}

export interface RunState {
  id: number
  status: string
  stepsDone: number
  targetSteps: number
  dir: string
}

export function latestRun(databaseFile: string): RunState | null {
  if (!existsSync(databaseFile)) return null
  const db = new Database(databaseFile, { readonly: true })
  try {
    const row = db
      .prepare(
        `SELECT id, status, steps_done AS stepsDone, target_steps AS targetSteps, dir
         FROM runs ORDER BY id DESC LIMIT 1`,
      )
      .get() as RunState | undefined
    return row ?? null
  } catch {
    // killed before the schema had a runs table
    return null
  } finally {
    db.close()
  }
}

/** The step of the run's checkpoint, 0 when it has none; throws when the file is damaged. */
export function checkpointStep(runDir: string): number {
  const file = join(runDir, CHECKPOINT_FILE)
  if (!existsSync(file)) return 0
  return readCheckpointFile(file).header.step
}

/** Frames of an animated export, decoding every one; throws when the file is not whole. */
export async function animationFrames(file: string): Promise<number> {
  const meta = await sharp(file, { animated: true }).metadata()
  await sharp(file, { animated: true }).raw().toBuffer()
  return meta.pages ?? 1
}

/** Temporary files (`*.tmp-*`) under the given folders, one level of subfolders deep. */
export function temporaries(folders: string[]): string[] {
  const found: string[] = []
  const visit = (dir: string, depth: number): void => {
    if (!existsSync(dir)) return
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (/\.tmp-/.test(name)) found.push(path)
      else if (depth > 0 && statSync(path).isDirectory()) visit(path, depth - 1)
    }
  }
  for (const folder of folders) visit(folder, 1)
  return found
}
