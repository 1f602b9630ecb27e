import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import {
  methods,
  type EventName,
  type EventPayload,
  type MethodInput,
} from '../../src/shared/contract'
import type { LatentStatus } from '../../src/shared/contractLatent'
import { latentOf } from '../../src/main/store/latents'
import { latentStatus } from '../../src/main/studio/latent/encodeStatus'
import { StudioService } from '../../src/main/studio/service'
import { makeTempDir } from '../support/tempDir'

interface Seen {
  event: EventName
  payload: unknown
}

/**
 * The studio keeps a run's latents in step with its checkpoint: a run that ends is encoded by a job
 * of its own, a run trained further is encoded again, and the job can be cancelled.
 */
describe('the automatic encode job', () => {
  const temp = makeTempDir('studio-encode-')
  const projectDir = join(temp.dir, 'project')
  cpSync(inject('trainedProject'), projectDir, { recursive: true })
  const seen: Seen[] = []
  const waiters: (() => void)[] = []
  let statusAtFinish: LatentStatus | null = null
  const studio = new StudioService({
    host: 'serve',
    version: 'test',
    userDataDir: join(temp.dir, 'user-data'),
    emit: (event, payload) => {
      seen.push({ event, payload })
      // The moment the run says it finished, before any encode could have run.
      const run = payload as { id?: number; status?: string; stepsDone?: number }
      if (event === 'training.status' && run.status === 'finished' && run.stepsDone === 16) {
        const { db, paths } = studio.requireProject()
        statusAtFinish = latentStatus(db, paths, run.id, null)
      }
      waiters.splice(0).forEach((wake) => wake())
    },
  })
  afterAll(async () => {
    await studio.close()
    temp.cleanup()
  })

  /** The first event of this name, at or after `from`, that matches; waits for it. */
  async function next<E extends EventName>(
    event: E,
    match: (payload: EventPayload<E>) => boolean,
    from = 0,
  ): Promise<{ payload: EventPayload<E>; index: number }> {
    for (;;) {
      const index = seen.findIndex(
        (s, i) => i >= from && s.event === event && match(s.payload as EventPayload<E>),
      )
      if (index >= 0) return { payload: seen[index]?.payload as EventPayload<E>, index }
      await new Promise<void>((wake) => waiters.push(wake))
    }
  }

  const call = <M extends 'training.start' | 'training.resumeRun' | 'latent.status'>(
    method: M,
    input: MethodInput<M>,
  ) => studio.api[method](methods[method].input.parse(input) as never)

  it(
    'encodes a finished run with its checkpoint, and again after it was trained further',
    { timeout: 600_000 },
    async () => {
      await studio['projects.open']({ path: projectDir })
      const { db } = studio.requireProject()
      expect((await call('latent.status', { runId: 1 })).state).toBe('ready')

      const { runId } = await studio.api['training.start'](
        methods['training.start'].input.parse({
          preset: 'classic-64',
          steps: 8,
          seed: 3,
          backend: 'auto',
        }),
      )
      const first = await next('latent.encoded', (p) => p.runId === runId)
      expect(first.payload).toEqual({ runId, step: 8, latents: 240 })
      const progress = seen.filter(
        (s) => s.event === 'job.progress' && (s.payload as { kind: string }).kind === 'encode',
      )
      expect(progress.length).toBeGreaterThan(0)
      expect(await call('latent.status', { runId })).toMatchObject({
        state: 'ready',
        step: 8,
        current: 240,
        stale: 0,
        jobId: null,
      })
      // The job built Explore's default map too.
      expect(await studio.api['latent.mapResult']({ runId, method: 'pca' })).toMatchObject({
        points: 240,
      })
      const before = latentOf(db, runId, 10)?.mu

      // As if the run had been stopped at step 8 of 16: resuming trains it further.
      db.prepare("UPDATE runs SET target_steps = 16, status = 'stopped' WHERE id = ?").run(runId)
      await studio.api['training.resumeRun']({ runId })
      const second = await next('latent.encoded', (p) => p.runId === runId, first.index + 1)
      expect(statusAtFinish).toMatchObject({ state: 'stale', step: 16, current: 0, stale: 240 })
      expect(second.payload).toEqual({ runId, step: 16, latents: 240 })
      const after = latentOf(db, runId, 10)?.mu
      expect(before).toBeDefined()
      expect(after).toBeDefined()
      expect(Array.from(after as Float32Array)).not.toEqual(Array.from(before as Float32Array))
      expect((await call('latent.status', { runId })).state).toBe('ready')
      const map = await studio.api['latent.mapResult']({ runId, method: 'pca' })
      expect(map?.points).toBe(240)
    },
  )

  it('cancels an encode, leaving the stale latents unused, and encodes on request', async () => {
    const { db } = studio.requireProject()
    // Results cached from run 1's latents while they were current…
    expect((await studio.api['latent.vectors']({ runId: 1 })).latents).toBe(240)
    const mapJob = await studio.api['latent.map']({ runId: 1, method: 'pca' })
    if (mapJob.jobId) await next('job.finished', (f) => f.jobId === mapJob.jobId)
    expect((await studio.api['latent.mapResult']({ runId: 1, method: 'pca' }))?.points).toBe(240)
    // …are not served once those latents are stale (as a migrated project has them: from an
    // unknown checkpoint).
    db.prepare('UPDATE latents SET step = NULL WHERE run_id = 1').run()
    expect(await call('latent.status', { runId: 1 })).toMatchObject({
      state: 'stale',
      current: 0,
      stale: 240,
    })
    await expect(studio.api['latent.vectors']({ runId: 1 })).rejects.toThrow(/no latents/)
    expect(await studio.api['latent.mapResult']({ runId: 1, method: 'pca' })).toBeNull()
    await expect(
      studio.api['latent.neighbours']({ runId: 1, latent: new Array(128).fill(0), k: 4 }),
    ).rejects.toThrow(/no latents/)

    const from = seen.length
    const { jobId } = await studio.api['latent.encode']({ runId: 1 })
    expect((await call('latent.status', { runId: 1 })).jobId).toBe(jobId)
    await studio['jobs.cancel']({ jobId })
    const ended = await next('job.finished', (f) => f.jobId === jobId, from)
    expect(ended.payload.status).toBe('cancelled')
    expect(await call('latent.status', { runId: 1 })).toMatchObject({
      state: 'stale',
      jobId: null,
    })

    const again = await studio.api['latent.encode']({ runId: 1 })
    const encoded = await next('latent.encoded', (p) => p.runId === 1, from)
    expect(
      seen
        .slice(from)
        .some(
          (s) =>
            s.event === 'job.finished' && (s.payload as { jobId: string }).jobId === again.jobId,
        ),
    ).toBe(true)
    expect(encoded.payload).toEqual({ runId: 1, step: 24, latents: 240 })
    expect((await studio.api['latent.vectors']({ runId: 1 })).latents).toBe(240)
  })
})
