/**
 * Analysis speed: all 40 attribute vectors over 200k×128 latents (target ≤ 2 s), their AUCs on a
 * 20k test split, PCA of the 200k, and UMAP of 20k×128 clustered latents (target ≤ 30 s).
 * Usage: npm run bench:analysis [-- --json] [--rows N] [--umap-rows N] [--no-umap]
 */
import { computeAttributeVectors } from '../src/main/analysis/attributeVectors'
import { attributeVectorAucs } from '../src/main/analysis/auc'
import { pca2 } from '../src/main/analysis/pca'
import { umap2 } from '../src/main/analysis/projection'
import { nearestNeighbours } from '../src/main/analysis/neighbours'
import { arg, args, json } from './lib/benchCli'
import { Rng } from '../src/main/engine/model/rng'

const rows = arg('--rows', 200_000)
const umapRows = arg('--umap-rows', 20_000)
const dim = 128
const attrs = 40

const rng = new Rng(12345)
const random = (): number => rng.next()
const gaussian = (): number => rng.normal()

/** Latents from 40 binary attributes (CelebA-like rates) plus noise: clustered, not uniform. */
function makeData(n: number): { latents: Float32Array; labels: Int8Array } {
  const directions = Array.from({ length: attrs }, () =>
    Float32Array.from({ length: dim }, gaussian),
  )
  const rates = Array.from({ length: attrs }, () => 0.05 + random() * 0.4)
  const latents = new Float32Array(n * dim)
  const labels = new Int8Array(n * attrs)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) latents[i * dim + d] = gaussian()
    for (let a = 0; a < attrs; a++) {
      const on = random() < (rates[a] as number)
      labels[i * attrs + a] = on ? 1 : -1
      if (on) {
        const v = directions[a] as Float32Array
        for (let d = 0; d < dim; d++)
          latents[i * dim + d] = (latents[i * dim + d] as number) + 0.3 * (v[d] as number)
      }
    }
  }
  return { latents, labels }
}

const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const t = performance.now()
  const r = await f()
  return [r, (performance.now() - t) / 1000]
}

const { latents, labels } = makeData(rows)
const [vectors, vectorSeconds] = await time(() =>
  computeAttributeVectors(latents, rows, dim, labels, attrs),
)
const testRows = Uint32Array.from({ length: Math.min(20_000, rows) }, (_, i) => rows - 1 - i)
const [aucs, aucSeconds] = await time(() =>
  attributeVectorAucs(latents, rows, dim, labels, attrs, vectors.vectors, testRows),
)
const [, knnSeconds] = await time(() =>
  nearestNeighbours(latents.subarray(0, dim), latents, rows, dim, 16),
)
const [, pcaSeconds] = await time(() => pca2(latents, rows, dim))
let umapSeconds: number | null = null
if (!args.includes('--no-umap')) {
  const sub = latents.subarray(0, umapRows * dim)
  ;[, umapSeconds] = await time(() => umap2(sub, umapRows, dim, { seed: 1 }))
}
const meanAuc = aucs.reduce<number>((s, a) => s + (a ?? 0), 0) / attrs
const report = {
  rows,
  dim,
  attributes: attrs,
  vectorSeconds: Number(vectorSeconds.toFixed(3)),
  aucSeconds: Number(aucSeconds.toFixed(3)),
  meanAuc: Number(meanAuc.toFixed(3)),
  knnSeconds: Number(knnSeconds.toFixed(3)),
  pcaSeconds: Number(pcaSeconds.toFixed(3)),
  umapRows,
  umapSeconds: umapSeconds === null ? null : Number(umapSeconds.toFixed(2)),
}
process.stdout.write(
  `attribute vectors: ${attrs} over ${rows}×${dim} in ${report.vectorSeconds} s; ` +
    `AUCs on ${testRows.length} rows in ${report.aucSeconds} s (mean ${report.meanAuc}); ` +
    `16-NN in ${report.knnSeconds} s; PCA in ${report.pcaSeconds} s; ` +
    `UMAP ${umapRows}×${dim}: ${report.umapSeconds === null ? 'skipped' : `${report.umapSeconds} s`}\n`,
)
if (json) process.stdout.write(`${JSON.stringify(report)}\n`)
