/**
 * A checkpoint is written to `checkpoint.ckpt.tmp-PID` and renamed into place; a writer killed in
 * between leaves the temporary behind, as large as the checkpoint. Those whose writer is gone are
 * removed when the project opens; a live writer's (another process training) are left alone.
 */
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { processAlive } from './runs'

const TEMPORARY = /\.ckpt\.tmp-(\d+)$/

/** Removes orphaned checkpoint temporaries in every run folder; returns their paths. */
export function removeOrphanedCheckpointTemps(
  runsDir: string,
  alive: (pid: number) => boolean = processAlive,
): string[] {
  const removed: string[] = []
  for (const run of safeList(runsDir)) {
    const dir = join(runsDir, run)
    if (!isDirectory(dir)) continue
    for (const name of safeList(dir)) {
      const pid = Number(TEMPORARY.exec(name)?.[1])
      if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue
      rmSync(join(dir, name), { force: true })
      removed.push(join(dir, name))
    }
  }
  return removed
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
