import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './sharedData'

/**
 * `face-studio …` in its own process, waited for: the exit code, the last stdout line as JSON (when
 * it is one) and stderr.
 */
export function cliSync(...args: string[]): {
  code: number
  json: Record<string, unknown>
  stderr: string
} {
  const out = spawnSync(process.execPath, [join(repoRoot, 'bin', 'face-studio.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  const last = out.stdout.trim().split('\n').pop() ?? ''
  return {
    code: out.status ?? -1,
    json: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : {},
    stderr: out.stderr,
  }
}
