/**
 * The fault script's view of the processes it starts: each command runs in its own process group,
 * so the script can find a command's worker, wait until nothing of the command is left, and clean
 * up whatever outlived it. Linux only (/proc).
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

export interface Launched {
  pid: number
  /** Resolves when the command's own process has exited (code, or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stdout: () => string
  stderr: () => string
}

/** Starts `node script ...args` in a new process group. */
export function launch(script: string, args: string[], cwd: string): Launched {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return { pid: child.pid as number, exited, stdout: () => out, stderr: () => err }
}

/** Direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = []
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return found
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      if (text) found.push(...text.split(/\s+/).map(Number))
    } catch {
      // the task ended while we looked
    }
  }
  return found
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

/** Whether any process of the group `pgid` is still there (zombies of a dead parent included). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch {
    return false
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `test` every `everyMs` until it holds or `limitMs` passes; returns whether it held. */
export async function waitFor(
  test: () => boolean,
  limitMs: number,
  everyMs = 50,
): Promise<boolean> {
  const until = Date.now() + limitMs
  for (;;) {
    if (test()) return true
    if (Date.now() >= until) return false
    await sleep(everyMs)
  }
}
