/** 2-D maps of the latent space by UMAP (umap-js), cancellable; PCA is in pca.ts. */
import { UMAP } from 'umap-js'
import { Rng } from '../../shared/random'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { yieldToEventLoop } from './eventLoop'
import { checkMatrix } from './matrix'

export interface Projection2D {
  /** n×2 row-major. */
  coords: Float32Array
}

export interface UmapOptions {
  nNeighbors?: number
  minDist?: number
  nEpochs?: number
  /** Seed for umap-js's random choices, so a map can be reproduced. */
  seed?: number
}

/**
 * UMAP to two dimensions with umap-js. The neighbour graph (nn-descent) is built in one
 * synchronous call that reports no progress; the layout epochs then report progress and can be
 * cancelled between epochs.
 */
export async function umap2(
  latents: Float32Array,
  n: number,
  dim: number,
  options: UmapOptions = {},
  control: TaskControl = {},
): Promise<Projection2D> {
  checkMatrix(latents, n, dim, 'umap: latents')
  const nNeighbors = options.nNeighbors ?? 15
  if (n <= nNeighbors) throw new Error(`umap: ${n} rows are too few for ${nNeighbors} neighbours`)
  throwIfCancelled(control.signal)
  const rows: number[][] = []
  for (let i = 0; i < n; i++) rows.push(Array.from(latents.subarray(i * dim, (i + 1) * dim)))
  const rng = new Rng(options.seed ?? 42)
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: options.minDist ?? 0.1,
    ...(options.nEpochs ? { nEpochs: options.nEpochs } : {}),
    random: () => rng.next(),
  })
  control.onProgress?.({ phase: 'neighbours', done: 0, total: 1 })
  const epochs = umap.initializeFit(rows)
  control.onProgress?.({ phase: 'neighbours', done: 1, total: 1 })
  for (let e = 0; e < epochs; e++) {
    if (e % 10 === 0) {
      throwIfCancelled(control.signal)
      control.onProgress?.({ phase: 'layout', done: e, total: epochs })
      await yieldToEventLoop()
    }
    umap.step()
  }
  control.onProgress?.({ phase: 'layout', done: epochs, total: epochs })
  const embedding = umap.getEmbedding()
  const coords = new Float32Array(n * 2)
  embedding.forEach((p, i) => {
    coords[i * 2] = p[0] ?? 0
    coords[i * 2 + 1] = p[1] ?? 0
  })
  return { coords }
}
