import type { BackendName } from '../backend/picker'
import type { Encoded, VaeModel } from '../model/vaeModel'
import { nextWeights, shareBounds } from './encodeShares'
import { replicaCount } from './parallelTrainer'
import { ReplicaThreads } from './replicaThreads'

/** Batches at least this large are split across threads; smaller ones cost more to hand off. */
export const PARALLEL_ENCODE_MIN_IMAGES = 64

type TimedPart = Encoded & { ms: number }

const NO_PART: TimedPart = { mu: new Float32Array(0), logVar: new Float32Array(0), ms: 0 }

/**
 * Encodes on every core: wasm runs one thread per engine, so large batches are shared with replica
 * threads holding copies of the model's weights (started on the first large batch, not at load;
 * inference replicas, without optimiser state). Falls back to the one thread where replicas cannot
 * start, saying why once through `warn`.
 */
export class ParallelEncoder {
  private threads: Promise<ReplicaThreads | null> | null = null
  /** Images per ms of each replica in recent encode batches (0: not measured yet). */
  private speeds: number[]

  constructor(
    private readonly model: VaeModel,
    private readonly backend: BackendName,
    private readonly warn: (message: string) => void = () => {},
    private readonly replicas: number = replicaCount(backend),
  ) {
    this.speeds = new Array<number>(replicas).fill(0)
  }

  async encode(images: Uint8Array): Promise<Encoded> {
    const n = images.length / this.model.imageBytes
    if (this.replicas > 1 && n >= PARALLEL_ENCODE_MIN_IMAGES) {
      this.threads ??= this.start()
      const threads = await this.threads
      if (threads) return this.encodeShared(threads, images)
    }
    return this.model.encodeAsync(images)
  }

  private async start(): Promise<ReplicaThreads | null> {
    try {
      const weights = this.model.exportWeights()
      const init = {
        type: 'initModel',
        backend: this.backend,
        config: this.model.config,
        weights,
      } as const
      return await ReplicaThreads.start(Array.from({ length: this.replicas - 1 }, () => init))
    } catch (error) {
      this.warn(
        `encoding on one thread: replica threads did not start (${(error as Error).message})`,
      )
      return null
    }
  }

  /**
   * μ and log σ² of many images on every replica at once: each encodes a contiguous share (the
   * weights are identical, inference needs no exchange), this thread its own while the others run.
   * Shares follow each replica's recent speed (see encodeShares); results do not depend on them.
   */
  private async encodeShared(threads: ReplicaThreads, images: Uint8Array): Promise<Encoded> {
    threads.assertWhole()
    const bytes = this.model.imageBytes
    const n = images.length / bytes
    const weights = this.speeds.some((w) => w === 0) ? this.speeds.map(() => 1) : this.speeds
    const bounds = shareBounds(n, weights)
    const at = (k: number) => bounds[k] as number
    const remote = Array.from({ length: threads.count }, async (_, k): Promise<TimedPart> => {
      const share = images.slice(at(k + 1) * bytes, at(k + 2) * bytes)
      if (share.length === 0) return NO_PART
      const reply = await threads.request(
        k,
        'encoded',
        (id) => ({ type: 'encode', id, images: share }),
        [share.buffer],
      )
      return { mu: reply.mu, logVar: reply.logVar, ms: reply.ms }
    })
    const t0 = performance.now()
    const ownImages = images.subarray(0, at(1) * bytes)
    const own = ownImages.length > 0 ? this.model.encode(ownImages) : null
    const ownPart = own ? { ...own, ms: performance.now() - t0 } : NO_PART
    const parts = [ownPart, ...(await Promise.all(remote))]
    const counts = parts.map((_, k) => at(k + 1) - at(k))
    this.speeds = nextWeights(
      this.speeds,
      counts,
      parts.map((p) => p.ms),
    )
    const d = this.model.config.latentDim
    const mu = new Float32Array(n * d)
    const logVar = new Float32Array(n * d)
    parts.forEach((part, k) => {
      mu.set(part.mu, at(k) * d)
      logVar.set(part.logVar, at(k) * d)
    })
    return { mu, logVar }
  }

  /** Ends the replica threads; the model stays usable and owned by the caller. */
  async close(): Promise<void> {
    const threads = await this.threads
    this.threads = null
    await threads?.close()
  }
}
