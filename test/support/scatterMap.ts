/**
 * The map `bench:scatter` and the browser tests draw at CelebA's full size: a prepared project's real
 * run and latents, and a 202,599-point t-SNE-like layout (seeded Gaussian blobs) written into the
 * run's analysis cache under the fingerprint of its real latents, as if `latent.map` had computed
 * it. The image rows beyond the project's real faces are placeholder rows (no files) whose Smiling
 * label is drawn at CelebA's rate (48 % positive), so colouring has three real classes. The real
 * faces sit apart in a small cluster of their own (where `placeReal` puts them), so a view zoomed
 * in on them shows real thumbnails.
 */
import { latentFingerprint } from '../../src/main/studio/latent/analysisCache'
import { attributeNames } from '../../src/main/studio/latent/latentData'
import { cachedMap, storeMap } from '../../src/main/studio/latent/maps'
import { latestTrainedRun } from '../../src/main/store/runs'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { Rng } from '../../src/main/engine/model/rng'

export const SCATTER_POINTS = 202_599
/** Where the real faces are, unless the caller places them. */
export const REAL_CLUSTER = { x: 88, y: 88, radius: 2.5 }

/** t-SNE-like layout: ~40 elongated blobs of uneven size and a thin uniform haze. */
export function syntheticLayout(n: number, rng: Rng): Float32Array {
  const random = (): number => rng.next()
  const blobs = Array.from({ length: 40 }, () => ({
    x: (random() - 0.5) * 160,
    y: (random() - 0.5) * 160,
    sx: 2 + random() * 9,
    sy: 2 + random() * 9,
    angle: random() * Math.PI,
    weight: 0.2 + random(),
  }))
  const total = blobs.reduce((s, b) => s + b.weight, 0)
  const coords = new Float32Array(n * 2)
  for (let i = 0; i < n; i++) {
    if (random() < 0.04) {
      coords[2 * i] = (random() - 0.5) * 190
      coords[2 * i + 1] = (random() - 0.5) * 190
      continue
    }
    let pick = random() * total
    let b = blobs[0] as (typeof blobs)[number]
    for (const blob of blobs) {
      b = blob
      pick -= blob.weight
      if (pick <= 0) break
    }
    const u = rng.normal() * b.sx
    const v = rng.normal() * b.sy
    coords[2 * i] = b.x + u * Math.cos(b.angle) - v * Math.sin(b.angle)
    coords[2 * i + 1] = b.y + u * Math.sin(b.angle) + v * Math.cos(b.angle)
  }
  return coords
}

export interface ScatterMap {
  runId: number
  realFaces: number[]
  coords: Float32Array
  imageIds: Int32Array
}

/**
 * Writes the synthetic map (and placeholder image rows) into the project. `placeReal` gives each real
 * face's position (default: a small cluster at REAL_CLUSTER).
 */
export function seedScatterMap(
  projectDir: string,
  options: {
    points?: number
    seed?: number
    placeReal?: (imageId: number, k: number, rng: Rng) => [number, number]
  } = {},
): ScatterMap {
  const points = options.points ?? SCATTER_POINTS
  const rng = new Rng(options.seed ?? 20_240_601)
  const place =
    options.placeReal ??
    ((_id: number, k: number): [number, number] => {
      const a = k * 2.399963
      const r = REAL_CLUSTER.radius * Math.sqrt((k + 0.5) / 160)
      return [REAL_CLUSTER.x + r * Math.cos(a), REAL_CLUSTER.y + r * Math.sin(a)]
    })
  const { db } = openProjectFolder(projectDir)
  try {
    const run = latestTrainedRun(db)
    if (!run) throw new Error(`${projectDir}: the prepared project has no trained run`)
    const real = (
      db
        .prepare('SELECT image_id AS id FROM latents WHERE run_id = ? ORDER BY image_id')
        .all(run.id) as { id: number }[]
    ).map((r) => r.id)
    const fingerprint = latentFingerprint(db, run.id)
    const smiling = attributeNames(db).indexOf('Smiling')
    if (smiling < 0) throw new Error(`${projectDir}: the dataset has no Smiling attribute`)
    const maxId = (db.prepare('SELECT max(id) AS m FROM images').get() as { m: number }).m
    const image = db.prepare(
      "INSERT INTO images (id, file, split, size, mtime_ms, status) VALUES (?, ?, 0, 1, 1, 'ok')",
    )
    const label = db.prepare(`INSERT INTO image_attributes (image_id, a${smiling}) VALUES (?, ?)`)
    const imageIds = new Int32Array(points)
    real.slice(0, points).forEach((id, i) => (imageIds[i] = id))
    db.transaction(() => {
      for (let i = real.length, id = maxId + 1; i < points; i++, id++) {
        image.run(id, `placeholder/${String(id).padStart(6, '0')}.jpg`)
        label.run(id, rng.next() < 0.48 ? 1 : -1)
        imageIds[i] = id
      }
    })()
    imageIds.sort()
    const coords = syntheticLayout(points, rng)
    // Real ids are the smallest, so they are the first rows after sorting.
    real.slice(0, points).forEach((id, k) => {
      const [x, y] = place(id, k, rng)
      coords[2 * k] = x
      coords[2 * k + 1] = y
    })
    storeMap(
      db,
      { runId: run.id, method: 'tsne', points, seconds: 0, coords, imageIds },
      undefined,
      fingerprint,
    )
    if (cachedMap(db, run.id, 'tsne')?.points !== points)
      throw new Error('the synthetic map did not read back from the cache')
    return { runId: run.id, realFaces: real, coords, imageIds }
  } finally {
    db.close()
  }
}
