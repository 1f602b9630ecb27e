import { describe, expect, it } from 'vitest'
import type { JobFinished, JobProgress } from '../../src/shared/contract'
import { throwIfCancelled } from '../../src/shared/progress'
import { JobManager } from '../../src/main/studio/jobs'

function recordingManager(): {
  jobs: JobManager
  progress: JobProgress[]
  finished: JobFinished[]
} {
  const progress: JobProgress[] = []
  const finished: JobFinished[] = []
  const jobs = new JobManager({
    progress: (p) => progress.push(p),
    finished: (f) => finished.push(f),
  })
  return { jobs, progress, finished }
}

describe('JobManager', () => {
  it('reports progress and completion', async () => {
    const { jobs, progress, finished } = recordingManager()
    const { done } = jobs.start('ingest', async ({ onProgress }) => {
      for (let i = 1; i <= 3; i++) onProgress({ phase: 'work', done: i, total: 3 })
    })
    expect((await done).status).toBe('done')
    expect(progress.at(-1)).toMatchObject({ phase: 'work', done: 3, total: 3 })
    expect(finished).toHaveLength(1)
    expect(jobs.active()).toEqual([])
  })

  it('cancels through the signal', async () => {
    const { jobs } = recordingManager()
    const { jobId, done } = jobs.start('ingest', async ({ signal }) => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 5))
        throwIfCancelled(signal)
      }
    })
    expect(jobs.cancel(jobId)).toBe(true)
    expect((await done).status).toBe('cancelled')
  })

  it('reports a failure with its message and refuses a second job of the same kind', async () => {
    const { jobs } = recordingManager()
    let release = (): void => undefined
    const first = jobs.start('ingest', () => new Promise<void>((r) => (release = r)))
    expect(() => jobs.start('ingest', async () => undefined)).toThrow(/already running/)
    release()
    await first.done
    const failing = jobs.start('ingest', async () => {
      throw new Error('photo.jpg: corrupt')
    })
    expect(await failing.done).toMatchObject({ status: 'failed', error: 'photo.jpg: corrupt' })
  })
})
