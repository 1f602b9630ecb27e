import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

export interface RunRowSeen {
  id: number
  status: string
  stepsDone: number
  dir: string
}

/** The newest run of a project, read the way a second process sees it; null before there is one. */
export function newestRun(projectDir: string): RunRowSeen | null {
  const file = join(projectDir, 'studio.db')
  if (!existsSync(file)) return null
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return (
      (db
        .prepare(
          'SELECT id, status, steps_done AS stepsDone, dir FROM runs ORDER BY id DESC LIMIT 1',
        )
        .get() as RunRowSeen | undefined) ?? null
    )
  } catch {
    return null // the schema is not there yet
  } finally {
    db.close()
  }
}

/**
 * Waits until the project's newest run is newer than `afterRun` and its recorded checkpoint has
 * reached `stepsDone`: the run's own rows, whatever the host's speed. Fails with what was seen when
 * the process ends first, or when nothing comes for `limitMs` (a hang, not a slow host).
 */
export function waitForCheckpoint(
  projectDir: string,
  options: { afterRun: number; stepsDone: number; child: ChildProcess; limitMs?: number },
): Promise<RunRowSeen> {
  const limitMs = options.limitMs ?? 300_000
  return new Promise((resolve, reject) => {
    let stderr = ''
    const onData = (chunk: Buffer): void => void (stderr += chunk.toString())
    options.child.stderr?.on('data', onData)
    const finish = (outcome: () => void): void => {
      clearInterval(timer)
      clearTimeout(deadline)
      options.child.off('exit', onExit)
      options.child.stderr?.off('data', onData)
      outcome()
    }
    const onExit = (code: number | null): void =>
      finish(() =>
        reject(
          new Error(
            `the process exited (${code}) before the run reached step ${options.stepsDone}: ${stderr}`,
          ),
        ),
      )
    options.child.on('exit', onExit)
    const timer = setInterval(() => {
      const run = newestRun(projectDir)
      if (run && run.id > options.afterRun && run.stepsDone >= options.stepsDone) {
        finish(() => resolve(run))
      }
    }, 50)
    const deadline = setTimeout(() => {
      const run = newestRun(projectDir)
      finish(() =>
        reject(
          new Error(
            `no checkpoint at step ${options.stepsDone} within ${limitMs / 1000} s; newest run: ${JSON.stringify(run)}; stderr: ${stderr}`,
          ),
        ),
      )
    }, limitMs)
  })
}

/** Resolves with the exit code and signal once the process has ended. */
export function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode })
    } else child.on('exit', (code, signal) => resolve({ code, signal }))
  })
}
