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

/**
 * Starts `face-studio …` without waiting. `group: true` makes it the leader of its own process group,
 * so that a test can signal it together with its workers, as a terminal or a service manager would.
 */
export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; group?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
  })
}

/** Holds a training run before step N+1 until it is stopped (the engine's test hook). */
export function holdTrainingAt(step: number): NodeJS.ProcessEnv {
  return { FACE_STUDIO_TEST_HOLD_AT_STEP: String(step) }
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

/**
 * A project made the way a user would: synthetic faces ingested at 64 px, optionally trained briefly
 * (classic-64) and encoded. Fails with the command's own message when a step fails.
 */
export async function prepareProject(
  dir: string,
  options: { count?: number; trainSteps?: number; encode?: boolean } = {},
): Promise<{ projectDir: string; datasetDir: string }> {
  const datasetDir = join(dir, 'faces')
  const projectDir = join(dir, 'project')
  const steps = [
    ['synth', '--out', datasetDir, '--count', String(options.count ?? 160), '--seed', '3'],
    ['ingest', datasetDir, '--project', projectDir, '--size', '64'],
  ]
  if (options.trainSteps) {
    steps.push([
      'train',
      '--project',
      projectDir,
      '--steps',
      String(options.trainSteps),
      '--preset',
      'classic-64',
    ])
  }
  if (options.encode) steps.push(['encode', '--project', projectDir])
  for (const args of steps) {
    const result = await runCli(args)
    if (result.code !== 0) throw new Error(`face-studio ${args[0]} failed: ${result.stderr}`)
  }
  return { projectDir, datasetDir }
}
