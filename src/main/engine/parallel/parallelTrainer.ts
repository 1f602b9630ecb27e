import { availableParallelism } from 'node:os'
import type { BackendName } from '../backend/picker'
import { tf } from '../tf'
import type { StepLoss, Trainer } from '../train/trainer'
import { withInjectedFault } from './faultInjection'
import type { ReplicaProbe, ToReplica } from './protocol'
import { ReplicaThreads } from './replicaThreads'
import { allocateGroupMemory, DEFAULT_TIMEOUT_MS, SharedReplicaGroup } from './sharedGroup'

/**
 * Data-parallel training on several cores: replica 0 is the caller's Trainer on this thread, the
 * others are Trainers in worker threads, each with its own tfjs engine. Every step all replicas get
 * the whole batch, take their contiguous share, exchange batch-norm sums and gradients through
 * shared memory, and apply the same Adam update — so their weights stay bitwise identical and
 * replica 0 alone can evaluate, preview and checkpoint.
 */

/** How many replicas a run uses on a backend: the tensorflow backends thread themselves. */
export function replicaCount(
  backend: BackendName,
  requested?: number,
  cores: number = availableParallelism(),
): number {
  // One process-wide device (or native thread pool) each: threads would only contend for it.
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu' || backend === 'webgpu') return 1
  return requested ?? Math.max(1, Math.min(2, cores))
}

export interface ParallelOptions {
  /** Replicas in all, this thread's included (≥ 2). */
  replicas: number
  /** The backend replica 0 runs on; every worker picks the same. */
  backend: BackendName
  /** Longest wait at a synchronisation point before the group gives up (default 120 s). */
  timeoutMs?: number
  /** Longest wait for the workers to load (default 120 s). */
  startTimeoutMs?: number
  /** Tests only: replica `replica` throws inside its first exchange at step `step`. */
  injectFault?: { replica: number; step: number }
}

export class ParallelTrainer {
  private closed = false

  private constructor(
    readonly local: Trainer,
    private readonly group: SharedReplicaGroup,
    private readonly threads: ReplicaThreads,
  ) {}

  /** What worker replicas reported when they failed or ended, in arrival order (for diagnosis). */
  get replicaErrors(): readonly string[] {
    return this.threads.errors
  }

  /**
   * Starts replicas 1…n−1 as copies of `local` (its current state, whatever its step) and makes
   * `local` replica 0. Worker start-up (loading the backend) happens here, once.
   */
  static async start(local: Trainer, opts: ParallelOptions): Promise<ParallelTrainer> {
    const n = opts.replicas
    if (!Number.isInteger(n) || n < 2) {
      throw new Error(`parallel training needs at least 2 replicas (got ${n})`)
    }
    const memory = allocateGroupMemory(n, local.exchangeSize)
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const state = local.exportState()
    const inits = Array.from({ length: n - 1 }, (_, k): ToReplica => ({
      type: 'init',
      index: k + 1,
      memory,
      timeoutMs,
      backend: opts.backend,
      state,
      failAtStep: opts.injectFault?.replica === k + 1 ? opts.injectFault.step : undefined,
    }))
    const group = new SharedReplicaGroup(memory, 0, timeoutMs)
    const threads = await ReplicaThreads.start(inits, opts.startTimeoutMs, (index, why) => {
      const reason = group.failure ?? `replica ${index} failed: ${why}`
      // Wakes replicas still waiting for the dead one (with more than two).
      group.abort(why, index)
      return reason
    })
    const fault = opts.injectFault
    local.joinGroup(
      fault?.replica === 0 ? withInjectedFault(group, fault.step, () => local.step) : group,
    )
    return new ParallelTrainer(local, group, threads)
  }

  get replicas(): number {
    return this.group.size
  }

  get config(): Trainer['config'] {
    return this.local.config
  }

  get step(): number {
    return this.local.step
  }

  /** One step of the whole group on the global batch; the loss is summed over replicas. */
  trainStep(batch: Uint8Array): StepLoss {
    this.threads.assertWhole()
    if (this.closed) throw new Error('parallel trainer: already closed')
    for (let k = 0; k < this.threads.count; k++) {
      const copy = batch.slice()
      this.threads.post(k, { type: 'step', batch: copy }, [copy.buffer])
    }
    try {
      return this.local.trainStep(batch)
    } catch (error) {
      this.threads.breakWith(error instanceof Error ? error.message : String(error))
      throw error
    }
  }

  async trainStepAsync(batch: Uint8Array): Promise<StepLoss> {
    return this.trainStep(batch)
  }

  evaluate(batch: Uint8Array): ReturnType<Trainer['evaluate']> {
    return this.local.evaluate(batch)
  }

  evaluateAsync(batch: Uint8Array): ReturnType<Trainer['evaluateAsync']> {
    return this.local.evaluateAsync(batch)
  }

  reconstructAsync(images: Uint8Array): Promise<Uint8ClampedArray> {
    return this.local.reconstructAsync(images)
  }

  reconstruct(images: Uint8Array): Uint8ClampedArray {
    return this.local.reconstruct(images)
  }

  inspectAsync(images: Uint8Array): ReturnType<Trainer['inspectAsync']> {
    return this.local.inspectAsync(images)
  }

  sampleAsync(n: number, seed: number, temperature = 1): Promise<Uint8ClampedArray> {
    return this.local.sampleAsync(n, seed, temperature)
  }

  /** Replica 0 writes it: every replica holds the same state. */
  saveCheckpoint(file: string): void {
    this.local.saveCheckpoint(file)
  }

  saveCheckpointAsync(file: string): Promise<void> {
    return this.local.saveCheckpointAsync(file)
  }

  /** Step, state checksum and live tensor count of every replica, replica 0 first. */
  async probe(): Promise<ReplicaProbe[]> {
    this.threads.assertWhole()
    const remote = Array.from({ length: this.threads.count }, async (_, k) => {
      const reply = await this.threads.request(k, 'probe', (id) => ({ type: 'probe', id }))
      return reply.probe
    })
    const own: ReplicaProbe = {
      step: this.local.step,
      checksum: this.local.stateChecksum(),
      numTensors: tf.memory().numTensors,
    }
    return [own, ...(await Promise.all(remote))]
  }

  /** Ends the worker threads; the local trainer stays usable on its own. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.local.leaveGroup()
    await this.threads.close()
  }
}
