// temporary probe (deleted after use)
import { neighbourGraph, conditionalAffinities, symmetricAffinities, tsneLayout } from '../src/main/analysis/tsne'
import { pcaReduce } from '../src/main/studio/latent/mapMath'
const rows = Number(process.argv[2] ?? 8000)
const iters = Number(process.argv[3] ?? 100)
const dim = 128
let seed = 2024
const random = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296 }
const g = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
const centres = Array.from({ length: 12 }, () => Float32Array.from({ length: dim }, () => g() * 0.6))
const x = new Float32Array(rows * dim)
for (let i = 0; i < rows; i++) { const c = centres[Math.floor(random() * 12)]!; for (let d = 0; d < dim; d++) x[i * dim + d] = c[d]! + g() * 0.5 }
let t = performance.now()
const lap = (s: string): void => { const n = performance.now(); console.log(s, ((n - t) / 1000).toFixed(2)); t = n }
const red = pcaReduce(x, rows, dim, 50); lap('pca')
const gr = await neighbourGraph(red, rows, 50, 90); lap('knn')
const p = symmetricAffinities(gr, conditionalAffinities(gr, rows, 30), rows); lap('P')
await tsneLayout(p, rows, { iterations: iters, exaggerationIterations: Math.min(250, iters / 2) }); lap(`layout ${iters}`)
