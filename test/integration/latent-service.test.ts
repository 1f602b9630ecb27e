import { cpSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { attributeVectorSet } from '../../src/main/studio/latent/vectors'
import { openImageCache } from '../../src/main/dataset/imageCache'
import { readLatentMatrix } from '../../src/main/store/latents'
import { startServiceHarness, type ServiceHarness } from '../support/serviceHarness'
import { celebaSampleDir, sharedDataAvailable } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('latent-service-')
const projectDir = join(temp.dir, 'project')
cpSync(inject('trainedProject'), projectDir, { recursive: true })
let studio: ServiceHarness

const dot = (a: readonly number[], b: ArrayLike<number>): number =>
  a.reduce((s, x, i) => s + x * (b[i] as number), 0)

/** ROC AUC of the mean-difference vector's projections over the test split's labelled faces. */
function testSplitAuc(runId: number, attribute: string): number {
  const { db, paths } = studio.project()
  const set = attributeVectorSet(db, paths.root, runId, 'mean-diff')
  const k = set.names.indexOf(attribute)
  const vector = Array.from(set.vectors.subarray(k * set.dim, (k + 1) * set.dim))
  const { imageIds, mu, dim } = readLatentMatrix(db, runId)
  const rows = db
    .prepare(
      `SELECT i.id AS id, a.a${k} AS label FROM images i
       JOIN image_attributes a ON a.image_id = i.id WHERE i.split = 2`,
    )
    .all() as { id: number; label: number }[]
  const label = new Map(rows.map((r) => [r.id, r.label]))
  const scores: Record<string, number[]> = { '1': [], '-1': [] }
  imageIds.forEach((id, i) => {
    scores[String(label.get(id))]?.push(dot(vector, mu.subarray(i * dim, (i + 1) * dim)))
  })
  const [positives, negatives] = [scores['1'] ?? [], scores['-1'] ?? []]
  let wins = 0
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0
  return wins / (positives.length * negatives.length)
}

afterAll(async () => {
  await studio.close()
  temp.cleanup()
})

describe('LatentService on a trained project', () => {
  let z: number[]

  beforeAll(async () => {
    studio = await startServiceHarness(temp.dir, projectDir)
    const face = await studio.call('latent.resolve', { source: { kind: 'image', imageId: 10 } })
    z = face.latent
  })

  it('lists all 40 attribute vectors with AUCs', async () => {
    const out = await studio.call('latent.vectors', {})
    expect(out.attributes).toHaveLength(40)
    expect(out.latents).toBe(240)
    expect(['test', 'held-out 10 %']).toContain(out.aucSplit)
    const smiling = out.attributes.find((a) => a.name === 'Smiling')
    expect(smiling?.positives).toBeGreaterThan(0)
    expect(smiling?.negatives).toBeGreaterThan(0)
    // The AUC is that of the Smiling vector's projections on the test split, counted pair by pair.
    expect(out.aucSplit).toBe('test')
    expect(smiling?.auc).toBeCloseTo(testSplitAuc(out.runId, 'Smiling'), 6)
  })

  it('offers linear-classifier directions: their AUCs, and edits along them per attribute', async () => {
    const linear = await studio.call('latent.vectors', { method: 'linear' })
    expect(linear.method).toBe('linear')
    expect(linear.attributes).toHaveLength(40)
    const set = attributeVectorSet(
      studio.project().db,
      studio.project().paths.root,
      linear.runId,
      'linear',
    )
    const row = Array.from(set.vectors.subarray(set.names.indexOf('Smiling') * set.dim)).slice(
      0,
      set.dim,
    )
    const edited = await studio.call('latent.edit', {
      latent: z,
      edits: [{ attribute: 'Smiling', intensity: 2, orthogonalTo: [], method: 'linear' }],
    })
    edited.latent.forEach((x, i) =>
      expect(x).toBeCloseTo((z[i] as number) + 2 * (row[i] as number), 4),
    )
    const meanDiff = await studio.call('latent.edit', {
      latent: z,
      edits: [{ attribute: 'Smiling', intensity: 2, orthogonalTo: [] }],
    })
    expect(meanDiff.latent).not.toEqual(edited.latent)
  })

  it('edits conditionally: the move is orthogonal to the chosen attributes', async () => {
    const male = await studio.call('latent.edit', {
      latent: z,
      edits: [{ attribute: 'Male', intensity: 1, orthogonalTo: [] }],
    })
    const young = await studio.call('latent.edit', {
      latent: z,
      edits: [{ attribute: 'Young', intensity: 1, orthogonalTo: [] }],
    })
    const maleDir = male.latent.map((x, i) => x - (z[i] as number))
    const youngDir = young.latent.map((x, i) => x - (z[i] as number))
    const edited = await studio.call('latent.edit', {
      latent: z,
      edits: [{ attribute: 'Smiling', intensity: 3, orthogonalTo: ['Male', 'Young'] }],
    })
    const move = edited.latent.map((x, i) => x - (z[i] as number))
    expect(Math.hypot(...move)).toBeCloseTo(3, 3)
    expect(Math.abs(dot(move, maleDir))).toBeLessThan(1e-3)
    expect(Math.abs(dot(move, youngDir))).toBeLessThan(1e-3)
    expect(edited.image).toMatch(/^data:image\/png;base64,/)
    // Several vectors at once add up.
    const both = await studio.call('latent.edit', {
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
      studio.call('latent.edit', {
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
    const own = await studio.call('latent.resolve', { source: { kind: 'file', path: made } })
    expect(own.latent).toHaveLength(z.length)
    expect(own.label).toBe('wide.png')
    const meta = await sharp(Buffer.from(own.image.split(',')[1] as string, 'base64')).metadata()
    expect([meta.width, meta.height]).toEqual([64, 64])
    const edited = await studio.call('latent.edit', {
      latent: own.latent,
      edits: [{ attribute: 'Smiling', intensity: 2, orthogonalTo: [] }],
    })
    expect(edited.latent).not.toEqual(own.latent)
    if (sharedDataAvailable()) {
      const celeb = join(celebaSampleDir, 'img_align_celeba', '000001.jpg')
      expect(existsSync(celeb)).toBe(true)
      const face = await studio.call('latent.resolve', { source: { kind: 'file', path: celeb } })
      expect(face.latent.every(Number.isFinite)).toBe(true)
      expect(face.latent).not.toEqual(own.latent)
    }
    await expect(
      studio.call('latent.resolve', {
        source: { kind: 'file', path: join(temp.dir, 'missing.jpg') },
      }),
    ).rejects.toThrow(/missing\.jpg/)
  })

  it('samples, decodes, makes a strip and finds neighbours', async () => {
    const samples = await studio.call('latent.sample', { count: 2, seed: 3, temperature: 1 })
    expect(samples.faces).toHaveLength(2)
    const again = await studio.call('latent.resolve', {
      source: { kind: 'sample', seed: 4, temperature: 1 },
    })
    expect(again.latent).toEqual(samples.faces[1]?.latent)
    const file = join(projectDir, 'exports', 'strip.png')
    const strip = await studio.call('latent.strip', {
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
    const nn = await studio.call('latent.neighbours', { latent: z, k: 3 })
    expect(nn.items).toHaveLength(3)
    expect(nn.items[0]?.imageId).toBe(10)
    expect(nn.items[0]?.distance).toBeCloseTo(0, 5)
    expect(nn.items[1]!.distance).toBeGreaterThanOrEqual(nn.items[0]!.distance)
  })

  it('reconstructs dataset faces: originals above, reconstructions below', async () => {
    const { image } = await studio.call('latent.reconstruct', { imageIds: [1, 2, 3] })
    const png = Buffer.from(image.split(',')[1] as string, 'base64')
    const { width, height } = await sharp(png).metadata()
    expect([width, height]).toEqual([3 * 64, 2 * 64])
    // The top row is the cached dataset face itself, pixel for pixel.
    const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const cached = openImageCache(studio.project().db, studio.project().paths, 64)
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
    const stats = await studio.call('latent.statistics', { dims: 4, bins: 10 })
    expect(stats.images).toBe(240)
    expect(stats.mean).toHaveLength(stats.dim)
    expect(stats.klPerDimension).toHaveLength(stats.dim)
    expect(stats.histograms).toHaveLength(4)
    expect(stats.histograms[0]?.counts.reduce((a, b) => a + b, 0)).toBe(240)
  })

  it('maps as a cached background job, by PCA and by t-SNE', async () => {
    expect(await studio.call('latent.mapResult', { method: 'pca' })).toBeNull()
    const started = await studio.call('latent.map', { method: 'pca' })
    expect(started.cached).toBe(false)
    expect((await studio.whenFinished(started.jobId)).status).toBe('done')
    expect(await studio.call('latent.map', { method: 'pca' })).toEqual({
      jobId: null,
      cached: true,
    })
    const result = await studio.call('latent.mapResult', { method: 'pca', colorBy: 'Smiling' })
    expect(result?.points).toBe(240)
    const colours = new Int8Array(Buffer.from(result?.colors as string, 'base64'))
    expect(colours).toHaveLength(240)
    expect(new Set(colours).has(1)).toBe(true)
    const tsne = await studio.call('latent.map', { method: 'tsne' })
    expect(tsne.cached).toBe(false)
    expect((await studio.whenFinished(tsne.jobId)).status).toBe('done')
    expect(await studio.call('latent.map', { method: 'tsne' })).toEqual({
      jobId: null,
      cached: true,
    })
    const tsneResult = await studio.call('latent.mapResult', { method: 'tsne' })
    expect(tsneResult?.points).toBe(240)
    const coords = new Float32Array(
      Uint8Array.from(Buffer.from(tsneResult?.coords as string, 'base64')).buffer,
    )
    expect(coords).toHaveLength(480)
    expect(coords.every(Number.isFinite)).toBe(true)
  })

  it('recomputes cached vectors after encoding more faces', async () => {
    const before = await studio.call('latent.vectors', {})
    studio.project().db.prepare('DELETE FROM latents WHERE image_id > 200').run()
    const fewer = await studio.call('latent.vectors', {})
    expect(fewer.latents).toBe(200)
    // The map of 240 faces no longer matches the run's latents.
    expect(await studio.call('latent.mapResult', { method: 'pca' })).toBeNull()
    const { jobId } = await studio.call('latent.encode', {})
    expect((await studio.whenFinished(jobId)).status).toBe('done')
    const after = await studio.call('latent.vectors', {})
    expect(after.latents).toBe(240)
    after.attributes.forEach((a, i) => expect(a.positives).toBe(before.attributes[i]?.positives))
    // Re-encoded with the same checkpoint: the same latents, so the vectors match the first ones.
    expect(after.attributes).toEqual(before.attributes)
  })
})
