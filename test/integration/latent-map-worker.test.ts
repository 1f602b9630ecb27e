import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobFinished } from '../../src/shared/contract'
import { cachedMap } from '../../src/main/studio/latent/maps'
import type { Db } from '../../src/main/store/database'
import { insertLatents } from '../../src/main/store/latents'
import { startServiceHarness, type ServiceHarness } from '../support/serviceHarness'
import { makeTempDir } from '../support/tempDir'
import { seededRandom } from '../support/rng'

// Big enough that t-SNE on this thread would block the loop for long stretches (PCA 64 → 50 dims,
// 5,000-point affinities, placing the other 1,000): the lag check below would fail there.
const POINTS = 6000
const DIM = 64
const CLUSTERS = 5
/** The longest a 10 ms timer may be late while the map computes (in-thread: far longer). */
const MAX_LAG_MS = 200

const random = seededRandom(7)

function addRun(db: Db, runId: number, count: number, dim: (i: number) => number): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, updated_at, preset, config, seed, target_steps, status, dataset_snapshot, dir)
     VALUES (?, 't', 't', 'p', '{}', 1, 1, 'finished', '{}', '/nowhere')`,
  ).run(runId)
  const centres = Array.from({ length: CLUSTERS }, () =>
    Float32Array.from({ length: DIM }, () => random() * 6 - 3),
  )
  insertLatents(
    db,
    runId,
    0, // steps_done of a run never trained: these latents are current
    Array.from({ length: count }, (_, i) => {
      const centre = centres[i % CLUSTERS] as Float32Array
      const mu = Float32Array.from({ length: dim(i) }, (_, d) => (centre[d] ?? 0) + random() - 0.5)
      return { imageId: i + 1, mu, logVar: new Float32Array(mu.length) }
    }),
  )
}

describe('map jobs on a worker thread', () => {
  const temp = makeTempDir('latent-map-worker-')
  let studio: ServiceHarness
  let db: Db

  beforeAll(async () => {
    studio = await startServiceHarness(temp.dir)
    await studio.call('projects.create', { path: join(temp.dir, 'project') })
    db = studio.project().db
    const image = db.prepare(
      "INSERT INTO images (id, file, split, size, mtime_ms, status) VALUES (?, ?, 0, 1, 1, 'ok')",
    )
    db.transaction(() => {
      for (let i = 1; i <= POINTS; i++) image.run(i, `${String(i).padStart(6, '0')}.jpg`)
    })()
    addRun(db, 1, POINTS, () => DIM)
    // Run 2's latents disagree in length: loading them fails inside the worker.
    addRun(db, 2, 40, (i) => (i === 17 ? 8 : DIM))
  })

  afterAll(async () => {
    await studio.close()
    temp.cleanup()
  })

  it('reports progress and keeps the host loop responsive during a t-SNE map', async () => {
    let last = performance.now()
    let maxLag = 0
    let ticks = 0
    const ticker = setInterval(() => {
      const now = performance.now()
      maxLag = Math.max(maxLag, now - last - 10)
      last = now
      ticks++
    }, 10)
    let outcome: JobFinished
    try {
      const started = await studio.call('latent.map', { runId: 1, method: 'tsne' })
      expect(started.cached).toBe(false)
      outcome = await studio.whenFinished(started.jobId)
      const mine = studio.progress(started.jobId)
      // Progress from inside the worker: the neighbour search and the layout iterations.
      expect(mine.some((p) => p.phase === 'neighbours' && p.total === POINTS - 1000)).toBe(true)
      const layout = mine.filter((p) => p.phase === 'layout')
      expect(layout.some((p) => p.done > 0 && p.done < p.total)).toBe(true)
    } finally {
      clearInterval(ticker)
    }
    expect(outcome).toMatchObject({ status: 'done' })
    expect(ticks).toBeGreaterThan(50)
    expect(maxLag).toBeLessThan(MAX_LAG_MS)

    const map = cachedMap(db, 1, 'tsne')
    expect(map?.points).toBe(POINTS)
    expect(map?.imageIds[0]).toBe(1)
    expect(map?.imageIds[POINTS - 1]).toBe(POINTS)
    const coords = map?.coords ?? new Float32Array()
    expect(coords).toHaveLength(POINTS * 2)
    expect(coords.every(Number.isFinite)).toBe(true)
    // Points of one cluster land nearer each other than points of different clusters.
    const dist = (i: number, j: number): number =>
      Math.hypot(
        (coords[2 * i] as number) - (coords[2 * j] as number),
        (coords[2 * i + 1] as number) - (coords[2 * j + 1] as number),
      )
    let same = 0
    let other = 0
    for (let i = 0; i < 500; i++) {
      same += dist(i, i + CLUSTERS)
      other += dist(i, i + 1)
    }
    expect(same * 3).toBeLessThan(other)
    expect((await studio.call('latent.map', { runId: 1, method: 'tsne' })).cached).toBe(true)
    const result = await studio.call('latent.mapResult', { runId: 1, method: 'tsne' })
    expect(result?.points).toBe(POINTS)
  })

  it('cancels mid-job: the worker stops, the job says cancelled and nothing is cached', async () => {
    const started = await studio.call('latent.map', { runId: 1, method: 'tsne', limit: 5000 })
    const jobId = started.jobId as string
    await studio.nextEvent(
      'job.progress',
      (p) => p.jobId === jobId && p.phase === 'layout' && p.done > 0,
    )
    expect(await studio.call('jobs.cancel', { jobId })).toEqual({ cancelled: true })
    const outcome = await studio.whenFinished(jobId)
    expect(outcome.status).toBe('cancelled')
    expect(await studio.call('jobs.active', {})).toEqual([])
    expect(cachedMap(db, 1, 'tsne', 5000)).toBeNull()
    // The worker no longer burns CPU: this process is nearly idle once it has been terminated.
    await new Promise((r) => setTimeout(r, 300))
    const cpuBefore = process.cpuUsage()
    const wallBefore = performance.now()
    await new Promise((r) => setTimeout(r, 1000))
    const cpu = process.cpuUsage(cpuBefore)
    const cpuMs = (cpu.user + cpu.system) / 1000
    expect(cpuMs).toBeLessThan(0.4 * (performance.now() - wallBefore))
  })

  it('turns an error inside the worker into the job error, naming the bad row', async () => {
    const started = await studio.call('latent.map', { runId: 2, method: 'pca' })
    const outcome = await studio.whenFinished(started.jobId)
    expect(outcome.status).toBe('failed')
    expect(outcome).toMatchObject({
      error: expect.stringMatching(/run 2: image 18 has 8 values, others have 64; re-encode/),
    })
    expect(cachedMap(db, 2, 'pca')).toBeNull()
  })
})
