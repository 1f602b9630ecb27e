import { cpSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { JobFinished } from '../../src/shared/contract'
import type { StudioContext } from '../../src/main/studio/context'
import { ModelHost } from '../../src/main/studio/faceModel'
import { JobManager } from '../../src/main/studio/jobs'
import { LatentService } from '../../src/main/studio/latentService'
import { attributeVectorSet } from '../../src/main/studio/latent/vectors'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { openImageCache } from '../../src/main/dataset/imageCache'
import { celebaSampleDir, sharedDataAvailable } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('latent-service-')
const projectDir = join(temp.dir, 'project')
cpSync(inject('trainedProject'), projectDir, { recursive: true })
const project = { ...openProjectFolder(projectDir), isDemo: false }
const finished: JobFinished[] = []
const models = new ModelHost()
const ctx: StudioContext = {
  requireProject: () => project,
  jobs: new JobManager({ progress: () => undefined, finished: (f) => finished.push(f) }),
  emit: () => undefined,
  models,
}
const service = new LatentService(ctx)

async function waitForJob(jobId: string): Promise<JobFinished> {
  for (let i = 0; i < 1200; i++) {
    const done = finished.find((f) => f.jobId === jobId)
    if (done) return done
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`job ${jobId} did not finish`)
}

const dot = (a: readonly number[], b: ArrayLike<number>): number =>
  a.reduce((s, x, i) => s + x * (b[i] as number), 0)

afterAll(() => {
  models.close()
  project.db.close()
  temp.cleanup()
})

describe('LatentService on a trained project', () => {
  let z: number[]

  beforeAll(async () => {
    const face = await service['latent.resolve']({ source: { kind: 'image', imageId: 10 } })
    z = face.latent
  })

  it('lists all 40 attribute vectors with AUCs', async () => {
    const out = await service['latent.vectors']({})
    expect(out.attributes).toHaveLength(40)
    expect(out.latents).toBe(240)
    expect(['test', 'held-out 10 %']).toContain(out.aucSplit)
    const smiling = out.attributes.find((a) => a.name === 'Smiling')
    expect(smiling?.positives).toBeGreaterThan(0)
    expect(smiling?.negatives).toBeGreaterThan(0)
    expect(smiling?.auc).toBeGreaterThanOrEqual(0)
  })

  it('offers linear-classifier directions: their AUCs, and edits along them per attribute', async () => {
    const linear = await service['latent.vectors']({ method: 'linear' })
    expect(linear.method).toBe('linear')
    expect(linear.attributes).toHaveLength(40)
    const set = attributeVectorSet(project.db, project.paths.root, linear.runId, 'linear')
    const row = Array.from(set.vectors.subarray(set.names.indexOf('Smiling') * set.dim)).slice(
      0,
      set.dim,
    )
    const edited = await service['latent.edit']({
      latent: z,
      edits: [{ attribute: 'Smiling', intensity: 2, orthogonalTo: [], method: 'linear' }],
    })
    edited.latent.forEach((x, i) =>
      expect(x).toBeCloseTo((z[i] as number) + 2 * (row[i] as number), 4),
    )
    const meanDiff = await service['latent.edit']({
      latent: z,
      edits: [{ attribute: 'Smiling', intensity: 2, orthogonalTo: [] }],
    })
    expect(meanDiff.latent).not.toEqual(edited.latent)
  })

  it('edits conditionally: the move is orthogonal to the chosen attributes', async () => {
    const male = await service['latent.edit']({
      latent: z,
      edits: [{ attribute: 'Male', intensity: 1, orthogonalTo: [] }],
    })
    const young = await service['latent.edit']({
      latent: z,
      edits: [{ attribute: 'Young', intensity: 1, orthogonalTo: [] }],
    })
    const maleDir = male.latent.map((x, i) => x - (z[i] as number))
    const youngDir = young.latent.map((x, i) => x - (z[i] as number))
    const edited = await service['latent.edit']({
      latent: z,
      edits: [{ attribute: 'Smiling', intensity: 3, orthogonalTo: ['Male', 'Young'] }],
    })
    const move = edited.latent.map((x, i) => x - (z[i] as number))
    expect(Math.hypot(...move)).toBeCloseTo(3, 3)
    expect(Math.abs(dot(move, maleDir))).toBeLessThan(1e-3)
    expect(Math.abs(dot(move, youngDir))).toBeLessThan(1e-3)
    expect(edited.image).toMatch(/^data:image\/png;base64,/)
    // Several vectors at once add up.
    const both = await service['latent.edit']({
      latent: z,
      edits: [
        { attribute: 'Male', intensity: 1, orthogonalTo: [] },
        { attribute: 'Young', intensity: 1, orthogonalTo: [] },
      ],
    })
    both.latent.forEach((x, i) =>
      expect(x).toBeCloseTo((z[i] as number) + (maleDir[i] as number) + (youngDir[i] as number), 4),
    )
    await expect(
      service['latent.edit']({
        latent: z,
        edits: [{ attribute: 'Nope', intensity: 1, orthogonalTo: [] }],
      }),
    ).rejects.toThrow(/valid attributes: .*Smiling/)
  })

  it('encodes the user own photo of any size, cropped as the dataset was', async () => {
    const made = join(temp.dir, 'wide.png')
    const size = { width: 300, height: 200 }
    const pixels = Buffer.alloc(size.width * size.height * 3)
    for (let i = 0; i < pixels.length; i += 3) pixels[i] = (i / 3) % size.width
    await sharp(pixels, { raw: { ...size, channels: 3 } })
      .png()
      .toFile(made)
    const own = await service['latent.resolve']({ source: { kind: 'file', path: made } })
    expect(own.latent).toHaveLength(z.length)
    expect(own.label).toBe('wide.png')
    const meta = await sharp(Buffer.from(own.image.split(',')[1] as string, 'base64')).metadata()
    expect([meta.width, meta.height]).toEqual([64, 64])
    const edited = await service['latent.edit']({
      latent: own.latent,
      edits: [{ attribute: 'Smiling', intensity: 2, orthogonalTo: [] }],
    })
    expect(edited.latent).not.toEqual(own.latent)
    if (sharedDataAvailable()) {
      const celeb = join(celebaSampleDir, 'img_align_celeba', '000001.jpg')
      expect(existsSync(celeb)).toBe(true)
      const face = await service['latent.resolve']({ source: { kind: 'file', path: celeb } })
      expect(face.latent.every(Number.isFinite)).toBe(true)
      expect(face.latent).not.toEqual(own.latent)
    }
    await expect(
      service['latent.resolve']({ source: { kind: 'file', path: join(temp.dir, 'missing.jpg') } }),
    ).rejects.toThrow(/missing\.jpg/)
  })

  it('samples, decodes, makes a strip and finds neighbours', async () => {
    const samples = await service['latent.sample']({ count: 2, seed: 3, temperature: 1 })
    expect(samples.faces).toHaveLength(2)
    const again = await service['latent.resolve']({
      source: { kind: 'sample', seed: 4, temperature: 1 },
    })
    expect(again.latent).toEqual(samples.faces[1]?.latent)
    const file = join(projectDir, 'exports', 'strip.png')
    const strip = await service['latent.strip']({
      source: { kind: 'image', imageId: 10 },
      attribute: 'Smiling',
      orthogonalTo: [],
      from: -4,
      to: 4,
      steps: 5,
      save: { kind: 'exports', name: 'strip.png' },
    })
    expect(strip.file).toBe(file)
    expect((await sharp(file).metadata()).width).toBe(5 * 128)
    const nn = await service['latent.neighbours']({ latent: z, k: 3 })
    expect(nn.items).toHaveLength(3)
    expect(nn.items[0]?.imageId).toBe(10)
    expect(nn.items[0]?.distance).toBeCloseTo(0, 5)
    expect(nn.items[1]!.distance).toBeGreaterThanOrEqual(nn.items[0]!.distance)
  })

  it('reconstructs dataset faces: originals above, reconstructions below', async () => {
    const { image } = await service['latent.reconstruct']({ imageIds: [1, 2, 3] })
    const png = Buffer.from(image.split(',')[1] as string, 'base64')
    const { width, height } = await sharp(png).metadata()
    expect([width, height]).toEqual([3 * 64, 2 * 64])
    // The top row is the cached dataset face itself, pixel for pixel.
    const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const cached = openImageCache(project.db, project.paths, 64)
    const first = await cached.readBatch([1])
    await cached.close()
    for (let y = 0; y < 64; y += 9) {
      for (let x = 0; x < 64; x += 7) {
        for (let c = 0; c < 3; c++) {
          expect(data[(y * 192 + x) * 3 + c]).toBe(first[(y * 64 + x) * 3 + c])
        }
      }
    }
  })

  it('reports the latent distribution', async () => {
    const stats = await service['latent.statistics']({ dims: 4, bins: 10 })
    expect(stats.images).toBe(240)
    expect(stats.mean).toHaveLength(stats.dim)
    expect(stats.klPerDimension).toHaveLength(stats.dim)
    expect(stats.histograms).toHaveLength(4)
    expect(stats.histograms[0]?.counts.reduce((a, b) => a + b, 0)).toBe(240)
  })

  it('maps as a cached background job, by PCA and by t-SNE', async () => {
    expect(await service['latent.mapResult']({ method: 'pca' })).toBeNull()
    const started = await service['latent.map']({ method: 'pca' })
    expect(started.cached).toBe(false)
    expect((await waitForJob(started.jobId as string)).status).toBe('done')
    expect(await service['latent.map']({ method: 'pca' })).toEqual({ jobId: null, cached: true })
    const result = await service['latent.mapResult']({ method: 'pca', colorBy: 'Smiling' })
    expect(result?.points).toBe(240)
    const colours = new Int8Array(Buffer.from(result?.colors as string, 'base64'))
    expect(colours).toHaveLength(240)
    expect(new Set(colours).has(1)).toBe(true)
    const tsne = await service['latent.map']({ method: 'tsne' })
    expect(tsne.cached).toBe(false)
    expect((await waitForJob(tsne.jobId as string)).status).toBe('done')
    expect(await service['latent.map']({ method: 'tsne' })).toEqual({ jobId: null, cached: true })
    const tsneResult = await service['latent.mapResult']({ method: 'tsne' })
    expect(tsneResult?.points).toBe(240)
    const coords = new Float32Array(
      Uint8Array.from(Buffer.from(tsneResult?.coords as string, 'base64')).buffer,
    )
    expect(coords).toHaveLength(480)
    expect(coords.every(Number.isFinite)).toBe(true)
  })

  it('recomputes cached vectors after encoding more faces', async () => {
    const before = await service['latent.vectors']({})
    project.db.prepare('DELETE FROM latents WHERE image_id > 200').run()
    const fewer = await service['latent.vectors']({})
    expect(fewer.latents).toBe(200)
    // The map of 240 faces no longer matches the run's latents.
    expect(await service['latent.mapResult']({ method: 'pca' })).toBeNull()
    const { jobId } = await service['latent.encode']({})
    expect((await waitForJob(jobId)).status).toBe('done')
    const after = await service['latent.vectors']({})
    expect(after.latents).toBe(240)
    after.attributes.forEach((a, i) => expect(a.positives).toBe(before.attributes[i]?.positives))
    // Re-encoded with the same checkpoint: the same latents, so the vectors match the first ones.
    expect(after.attributes).toEqual(before.attributes)
  })
})
