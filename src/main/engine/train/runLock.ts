import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

/**
 * One owner per run: the process that trains a run holds an exclusive SQLite lock on a small file in
 * the run's folder. SQLite's locks are the operating system's file locks, so the lock dies with its
 * process however that process ends (kill -9, crash, power loss) and no stale lock is ever left to
 * clean up, on every platform SQLite runs on.
 */

const LOCK_FILE = 'owner.lock'
const OWNER_FILE = 'owner.pid'

export interface RunLock {
  release(): void
}

/** Another process trains this run: the second one must not attach to it. */
export class RunBusyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RunBusyError'
  }

  static of(runDir: string, ownerPid: number | null): RunBusyError {
    return new RunBusyError(
      `${runDir}: this run is being trained by another process` +
        (ownerPid ? ` (pid ${ownerPid})` : '') +
        '; stop that one first (Ctrl-C or the Stop button), or wait until it ends',
    )
  }
}

/** Takes the run's lock for this process, or throws RunBusyError. */
export function acquireRunLock(runDir: string): RunLock {
  mkdirSync(runDir, { recursive: true })
  const db = new Database(join(runDir, LOCK_FILE), { timeout: 0 })
  try {
    db.exec('BEGIN EXCLUSIVE')
  } catch (error) {
    db.close()
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw RunBusyError.of(runDir, recordedOwner(runDir))
    }
    throw error
  }
  writeFileSync(join(runDir, OWNER_FILE), String(process.pid))
  let held = true
  return {
    release: () => {
      if (!held) return
      held = false
      db.exec('ROLLBACK')
      db.close()
    },
  }
}

/** Throws RunBusyError when another process holds the run's lock; takes nothing. */
export function assertRunFree(runDir: string): void {
  acquireRunLock(runDir).release()
}

function recordedOwner(runDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(runDir, OWNER_FILE), 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}
