import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import omggif from 'omggif'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { MethodInput, MethodName } from '../../src/shared/contract'
import { norm, parseTimeline, scheduleDelays, type TimelineInput } from '../../src/shared/latent'
import type { Db } from '../../src/main/store/database'
import { projectPaths } from '../../src/main/store/projectFolder'
import { readLatentMatrix } from '../../src/main/store/latents'
import { planFrames } from '../../src/main/studio/morph/framePlan'
import { startServiceHarness, type ServiceHarness } from '../support/serviceHarness'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('morph-service-')
const project = join(temp.dir, 'project')
cpSync(inject('trainedProject'), project, { recursive: true })
const paths = projectPaths(project)
let db: Db
let studio: ServiceHarness
const call = <M extends MethodName>(method: M, input: MethodInput<M>) => studio.call(method, input)

/** Two keyframes far apart in latent space (so their faces differ even for a briefly trained model). */
function farTimeline(dim: number, extra: Partial<TimelineInput> = {}): TimelineInput {
  return {
    keyframes: [
      { latent: Array.from({ length: dim }, (_, i) => 12 * Math.sin(i + 1)) },
      { latent: Array.from({ length: dim }, (_, i) => 12 * Math.cos(3 * i)) },
    ],
    segments: [{ frames: 8, interpolation: 'slerp', easing: 'linear' }],
    ...extra,
  }
}

let dim = 0

beforeAll(async () => {
  studio = await startServiceHarness(temp.dir, project)
  db = studio.project().db
  dim = readLatentMatrix(db, 1).dim
})

afterAll(async () => {
  await studio.close()
  temp.cleanup()
})

