import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdTrainingAt, lastJsonLine, runCli, spawnCli } from '../support/cli'
import { exitOf, newestRun, waitForCheckpoint } from '../support/runRows'
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

  /**
   * A training CLI in its own process group, held by the engine before step `holdAt + 1` so that
   * a signal always finds it mid-run, whatever the host's speed.
   */
  function startTraining(args: string[], holdAt: number) {
    const child = spawnCli(['train', '--project', project, ...args, '--json'], {
      env: holdTrainingAt(holdAt),
      group: true,
    })
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = exitOf(child)
    return {
      child,
      exited,
      result: () => lastJsonLine(stdout) as Record<string, number | string>,
      /** What a terminal's Ctrl-C, `timeout` or a service manager does: the whole group. */
      signalGroup: (signal: NodeJS.Signals) => process.kill(-(child.pid as number), signal),
    }
  }
  const lastRunId = () => newestRun(project)?.id ?? 0

  it('stops on SIGINT with a checkpoint, exits 0, and --resume continues the same run', async () => {
    const before = lastRunId()
    const training = startTraining(
      ['--preset', 'classic-64', '--steps', '14', '--checkpoint-every', '3', '--seed', '9'],
      6,
    )
    await waitForCheckpoint(project, { afterRun: before, stepsDone: 6, child: training.child })
    training.signalGroup('SIGINT')
    expect((await training.exited).code).toBe(0)
    const stopped = training.result()
    expect(stopped).toMatchObject({ status: 'stopped', steps: 6 })

    const resumed = await runCli(['train', '--project', project, '--resume', '--json'])
    expect(resumed.code).toBe(0)
    expect(resumed.json).toMatchObject({
      run: stopped.run,
      steps: 14,
      resumedFromStep: 6,
      status: 'finished',
    })
    for (const key of [
      'backend',
      'initialLoss',
      'finalLoss',
      'valLoss',
      'testPSNR',
      'imagesPerSecond',
      'quality',
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

  it('checkpoints and stops on SIGTERM to the process group, like Ctrl-C', async () => {
    const before = lastRunId()
    const training = startTraining(['--steps', '12', '--checkpoint-every', '4', '--seed', '3'], 6)
    const seen = await waitForCheckpoint(project, {
      afterRun: before,
      stepsDone: 4,
      child: training.child,
    })
    training.signalGroup('SIGTERM')
    expect((await training.exited).code).toBe(0)
    const stopped = training.result()
    expect(stopped.status).toBe('stopped')
    // The stop's own checkpoint: wherever the signal found the run, nothing before it is lost.
    expect(stopped.steps).toBeGreaterThanOrEqual(4)
    expect(stopped.steps).toBeLessThanOrEqual(6)
    expect(newestRun(project)).toMatchObject({ id: seen.id, status: 'stopped' })

    const resumed = await runCli(['train', '--project', project, '--resume', '--json'])
    expect(resumed.json).toMatchObject({
      run: seen.id,
      resumedFromStep: stopped.steps,
      steps: 12,
      status: 'finished',
    })
  }, 400_000)

  it('refuses to train a run that another process is training', async () => {
    const before = lastRunId()
    const training = startTraining(['--steps', '8', '--checkpoint-every', '2', '--seed', '5'], 2)
    const seen = await waitForCheckpoint(project, {
      afterRun: before,
      stepsDone: 2,
      child: training.child,
    })
    const second = await runCli(['train', '--project', project, '--resume', '--json'])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/being trained by another process \(pid \d+\)/)
    expect(second.stderr).toContain(`run-${seen.id}`)
    // The refusal touched nothing: the first process still owns and trains its run.
    expect(newestRun(project)).toMatchObject({ id: seen.id, status: 'running', stepsDone: 2 })

    training.signalGroup('SIGINT')
    expect((await training.exited).code).toBe(0)
    expect(training.result()).toMatchObject({ run: seen.id, status: 'stopped', steps: 2 })
    const resumed = await runCli(['train', '--project', project, '--resume', '--json'])
    expect(resumed.json).toMatchObject({ run: seen.id, status: 'finished', steps: 8 })
  }, 400_000)

  it('exits 1 naming the failure when the training process dies', async () => {
    const before = lastRunId()
    const training = startTraining(['--steps', '8', '--checkpoint-every', '2', '--seed', '6'], 2)
    let stderr = ''
    training.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const seen = await waitForCheckpoint(project, {
      afterRun: before,
      stepsDone: 2,
      child: training.child,
    })
    // The engine process alone dies (out of memory, a crash): the run failed, and the CLI says so.
    const enginePid = Number(readFileSync(join(seen.dir, 'owner.pid'), 'utf8'))
    expect(enginePid).not.toBe(training.child.pid)
    process.kill(enginePid, 'SIGKILL')
    expect((await training.exited).code).toBe(1)
    expect(training.result()).toMatchObject({ run: seen.id, status: 'failed' })
    expect(stderr).toMatch(new RegExp(`run ${seen.id} failed: the training process was killed`))
    // What was checkpointed is kept: the failed run resumes from it.
    const resumed = await runCli(['train', '--project', project, '--resume', '--json'])
    expect(resumed.json).toMatchObject({ run: seen.id, resumedFromStep: 2, status: 'finished' })
  }, 400_000)

  it('loses at most the steps since the last checkpoint when killed outright', async () => {
    const before = lastRunId()
    // The other runs here use the default (2 replicas on a 2-core machine); this one a single one.
    const training = startTraining(
      ['--steps', '10', '--checkpoint-every', '2', '--seed', '2', '--replicas', '1'],
      5,
    )
    await waitForCheckpoint(project, { afterRun: before, stepsDone: 4, child: training.child })
    // The CLI and its engine together, as kill -9 of the group or a power cut would.
    training.signalGroup('SIGKILL')
    expect((await training.exited).signal).toBe('SIGKILL')
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
    // Step 5 was trained but never checkpointed: it is the only step lost.
    expect(resumed.json?.resumedFromStep).toBe(4)
    expect(resumed.json?.steps).toBe(10)
    const db = new Database(join(project, 'studio.db'), { readonly: true })
    const row = db.prepare('SELECT config FROM runs WHERE id = ?').get(resumed.json?.run) as {
      config: string
    }
    db.close()
    expect(JSON.parse(row.config).train.replicas).toBe(1)
  }, 400_000)
})
