/**
 * 2-D map speed on synthetic clustered latents (dim 128): PCA, UMAP as the studio runs it (PCA to
 * 32 dims, fit on a 2,500-point subsample, 200 epochs, the rest placed from their nearest fitted
 * points) and t-SNE as the studio runs it (PCA to 50 dims, Barnes–Hut t-SNE on a subsample of
 * TSNE_FIT_POINTS, the rest placed likewise). With --baseline also plain umap-js on every point, and
 * with --tsne-full t-SNE fitted on every point, for comparison (slow). Each map's quality is the
 * fraction of a point's 10 nearest 2-D neighbours that share its cluster.
 * The host's event-loop lag is measured twice for t-SNE: while it runs on this thread (as the studio
 * did before maps moved to a worker) and while the studio's map job (computeMap on a worker thread,
 * reading the latents from a real project database) computes the same map.
 * Usage: npm run bench:map [-- --json] [--rows N] [--baseline] [--no-umap] [--no-tsne] [--tsne-full]
 *   [--no-worker]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { umap2 } from '../src/main/analysis/projection'
import { tsne2 } from '../src/main/analysis/tsne'
import { insertLatents } from '../src/main/store/latents'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { pca2, pcaReduce } from '../src/main/analysis/pca'
import {
  computeMap,
  projectLatents,
  TSNE_FIT_POINTS,
  TSNE_REDUCED_DIMS,
} from '../src/main/studio/latent/maps'
import { arg, args, json } from './lib/benchCli'
import { Rng } from '../src/main/engine/model/rng'

const rows = arg('--rows', 20_000)
const dim = 128
const clusters = 12

const rng = new Rng(2024)
const random = (): number => rng.next()
const gaussian = (): number => rng.normal()

function makeData(n: number): { latents: Float32Array; cluster: Int32Array } {
  const centres = Array.from({ length: clusters }, () =>
    Float32Array.from({ length: dim }, () => gaussian() * 0.6),
  )
  const latents = new Float32Array(n * dim)
  const cluster = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = Math.floor(random() * clusters)
    cluster[i] = c
    const centre = centres[c] as Float32Array
    for (let d = 0; d < dim; d++) latents[i * dim + d] = (centre[d] as number) + gaussian() * 0.5
  }
  return { latents, cluster }
}

/** Mean share of same-cluster points among the 10 nearest 2-D neighbours of 1,000 query points. */
function neighbourPurity(coords: Float32Array, cluster: Int32Array): number {
  const n = cluster.length
  const k = 10
  let total = 0
  const queries = Math.min(1000, n)
  for (let q = 0; q < queries; q++) {
    const i = Math.floor((q * n) / queries)
    const best: [number, number][] = []
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      const dx = (coords[i * 2] as number) - (coords[j * 2] as number)
      const dy = (coords[i * 2 + 1] as number) - (coords[j * 2 + 1] as number)
      const d = dx * dx + dy * dy
      if (best.length < k || d < (best[best.length - 1] as [number, number])[0]) {
        best.push([d, j])
        best.sort((a, b) => a[0] - b[0])
        if (best.length > k) best.pop()
      }
    }
    total += best.filter(([, j]) => cluster[j] === cluster[i]).length / k
  }
  return total / queries
}

const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now()
  const r = await f()
  return [r, (performance.now() - t) / 1000]
}

/** Runs f while sampling this thread's event-loop delay; the max and p99 lag in ms. */
async function withLag<T>(f: () => Promise<T>): Promise<[T, number, number]> {
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  const r = await f()
  h.disable()
  const ms = (ns: number): number => Math.round(ns / 1e5) / 10
  return [r, ms(h.max), ms(h.percentile(99))]
}

