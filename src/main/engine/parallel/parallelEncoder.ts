import type { BackendName } from '../backend/picker'
import type { Trainer } from '../train/trainer'
import { type EncodedPart, ParallelTrainer, replicaCount } from './parallelTrainer'

/** Batches at least this large are split across threads; smaller ones cost more to hand off. */
export const PARALLEL_ENCODE_MIN_IMAGES = 64

/**
 * Encodes on every core: wasm runs one thread per engine, so large batches are shared with replica
 * threads holding the same weights (started on the first large batch, not at load). Falls back to
 * the one thread where replicas cannot start, saying why once through `warn`.
 */
export class ParallelEncoder {
  private parallel: Promise<ParallelTrainer | null> | null = null

  constructor(
    private readonly trainer: Trainer,
    private readonly backend: BackendName,
    private readonly warn: (message: string) => void = () => {},
    private readonly replicas: number = replicaCount(backend),
  ) {}

  async encode(images: Uint8Array): Promise<EncodedPart> {
    const n = images.length / this.trainer.imageBytes
    if (this.replicas > 1 && n >= PARALLEL_ENCODE_MIN_IMAGES) {
      this.parallel ??= this.start()
      const parallel = await this.parallel
      if (parallel) return parallel.encode(images)
    }
    return this.trainer.encodeAsync(images)
  }

  private async start(): Promise<ParallelTrainer | null> {
    try {
      return await ParallelTrainer.start(this.trainer, {
        replicas: this.replicas,
        backend: this.backend,
      })
    } catch (error) {
      this.warn(
        `encoding on one thread: replica threads did not start (${(error as Error).message})`,
      )
      return null
    }
  }

  /** Ends the replica threads; the trainer stays usable and owned by the caller. */
  async close(): Promise<void> {
    const parallel = await this.parallel
    this.parallel = null
    await parallel?.close()
  }
}
