/**
 * `face-studio train --backend webgpu` end to end: the training process runs on Dawn (llvmpipe through
 * OpenGL ES on a machine without a GPU), reports and stores the adapter, stops on Ctrl-C with a
 * checkpoint, resumes, and every process exits although Dawn is loaded.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastJsonLine, runCli, spawnCli } from '../support/cli'
import { watchChild } from '../support/cliChild'
import { makeTempDir } from '../support/tempDir'

describe('face-studio train --backend webgpu', () => {
  const temp = makeTempDir('cli-webgpu-')
  const dataset = join(temp.dir, 'faces')
  const project = join(temp.dir, 'project')
  // Small batches: on a software adapter a step of classic-64 at batch 32 takes tens of seconds.
  const common = ['--project', project, '--backend', 'webgpu', '--batch-size', '2', '--json']

  beforeAll(async () => {
    expect((await runCli(['synth', '--out', dataset, '--count', '40', '--seed', '6'])).code).toBe(0)
    expect((await runCli(['ingest', dataset, '--project', project, '--size', '64'])).code).toBe(0)
  })
  afterAll(() => temp.cleanup())

  it('rejects a batch size above 1024', async () => {
    const r = await runCli(['train', '--project', project, '--steps', '2', '--batch-size', '1025'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/batch size of at most 1024/)
  })

  it('trains, reports webgpu with its adapter, stores the adapter, and exits', async () => {
    const r = await runCli(['train', ...common, '--steps', '3', '--seed', '4'])
    expect(r.code, r.stderr).toBe(0)
    const adapter = r.json?.adapter as { name: string; vendor: string; software: boolean }
    expect(r.json).toMatchObject({ backend: 'webgpu', steps: 3, status: 'finished' })
    expect(adapter.name.length).toBeGreaterThan(0)
    expect(typeof adapter.software).toBe('boolean')
    expect(r.stderr).toContain(`on webgpu (${adapter.name}`)
    const db = new Database(join(project, 'studio.db'), { readonly: true })
    const row = db
      .prepare('SELECT backend, backend_adapter AS adapter, config FROM runs WHERE id = ?')
      .get(r.json?.run) as { backend: string; adapter: string; config: string }
    db.close()
    expect(row.backend).toBe('webgpu')
    expect(JSON.parse(row.adapter)).toEqual(adapter)
    expect(JSON.parse(row.config)).toMatchObject({ train: { batchSize: 2 } })
  })

  it('stops on SIGINT with a checkpoint, exits 0, and --resume continues on webgpu', async () => {
    const child = spawnCli(['train', ...common, '--steps', '10', '--checkpoint-every', '2'])
    const watched = watchChild(child)
    await watched.stderrMatches(/training: [2-9]\//)
    child.kill('SIGINT')
    expect(await watched.exited).toBe(0)
    const stopped = lastJsonLine(watched.stdout()) as Record<string, number | string>
    expect(stopped).toMatchObject({ backend: 'webgpu', status: 'stopped' })
    const stoppedAt = stopped.steps as number
    expect(stoppedAt).toBeGreaterThanOrEqual(2)
    expect(stoppedAt).toBeLessThan(10)

    const resumed = await runCli([
      'train',
      '--project',
      project,
      '--resume',
      '--backend',
      'webgpu',
      '--json',
    ])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.json).toMatchObject({
      run: stopped.run,
      backend: 'webgpu',
      steps: 10,
      resumedFromStep: stoppedAt,
      status: 'finished',
    })
    expect(Number.isFinite(resumed.json?.finalLoss)).toBe(true)
  }, 400_000)
})