/** A throwaway project holding the latents as run 1's, for the studio's worker path. */
async function tsneInWorker(latents: Float32Array, n: number): Promise<[number, number, number]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-map-'))
  try {
    const { db, paths } = openProjectFolder(join(dir, 'project'))
    db.prepare(
      `INSERT INTO runs (created_at, updated_at, preset, config, seed, target_steps, status, dataset_snapshot, dir)
       VALUES ('t', 't', 'bench', '{}', 1, 1, 'finished', '{}', ?)`,
    ).run(dir)
    const image = db.prepare(
      "INSERT INTO images (id, file, split, size, mtime_ms, status) VALUES (?, ?, 0, 1, 1, 'ok')",
    )
    db.transaction(() => {
      for (let i = 1; i <= n; i++) image.run(i, `${String(i).padStart(6, '0')}.jpg`)
    })()
    insertLatents(
      db,
      1,
      0, // steps_done of a run never trained: these latents are current
      Array.from({ length: n }, (_, i) => ({
        imageId: i + 1,
        mu: latents.subarray(i * dim, (i + 1) * dim),
        logVar: new Float32Array(dim),
      })),
    )
    const [[, seconds], lagMax, lagP99] = await withLag(() =>
      time(() => computeMap(db, paths.root, 1, 'tsne')),
    )
    db.close()
    return [seconds, lagMax, lagP99]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const { latents, cluster } = makeData(rows)
const result: Record<string, number | null> = { points: rows, dim }
const [pca, pcaSeconds] = await time(() => pca2(latents, rows, dim))
result.pcaSeconds = pcaSeconds
result.pcaPurity = neighbourPurity(pca.coords, cluster)
if (!json) console.log(`PCA  ${rows}×${dim}: ${pcaSeconds.toFixed(2)} s`)
if (!args.includes('--no-umap')) {
  const [umap, umapSeconds] = await time(() => projectLatents('umap', latents, rows, dim))
  result.umapSeconds = umapSeconds
  result.umapPurity = neighbourPurity(umap, cluster)
  if (!json) console.log(`UMAP ${rows}×${dim} (studio): ${umapSeconds.toFixed(2)} s`)
}
if (args.includes('--baseline')) {
  const [plain, plainSeconds] = await time(() => umap2(latents, rows, dim, { seed: 42 }))
  result.umapPlainSeconds = plainSeconds
  result.umapPlainPurity = neighbourPurity(plain.coords, cluster)
  if (!json) console.log(`UMAP ${rows}×${dim} (plain umap-js): ${plainSeconds.toFixed(2)} s`)
}
if (!args.includes('--no-tsne')) {
  const [[tsne, tsneSeconds], lagMax, lagP99] = await withLag(() =>
    time(() => projectLatents('tsne', latents, rows, dim)),
  )
  result.tsneSeconds = tsneSeconds
  result.tsneFitPoints = Math.min(rows, TSNE_FIT_POINTS)
  result.tsnePurity = neighbourPurity(tsne, cluster)
  result.tsneInThreadLagMaxMs = lagMax
  result.tsneInThreadLagP99Ms = lagP99
  if (!json) {
    console.log(`t-SNE ${rows}×${dim} (studio): ${tsneSeconds.toFixed(2)} s`)
    console.log(`  on this thread: event-loop lag max ${lagMax} ms, p99 ${lagP99} ms`)
  }
  if (!args.includes('--no-worker')) {
    const [seconds, workerLagMax, workerLagP99] = await tsneInWorker(latents, rows)
    result.tsneWorkerSeconds = seconds
    result.tsneWorkerLagMaxMs = workerLagMax
    result.tsneWorkerLagP99Ms = workerLagP99
    if (!json) {
      console.log(
        `  as a map job (worker thread, from SQLite): ${seconds.toFixed(2)} s, ` +
          `event-loop lag max ${workerLagMax} ms, p99 ${workerLagP99} ms`,
      )
    }
  }
}
if (args.includes('--tsne-full')) {
  const reduced = await pcaReduce(latents, rows, dim, TSNE_REDUCED_DIMS)
  const [full, fullSeconds] = await time(() =>
    tsne2(reduced, rows, TSNE_REDUCED_DIMS, { seed: 42 }),
  )
  result.tsneFullSeconds = fullSeconds
  result.tsneFullPurity = neighbourPurity(full.coords, cluster)
  if (!json) console.log(`t-SNE ${rows}×${dim} (every point fitted): ${fullSeconds.toFixed(2)} s`)
}
result.loadAverage = Math.round((loadavg()[0] ?? 0) * 100) / 100
console.log(JSON.stringify(result))
