import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { buildCelebaFolder } from '../support/celebaFixtures'
import { repoRoot, sharedDataAvailable } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const available = sharedDataAvailable()
const IMAGES = 1200
const CLI = join(repoRoot, 'bin', 'face-studio.js')

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function ingest(
  dataset: string,
  projectDir: string,
  killWhen?: () => boolean,
  extra: string[] = ['--json'],
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'ingest', dataset, '--project', projectDir, ...extra],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = killWhen
      ? setInterval(() => {
          if (killWhen()) {
            child.kill('SIGKILL')
            clearInterval(timer)
          }
        }, 10)
      : undefined
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** Committed slot rows, read the way a second process would see them. */
function committedSlots(dbFile: string): number {
  if (!existsSync(dbFile)) return 0
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true })
    try {
      return (db.prepare('SELECT count(*) AS n FROM cache_slots').get() as { n: number }).n
    } finally {
      db.close()
    }
  } catch {
    return 0 // schema not created yet
  }
}

describe.runIf(available)('an ingest killed with SIGKILL', () => {
  const temp = makeTempDir('ingest-resume-')
  afterAll(() => temp.cleanup())

  it('resumes without redoing committed slots and ends byte-identical to an uninterrupted run', async () => {
    const dataset = join(temp.dir, 'celeba')
    buildCelebaFolder(dataset, IMAGES)
    const killedProject = join(temp.dir, 'killed')
    const dbFile = join(killedProject, 'studio.db')

    const killed = await ingest(dataset, killedProject, () => committedSlots(dbFile) > 0)
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    const kept = committedSlots(dbFile)
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(IMAGES)

    const resumed = await ingest(dataset, killedProject)
    expect(resumed.code).toBe(0)
    // Progress lines on stderr: the second run's preprocess total is only what was left.
    const totals = new Set(
      [...resumed.stderr.matchAll(/^preprocess: \d+\/(\d+)/gm)].map((m) => Number(m[1])),
    )
    expect(totals).toEqual(new Set([IMAGES - kept]))
    const result = JSON.parse(resumed.stdout.trim().split('\n').pop()!)
    expect(result.images).toBe(IMAGES)
    expect(result.problems).toEqual([])
    expect(result.splits.train + result.splits.validation + result.splits.test).toBe(IMAGES)

    const cleanProject = join(temp.dir, 'clean')
    const clean = await ingest(dataset, cleanProject)
    expect(clean.code).toBe(0)
    expect(JSON.parse(clean.stdout.trim().split('\n').pop()!)).toEqual(result)
    const a = readFileSync(join(killedProject, 'cache', 'faces-64-celeba.rgb'))
    const b = readFileSync(join(cleanProject, 'cache', 'faces-64-celeba.rgb'))
    expect(a.length).toBe(IMAGES * 64 * 64 * 3)
    expect(a.equals(b)).toBe(true)
  })
})

describe('face-studio ingest exit codes', () => {
  const temp = makeTempDir('ingest-cli-')
  afterAll(() => temp.cleanup())

  it('exits 1 naming the folder when it holds no images', async () => {
    const empty = join(temp.dir, 'empty')
    mkdirSync(empty)
    writeFileSync(join(empty, 'notes.txt'), 'no images here')
    const run = await ingest(empty, join(temp.dir, 'project'))
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(`${empty}: no images found`)
  })

  it('exits 2 on a size other than 64 or 128', async () => {
    const run = await ingest(temp.dir, join(temp.dir, 'project'), undefined, ['--size', '32'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/expected one of 64, 128/)
  })
})
