import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { insertLatents } from '../../src/main/store/latents'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import type { Db } from '../../src/main/store/database'
import { computeLinearAttributeVectors, heldOutRows } from '../../src/main/analysis'
import {
  attributeVectorSet,
  attributeDirection,
  computeVectorSet,
  HELD_OUT_SEED,
  HELD_OUT_SHARE,
} from '../../src/main/studio/latent/vectors'
import { NoLatentsError, loadLatentTable } from '../../src/main/studio/latent/latentData'
import { cachedMap, computeMap } from '../../src/main/studio/latent/maps'
import { makeTempDir } from '../support/tempDir'
import { seededRandom } from '../support/rng'

const DIM = 6
const NAMES = ['Smiling', 'Male', 'Young']

const random = seededRandom(99)

interface Face {
  id: number
  split: number | null
  labels: number[]
  mu: Float32Array
}

function setup(db: Db, faces: Face[]): number {
  db.prepare(
    `INSERT INTO runs (created_at, updated_at, preset, config, seed, target_steps, status, dataset_snapshot, dir)
     VALUES ('t', 't', 'p', '{}', 1, 1, 'finished', '{}', '/nowhere')`,
  ).run()
  NAMES.forEach((name, idx) =>
    db.prepare('INSERT INTO attribute_names (idx, name) VALUES (?, ?)').run(idx, name),
  )
  addFaces(db, faces, 1)
  return 1
}

function addFaces(db: Db, faces: Face[], runId: number): void {
  const image = db.prepare(
    "INSERT INTO images (id, file, split, size, mtime_ms, status) VALUES (?, ?, ?, 1, 1, 'ok')",
  )
  const attrs = db.prepare(
    'INSERT INTO image_attributes (image_id, a0, a1, a2) VALUES (?, ?, ?, ?)',
  )
  for (const f of faces) {
    image.run(f.id, `${String(f.id).padStart(6, '0')}.jpg`, f.split)
    attrs.run(f.id, ...f.labels.map((l) => (l === 0 ? null : l)))
  }
  insertLatents(
    db,
    runId,
    0, // steps_done of a run never trained: these latents are current
    faces.map((f) => ({ imageId: f.id, mu: f.mu, logVar: new Float32Array(DIM) })),
  )
}

/** Smiling shifts dimension 0, Male dimension 1 (partly along 0 too), Young is noise. */
function makeFaces(first: number, count: number, split: (i: number) => number | null): Face[] {
  return Array.from({ length: count }, (_, k) => {
    const smiling = random() < 0.4 ? 1 : -1
    const male = random() < 0.5 ? 1 : -1
    const young = random() < 0.1 ? 0 : random() < 0.7 ? 1 : -1
    const mu = Float32Array.from({ length: DIM }, () => random() * 2 - 1)
    mu[0] = (mu[0] as number) + (smiling === 1 ? 1.5 : 0) + (male === 1 ? 0.5 : 0)
    mu[1] = (mu[1] as number) + (male === 1 ? 2 : 0)
    return { id: first + k, split: split(k), labels: [smiling, male, young], mu }
  })
}

/** The seed's formula, computed directly: normalise(mean μ | a = 1 − mean μ | a = −1). */
function directVector(faces: Face[], a: number): number[] {
  const pos = new Array(DIM).fill(0)
  const neg = new Array(DIM).fill(0)
  let np = 0
  let nn = 0
  for (const f of faces) {
    const target = f.labels[a] === 1 ? pos : f.labels[a] === -1 ? neg : null
    if (!target) continue
    if (f.labels[a] === 1) np++
    else nn++
    f.mu.forEach((x, d) => (target[d] += x))
  }
  const diff = pos.map((p, d) => p / np - neg[d] / nn)
  const len = Math.hypot(...diff)
  return diff.map((x) => x / len)
}

/** AUC by counting every (positive, negative) pair: 1 when ordered, ½ when tied. */
function pairwiseAuc(faces: Face[], a: number, v: ArrayLike<number>): number {
  const score = (f: Face): number => f.mu.reduce((s, x, d) => s + x * (v[d] as number), 0)
  const pos = faces.filter((f) => f.labels[a] === 1).map(score)
  const neg = faces.filter((f) => f.labels[a] === -1).map(score)
  let wins = 0
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0
  return wins / (pos.length * neg.length)
}