describe('morph service', () => {
  it('saves timelines, lists them, and reopens them exactly as they were', async () => {
    const { mu } = readLatentMatrix(db, 1)
    const saved = {
      name: 'two faces',
      runId: 1,
      timeline: {
        keyframes: [
          { latent: Array.from(mu.slice(0, dim)), hold: 2, label: 'first' },
          { latent: Array.from(mu.slice(dim, 2 * dim)), hold: 0, label: 'second' },
          { latent: Array.from({ length: dim }, (_, i) => i / 7), hold: 5 },
        ],
        segments: [
          { frames: 12, interpolation: 'lerp' as const, easing: 'ease-in' as const },
          { frames: 3, interpolation: 'slerp' as const, easing: 'ease-in-out' as const },
        ],
        loop: 'ping-pong' as const,
        fps: 24,
      },
      sources: [
        { kind: 'image' as const, imageId: 1 },
        { kind: 'sample' as const, seed: 9, temperature: 0.7 },
        { kind: 'latent' as const, latent: Array.from({ length: dim }, (_, i) => i / 7) },
      ],
    }
    const { id } = await call('timelines.save', saved)
    const other = await call('timelines.save', {
      name: 'defaults',
      runId: null,
      timeline: farTimeline(dim),
      sources: [
        { kind: 'sample', seed: 1 },
        { kind: 'sample', seed: 2 },
      ],
    })
    expect(other.id).not.toBe(id)

    const got = await call('timelines.get', { id })
    expect(got).toEqual({ ...saved, id, updatedAt: expect.any(String) })
    const list = await call('timelines.list', {})
    expect(list.map((t) => t.id).sort()).toEqual([id, other.id].sort())
    expect(list.find((t) => t.id === id)?.keyframes).toBe(3)

    // Defaults are stored filled in, so the reopened timeline is what the schema made of the input.
    const defaults = await call('timelines.get', { id: other.id })
    expect(defaults.timeline).toEqual(parseTimeline(farTimeline(dim)))

    await call('timelines.save', { ...saved, id, name: 'renamed' })
    expect((await call('timelines.get', { id })).name).toBe('renamed')
    expect(await call('timelines.delete', { id: other.id })).toEqual({ ok: true })
    expect(await call('timelines.delete', { id: other.id })).toEqual({ ok: false })
    await expect(call('timelines.get', { id: other.id })).rejects.toThrow(`timeline ${other.id}`)
    await expect(
      call('timelines.save', { ...saved, sources: saved.sources.slice(0, 2) }),
    ).rejects.toThrow(/2 sources for 3 keyframes/)
  })

  it('a damaged timeline row gives a clear error naming it, and still lists', async () => {
    const insert = db.prepare(
      "INSERT INTO timelines (name, run_id, data, created_at, updated_at) VALUES (?, NULL, ?, 'x', 'x')",
    )
    const notJson = Number(insert.run('broken', '{"timeline": [').lastInsertRowid)
    const badShape = Number(
      insert.run(
        'wrong shape',
        JSON.stringify({ timeline: { keyframes: [{ latent: [1] }], segments: [] }, sources: [] }),
      ).lastInsertRowid,
    )
    await expect(call('timelines.get', { id: notJson })).rejects.toThrow(
      new RegExp(`^timeline ${notJson} \\("broken"\\): the saved data is not valid JSON`),
    )
    await expect(call('timelines.get', { id: badShape })).rejects.toThrow(
      new RegExp(
        `^timeline ${badShape} \\("wrong shape"\\): the saved data is damaged \\(timeline\\.keyframes`,
      ),
    )
    const list = await call('timelines.list', {})
    expect(list.find((t) => t.id === notJson)?.keyframes).toBe(0)
    expect(list.find((t) => t.id === badShape)?.keyframes).toBe(1)
  })

  it('slerp keeps the norm between keyframes of equal norm; lerp cuts the corner', async () => {
    const a = Array.from({ length: dim }, (_, i) => Math.sin(i + 1))
    const raw = Array.from({ length: dim }, (_, i) => Math.cos(2 * i + 0.5))
    const b = raw.map((v) => (v * norm(a)) / norm(raw))
    const timeline = (interpolation: 'lerp' | 'slerp') => ({
      keyframes: [{ latent: a }, { latent: b }],
      segments: [{ frames: 10, interpolation, easing: 'ease-in-out' as const }],
    })
    const ids = await Promise.all(
      (['slerp', 'lerp'] as const).map(async (kind) =>
        call('timelines.save', {
          name: kind,
          runId: 1,
          timeline: timeline(kind),
          sources: [
            { kind: 'latent', latent: a },
            { kind: 'latent', latent: b },
          ],
        }),
      ),
    )
    const [slerpNorms = [], lerpNorms = []] = await Promise.all(
      ids.map(async (r) => {
        const got = await call('timelines.get', r)
        return planFrames(parseTimeline(got.timeline), 'gif').latents.map((z) => norm(z))
      }),
    )
    const n = norm(a)
    expect(slerpNorms.length).toBeGreaterThanOrEqual(10)
    for (const v of slerpNorms) expect(v).toBeCloseTo(n, 4)
    expect(Math.min(...lerpNorms)).toBeLessThan(n * 0.95)
  })

  it('decodes the frame under the playhead as a PNG of the model size', async () => {
    const timeline = farTimeline(dim)
    const frame = await call('morph.frame', { timeline, position: 3.5 })
    expect(frame.image.startsWith('data:image/png;base64,')).toBe(true)
    const png = Buffer.from(frame.image.split(',')[1] as string, 'base64')
    const meta = await sharp(png).metadata()
    expect([meta.width, meta.height]).toEqual([64, 64])
    const start = await call('morph.frame', { timeline, position: 0 })
    const end = await call('morph.frame', { timeline, position: 8 })
    expect(start.image).not.toBe(end.image)
    await expect(call('morph.frame', { timeline: farTimeline(3), position: 0 })).rejects.toThrow(
      /3 values .* uses \d+/,
    )
  })

  it('estimates, then exports a GIF in the background with progress; the file appears complete', async () => {
    const timeline = farTimeline(dim, { loop: 'ping-pong', fps: 20 })
    const options = { timeline, format: 'gif' as const, size: 128, loop: 0 }
    const estimate = await call('morph.estimate', options)
    const expectedFrames = scheduleDelays(parseTimeline(timeline)).length
    expect(estimate.frames).toBe(expectedFrames)
    const path = join(paths.exports, 'service.gif')
    const { jobId, file } = await call('morph.export', {
      ...options,
      target: { kind: 'exports', name: 'service.gif' },
    })
    expect(file).toBe(path)
    expect((await studio.whenFinished(jobId)).status).toBe('done')
    const bytes = readFileSync(path)
    expect(estimate.bytes).toBeGreaterThan(bytes.length / 2)
    expect(estimate.bytes).toBeLessThan(bytes.length * 2)
    const reader = new omggif.GifReader(new Uint8Array(bytes))
    expect(reader.numFrames()).toBe(expectedFrames)
    expect(reader.width).toBe(128)
    const phases = new Set(studio.progress(jobId).map((p) => p.phase))
    expect(phases.has('decode')).toBe(true)
    expect(readdirSync(paths.exports).filter((f) => f.includes('.tmp-'))).toEqual([])
  })

  it('clears what a killed export left beside the target before writing', async () => {
    const path = join(paths.exports, 'again.webp')
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number
    mkdirSync(paths.exports, { recursive: true })
    const stale = join(paths.exports, `.again.webp.tmp-${deadPid}-0badcafe`)
    writeFileSync(stale, 'half a file')
    const { jobId } = await call('morph.export', {
      timeline: farTimeline(dim),
      format: 'webp',
      size: 64,
      target: { kind: 'exports', name: 'again.webp' },
    })
    expect((await studio.whenFinished(jobId)).status).toBe('done')
    expect(existsSync(stale)).toBe(false)
    const meta = await sharp(path, { pages: -1 }).metadata()
    expect(meta.pages).toBe(scheduleDelays(parseTimeline(farTimeline(dim))).length)
  })

  it('the contact strip shows the dataset faces at its ends', async () => {
    const path = join(paths.exports, 'strip.png')
    const timeline = farTimeline(dim)
    const { jobId } = await call('morph.export', {
      timeline,
      format: 'png-strip',
      size: 64,
      target: { kind: 'exports', name: 'strip.png' },
      sources: [
        { kind: 'image', imageId: 2 },
        { kind: 'image', imageId: 3 },
      ],
    })
    expect((await studio.whenFinished(jobId)).status).toBe('done')
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true })
    // The first cell (after the 4 px gap) is the cached dataset image 2, not the decoded keyframe.
    const cache = await import('../../src/main/dataset/imageCache')
    const slots = cache.openImageCache(db, paths, 64)
    const original = await slots.readBatch([2])
    await slots.close()
    let diff = 0
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        for (let c = 0; c < 3; c++) {
          diff += Math.abs(
            (data[((4 + y) * info.width + 4 + x) * info.channels + c] as number) -
              (original[(y * 64 + x) * 3 + c] as number),
          )
        }
      }
    }
    expect(diff / (64 * 64 * 3)).toBeLessThan(2)
  })

  it('a cancelled export leaves nothing behind', async () => {
    const path = join(paths.exports, 'cancelled')
    const timeline = farTimeline(dim)
    timeline.segments = [{ frames: 300, interpolation: 'slerp', easing: 'linear' }]
    const { jobId } = await call('morph.export', {
      timeline,
      format: 'png-sequence',
      size: 512,
      target: { kind: 'exports', name: 'cancelled' },
    })
    if (jobId === null) throw new Error('the export started no job')
    await studio.nextEvent(
      'job.progress',
      (p) => p.jobId === jobId && p.phase === 'decode' && p.done > 0,
    )
    expect(await call('jobs.cancel', { jobId })).toEqual({ cancelled: true })
    expect((await studio.whenFinished(jobId)).status).toBe('cancelled')
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(paths.exports).filter((f) => f.startsWith('.cancelled'))).toEqual([])
  })
})
