import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, spawnCli, lastJsonLine } from '../support/cli'
import { makeTempDir } from '../support/tempDir'

describe('face-studio train', () => {
  const temp = makeTempDir()
  const dataset = join(temp.dir, 'faces')
  const project = join(temp.dir, 'project')

  beforeAll(async () => {
    expect((await runCli(['synth', '--out', dataset, '--count', '96', '--seed', '4'])).code).toBe(0)
    expect((await runCli(['ingest', dataset, '--project', project, '--size', '64'])).code).toBe(0)
  })
  afterAll(() => temp.cleanup())

  it('rejects bad usage with exit 2 and a missing cache with exit 1', async () => {
    expect((await runCli(['train', '--project', project])).code).toBe(2)
    expect((await runCli(['train', '--project', project, '--steps', 'x'])).code).toBe(2)
    for (const bad of [
      ['--replicas', '0'],
      ['--replicas', '17'],
      ['--resume', '--replicas', '2'],
    ]) {
      const r = await runCli(['train', '--project', project, '--steps', '2', ...bad])
      expect(r.code, bad.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/replicas/)
    }
    const noCache = await runCli([
      'train',
      '--project',
      project,
      '--preset',
      'classic-128',
      '--steps',
      '2',
    ])
    expect(noCache.code).toBe(1)
    expect(noCache.stderr).toMatch(/128×128 image cache/)
  })

  it('stops on SIGINT with a checkpoint, exits 0, and --resume continues the same run', async () => {
    const child = spawnCli([
      'train',
      '--project',
      project,
      '--preset',
      'classic-64',
      '--steps',
      '14',
      '--checkpoint-every',
      '3',
      '--seed',
      '9',
      '--json',
    ])
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (/training: ([4-9]|1\d)\//.test(stderr)) resolve()
      })
    })
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    const stopped = lastJsonLine(stdout) as Record<string, number | string>
    expect(stopped.status).toBe('stopped')
    const stoppedAt = stopped.steps as number
    expect(stoppedAt).toBeGreaterThanOrEqual(4)
    expect(stoppedAt).toBeLessThan(14)

    const resumed = await runCli(['train', '--project', project, '--resume', '--json'])
    expect(resumed.code).toBe(0)
    expect(resumed.json).toMatchObject({
      run: stopped.run,
      steps: 14,
      resumedFromStep: stoppedAt,
      status: 'finished',
    })
    for (const key of [
      'backend',
      'initialLoss',
      'finalLoss',
      'valLoss',
      'testPSNR',
      'imagesPerSecond',
    ]) {
      expect(resumed.json, key).toHaveProperty(key)
    }

    // One loss curve: every step once, no gap where the run was stopped.
    const db = new Database(join(project, 'studio.db'), { readonly: true })
    const steps = db
      .prepare('SELECT step FROM run_metrics WHERE run_id = ? ORDER BY step')
      .all(stopped.run) as { step: number }[]
    db.close()
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1))
  }, 400_000)

  it('loses at most the steps since the last checkpoint when killed outright', async () => {
    const child = spawnCli([
      'train',
      '--project',
      project,
      '--steps',
      '10',
      '--checkpoint-every',
      '2',
      '--seed',
      '2',
      // The other runs here use the default (2 replicas on a 2-core machine); this one a single one.
      '--replicas',
      '1',
      '--json',
    ])
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    let stderr = ''
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (/training: [4-9]\//.test(stderr)) resolve()
      })
    })
    child.kill('SIGKILL')
    await exited
    const resumed = await runCli([
      'train',
      '--project',
      project,
      '--resume',
      '--steps',
      '1',
      '--json',
    ])
    // --steps is ignored with --resume: the run keeps its own target.
    expect(resumed.code).toBe(0)
    expect(resumed.json?.resumedFromStep as number).toBeGreaterThanOrEqual(4)
    expect(resumed.json?.steps).toBe(10)
    const db = new Database(join(project, 'studio.db'), { readonly: true })
    const row = db.prepare('SELECT config FROM runs WHERE id = ?').get(resumed.json?.run) as {
      config: string
    }
    db.close()
    expect(JSON.parse(row.config).train.replicas).toBe(1)
  }, 400_000)
})