describe('attribute vectors from the store', () => {
  let temp: ReturnType<typeof makeTempDir>
  let db: Db
  let root: string

  beforeEach(() => {
    temp = makeTempDir('latent-vectors-')
    const opened = openProjectFolder(temp.dir)
    db = opened.db
    root = opened.paths.root
  })
  afterEach(() => {
    db.close()
    temp.cleanup()
  })

  it('match a direct computation on the other splits, with AUCs on the test split', () => {
    const faces = makeFaces(1, 300, (k) => (k % 5 === 0 ? 2 : 0))
    const runId = setup(db, faces)
    const set = attributeVectorSet(db, root, runId)
    expect(set.cached).toBe(false)
    expect(set.names).toEqual(NAMES)
    expect(set.latents).toBe(300)
    expect(set.aucSplit).toBe('test')
    expect(set.aucLatents).toBe(60)
    const test = faces.filter((f) => f.split === 2)
    const fit = faces.filter((f) => f.split !== 2)
    NAMES.forEach((_, a) => {
      const expected = directVector(fit, a)
      const got = Array.from(set.vectors.subarray(a * DIM, (a + 1) * DIM))
      got.forEach((x, d) => expect(x).toBeCloseTo(expected[d] as number, 5))
      expect(set.positives[a]).toBe(fit.filter((f) => f.labels[a] === 1).length)
      expect(set.negatives[a]).toBe(fit.filter((f) => f.labels[a] === -1).length)
      expect(set.aucs[a]).toBeCloseTo(pairwiseAuc(test, a, got), 6)
    })
    // Smiling and Male are real signals; the directions separate them well.
    expect(set.aucs[0]).toBeGreaterThan(0.8)
    expect(set.aucs[1]).toBeGreaterThan(0.9)
  })

  it('offers the normal of a logistic regression fitted outside the test split, cached apart', () => {
    const faces = makeFaces(1, 300, (k) => (k % 5 === 0 ? 2 : 0))
    const runId = setup(db, faces)
    const meanDiff = attributeVectorSet(db, root, runId)
    const linear = attributeVectorSet(db, root, runId, 'linear')
    expect(linear).toMatchObject({ cached: false, method: 'linear', aucSplit: 'test' })
    expect(linear.aucLatents).toBe(60)
    const test = faces.filter((f) => f.split === 2)
    const fit = faces.filter((f) => f.split !== 2)
    const mu = Float32Array.from(fit.flatMap((f) => Array.from(f.mu)))
    const labels = Int8Array.from(fit.flatMap((f) => f.labels))
    const direct = computeLinearAttributeVectors(mu, fit.length, DIM, labels, NAMES.length)
    NAMES.forEach((_, a) => {
      const got = Array.from(linear.vectors.subarray(a * DIM, (a + 1) * DIM))
      got.forEach((x, d) => expect(x).toBeCloseTo(direct.vectors[a * DIM + d] as number, 5))
      expect(linear.positives[a]).toBe(fit.filter((f) => f.labels[a] === 1).length)
      expect(linear.aucs[a]).toBeCloseTo(pairwiseAuc(test, a, got), 6)
    })
    expect(linear.aucs[0]).toBeGreaterThan(0.8)
    // The mean differences keep their own cache entry.
    expect(attributeVectorSet(db, root, runId)).toMatchObject({ cached: true })
    expect(Array.from(attributeVectorSet(db, root, runId).vectors)).toEqual(
      Array.from(meanDiff.vectors),
    )
    expect(attributeVectorSet(db, root, runId, 'linear').cached).toBe(true)
  })

  it('holds out a seeded 10 % without a test split, and fits the vectors on the rest only', () => {
    const faces = makeFaces(1, 120, () => 0)
    const runId = setup(db, faces)
    const set = attributeVectorSet(db, root, runId)
    expect(set.aucSplit).toBe('held-out 10 %')
    expect(set.aucLatents).toBe(12)
    const held = heldOutRows(
      faces.map((f) => f.id),
      HELD_OUT_SHARE,
      HELD_OUT_SEED,
    )
    const heldFaces = Array.from(held.heldOut, (i) => faces[i]!)
    const rest = Array.from(held.rest, (i) => faces[i]!)
    NAMES.forEach((_, a) => {
      const got = Array.from(set.vectors.subarray(a * DIM, (a + 1) * DIM))
      // No leakage: the direction is that of the other 90 % alone, not of all faces.
      directVector(rest, a).forEach((x, d) => expect(got[d]).toBeCloseTo(x, 5))
      expect(set.positives[a]! + set.negatives[a]!).toBeLessThanOrEqual(108)
      expect(set.aucs[a]).toBeCloseTo(pairwiseAuc(heldFaces, a, got), 6)
    })
    const all = directVector(faces, 0)
    const got = Array.from(set.vectors.subarray(0, DIM))
    expect(Math.max(...all.map((x, d) => Math.abs(x - got[d]!)))).toBeGreaterThan(1e-4)
    // The same faces are held out next time: the choice is seeded, not random.
    expect(computeVectorSet(db, root, runId).aucs).toEqual(set.aucs)
    // The linear directions hold out the same faces and are fitted on the rest alone.
    const linear = attributeVectorSet(db, root, runId, 'linear')
    expect(linear).toMatchObject({ aucSplit: 'held-out 10 %', aucLatents: 12 })
    const mu = Float32Array.from(rest.flatMap((f) => Array.from(f.mu)))
    const labels = Int8Array.from(rest.flatMap((f) => f.labels))
    const direct = computeLinearAttributeVectors(mu, rest.length, DIM, labels, NAMES.length)
    NAMES.forEach((_, a) => {
      const v = Array.from(linear.vectors.subarray(a * DIM, (a + 1) * DIM))
      v.forEach((x, d) => expect(x).toBeCloseTo(direct.vectors[a * DIM + d] as number, 5))
      expect(linear.aucs[a]).toBeCloseTo(pairwiseAuc(heldFaces, a, v), 6)
    })
  })

  it('gives a null AUC and no direction where a class is empty', () => {
    const faces = makeFaces(1, 80, () => 2).map((f) => ({ ...f, labels: [f.labels[0]!, 1, 1] }))
    const runId = setup(db, faces)
    const set = attributeVectorSet(db, root, runId)
    expect(set.aucs[1]).toBeNull()
    expect(set.valid[1]).toBe(false)
    expect(() => attributeDirection(set, 'Male')).toThrow(/no direction/)
  })

  it('conditional directions are orthogonal to the chosen attributes; bad names list the valid ones', () => {
    const runId = setup(
      db,
      makeFaces(1, 200, (k) => (k % 4 === 0 ? 2 : 0)),
    )
    const set = attributeVectorSet(db, root, runId)
    const d = attributeDirection(set, 'smiling', ['Male', 'Young'])
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
      Array.from(a).reduce((s, x, i) => s + x * (b[i] as number), 0)
    expect(Math.hypot(...d)).toBeCloseTo(1, 5)
    expect(Math.abs(dot(d, set.vectors.subarray(DIM, 2 * DIM)))).toBeLessThan(1e-5)
    expect(Math.abs(dot(d, set.vectors.subarray(2 * DIM, 3 * DIM)))).toBeLessThan(1e-5)
    expect(() => attributeDirection(set, 'Smilin')).toThrow(
      /valid attributes: Smiling, Male, Young/,
    )
  })

  it('are cached per run and recomputed when the run encodes more faces', () => {
    const first = makeFaces(1, 100, (k) => (k % 3 === 0 ? 2 : 0))
    const runId = setup(db, first)
    const a = attributeVectorSet(db, root, runId)
    const again = attributeVectorSet(db, root, runId)
    expect(again.cached).toBe(true)
    expect(Array.from(again.vectors)).toEqual(Array.from(a.vectors))
    const more = makeFaces(101, 100, (k) => (k % 3 === 0 ? 2 : 0)).map((f) => {
      f.mu[2] = (f.mu[2] as number) + (f.labels[0] === 1 ? 3 : 0)
      return f
    })
    addFaces(db, more, runId)
    const after = attributeVectorSet(db, root, runId)
    expect(after.cached).toBe(false)
    expect(after.latents).toBe(200)
    const expected = directVector(
      [...first, ...more].filter((f) => f.split !== 2),
      0,
    )
    expect(after.vectors[2]).toBeCloseTo(expected[2] as number, 5)
    expect(after.vectors[2]).not.toBeCloseTo(a.vectors[2] as number, 2)
  })

  it('caches maps per method and invalidates them when labels or latents change', async () => {
    const runId = setup(
      db,
      makeFaces(1, 60, () => 2),
    )
    expect(cachedMap(db, runId, 'pca')).toBeNull()
    const map = await computeMap(db, root, runId, 'pca')
    expect(map.cached).toBe(false)
    expect(map.points).toBe(60)
    expect(cachedMap(db, runId, 'pca')?.coords).toEqual(map.coords)
    expect(cachedMap(db, runId, 'umap')).toBeNull()
    db.prepare('UPDATE image_attributes SET a0 = -a0 WHERE image_id = 5').run()
    expect(cachedMap(db, runId, 'pca')).toBeNull()
    const tsne = await computeMap(db, root, runId, 'tsne')
    expect(tsne.cached).toBe(false)
    expect(tsne.points).toBe(60)
    expect(tsne.coords).toHaveLength(120)
    expect(tsne.coords.every(Number.isFinite)).toBe(true)
    expect(cachedMap(db, runId, 'tsne')?.coords).toEqual(tsne.coords)
    expect((await computeMap(db, root, runId, 'tsne')).cached).toBe(true)
  })

  it('says to encode when a run has no latents', () => {
    const runId = setup(db, [])
    expect(loadLatentTable(db, runId).n).toBe(0)
    expect(() => attributeVectorSet(db, root, runId)).toThrow(NoLatentsError)
    expect(() => attributeVectorSet(db, root, runId)).toThrow(
      /no latents from its current checkpoint/,
    )
  })
})
