/**
 * A few rounds of the fault-injection script (scripts/fault.ts): SIGKILL at seeded moments of
 * training (the CLI or its worker), encode, a morph export and ingest, each followed by its checks.
 * Longer runs: `npm run fault -- --rounds 200`.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lastJsonLine } from '../support/cli'
import { repoRoot } from '../support/sharedData'

describe('fault injection', () => {
  it('finds no damage after SIGKILLs during train, encode, export and ingest', async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number
      stdout: string
      stderr: string
    }>((resolve) =>
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'scripts', 'fault.ts'),
          '--rounds',
          '4',
          '--seed',
          '7',
          '--json',
        ],
        { cwd: repoRoot, maxBuffer: 16 << 20 },
        (error, out, err) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? 1) : 0,
            stdout: out,
            stderr: err,
          }),
      ),
    )
    const summary = lastJsonLine(stdout) as {
      rounds: number
      kills: number
      byOperation: Record<string, number>
      failures: string[]
    } | null
    expect(summary, stderr).not.toBeNull()
    expect(summary?.failures).toEqual([])
    expect(summary?.kills).toBe(4)
    expect(Object.keys(summary?.byOperation ?? {})).toEqual(['train', 'encode', 'export', 'ingest'])
    expect(code).toBe(0)
  }, 300_000)
})
