/**
 * 2-D map speed on synthetic clustered latents (dim 128): PCA, UMAP as the studio runs it (PCA to
 * 32 dims, fit on a 2,500-point subsample, 200 epochs, the rest placed from their nearest fitted
 * points) and t-SNE as the studio runs it (PCA to 50 dims, Barnes–Hut t-SNE on a subsample of
 * TSNE_FIT_POINTS, the rest placed likewise). With --baseline also plain umap-js on every point, and
 * with --tsne-full t-SNE fitted on every point, for comparison (slow). Each map's quality is the
 * fraction of a point's 10 nearest 2-D neighbours that share its cluster.
 * Usage: npm run bench:map [-- --json] [--rows N] [--baseline] [--no-umap] [--no-tsne] [--tsne-full]
 */
import { pca2, umap2 } from '../src/main/analysis/projection'
import { tsne2 } from '../src/main/analysis/tsne'
import { pcaReduce } from '../src/main/studio/latent/mapMath'
import { projectLatents, TSNE_FIT_POINTS, TSNE_REDUCED_DIMS } from '../src/main/studio/latent/maps'

const args = process.argv.slice(2)
const json = args.includes('--json')
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const rows = arg('--rows', 20_000)
const dim = 128
const clusters = 12

let seed = 2024
const random = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
  return seed / 4294967296
}
const gaussian = (): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())

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
  const [tsne, tsneSeconds] = await time(() => projectLatents('tsne', latents, rows, dim))
  result.tsneSeconds = tsneSeconds
  result.tsneFitPoints = Math.min(rows, TSNE_FIT_POINTS)
  result.tsnePurity = neighbourPurity(tsne, cluster)
  if (!json) console.log(`t-SNE ${rows}×${dim} (studio): ${tsneSeconds.toFixed(2)} s`)
}
if (args.includes('--tsne-full')) {
  const reduced = pcaReduce(latents, rows, dim, TSNE_REDUCED_DIMS)
  const [full, fullSeconds] = await time(() =>
    tsne2(reduced, rows, TSNE_REDUCED_DIMS, { seed: 42 }),
  )
  result.tsneFullSeconds = fullSeconds
  result.tsneFullPurity = neighbourPurity(full.coords, cluster)
  if (!json) console.log(`t-SNE ${rows}×${dim} (every point fitted): ${fullSeconds.toFixed(2)} s`)
}
if (!json) console.log(JSON.stringify(result))
else console.log(JSON.stringify(result))
