import type { ChildProcess } from 'node:child_process'

/** A running `face-studio` child: its output so far, its exit, and a wait for a stderr pattern. */
export function watchChild(child: ChildProcess): {
  stdout: () => string
  exited: Promise<number | null>
  stderrMatches: (pattern: RegExp) => Promise<void>
} {
  let stdout = ''
  let stderr = ''
  const waiters: { pattern: RegExp; resolve: () => void }[] = []
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const w of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    stdout: () => stdout,
    exited,
    stderrMatches: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
  }
}
