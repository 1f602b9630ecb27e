import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './sharedData'

export const CLI = join(repoRoot, 'bin', 'face-studio.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** The last stdout line parsed as JSON, when --json was given. */
  json: Record<string, unknown> | null
}

/** Runs `face-studio …` as a user would, in its own process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0
        resolve({ code, stdout, stderr, json: lastJsonLine(stdout) })
      },
    )
  })
}

export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

export function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const line = stdout.trim().split('\n').at(-1)
  if (!line) return null
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return null
  }
}
