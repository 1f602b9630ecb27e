import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { BackendName } from '../backend/picker'
import { tf } from '../tf'
import type { StepLoss, Trainer } from '../train/trainer'
import { nextWeights, shareBounds } from './encodeShares'
import { withInjectedFault } from './faultInjection'
import type { FromReplica, ReplicaProbe, ToReplica } from './protocol'
import {
  allocateGroupMemory,
  DEFAULT_TIMEOUT_MS,
  ReplicaGroupError,
  SharedReplicaGroup,
} from './sharedGroup'

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

export interface EncodedPart {
  mu: Float32Array
  logVar: Float32Array
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

// Workers start from a CommonJS snippet so that, when this module runs from its TypeScript source
// (CLI through tsx, tests), the worker registers tsx before importing the entry.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
;(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register()
  await import(workerData.moduleUrl)
})().catch((error) => { throw error })
`

function workerSource(): { moduleUrl: string; tsxApi: string | null } {
  const self = import.meta.url
  const fromSource = self.endsWith('.ts')
  const moduleUrl = new URL(`./replicaWorker${fromSource ? '.ts' : '.js'}`, self).href
  const tsxApi = fromSource ? pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href : null
  return { moduleUrl, tsxApi }
}

export class ParallelTrainer {
  /** What worker replicas reported when they failed or ended, in arrival order (for diagnosis). */
  readonly replicaErrors: string[] = []
  private broken: string | null = null
  private closed = false
  private nextProbe = 1
  private readonly probes = new Map<
    number,
    { resolve: (probe: ReplicaProbe) => void; reject: (error: Error) => void }
  >()
  private readonly encodes = new Map<
    number,
    { resolve: (part: EncodedPart & { ms: number }) => void; reject: (error: Error) => void }
  >()
  /** Images per ms of each replica in recent encode batches (0: not measured yet). */
  private encodeWeights: number[]

  private constructor(
    readonly local: Trainer,
    private readonly group: SharedReplicaGroup,
    private readonly workers: Worker[],
  ) {
    this.encodeWeights = new Array<number>(workers.length + 1).fill(0)
    workers.forEach((worker, k) => {
      const index = k + 1
      worker.on('message', (m: FromReplica) => {
        if (m.type === 'probe') {
          this.probes.get(m.id)?.resolve(m.probe)
          this.probes.delete(m.id)
        }
        if (m.type === 'encoded') {
          this.encodes.get(m.id)?.resolve({ mu: m.mu, logVar: m.logVar, ms: m.ms })
          this.encodes.delete(m.id)
        }
        if (m.type === 'failed') this.markBroken(index, m.message)
      })
      worker.on('error', (error) => this.markBroken(index, error.message))
      worker.on('exit', (code) => this.markBroken(index, `its thread exited (code ${code})`))
    })
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
    const source = workerSource()
    const workers = Array.from(
      { length: n - 1 },
      () => new Worker(BOOTSTRAP, { eval: true, workerData: source }),
    )
    const ready = workers.map((worker, k) => {
      const index = k + 1
      const init: ToReplica = {
        type: 'init',
        index,
        memory,
        timeoutMs,
        backend: opts.backend,
        state,
        failAtStep: opts.injectFault?.replica === index ? opts.injectFault.step : undefined,
      }
      worker.postMessage(init)
      return new Promise<void>((resolve, reject) => {
        const settle = (why: string | null) => {
          worker.off('message', onMessage).off('error', onError).off('exit', onExit)
          if (why === null) resolve()
          else reject(new Error(`replica ${index} could not start: ${why}`))
        }
        const onMessage = (m: FromReplica) =>
          settle(m.type === 'ready' ? null : m.type === 'failed' ? m.message : m.type)
        const onError = (e: Error) => settle(e.message)
        const onExit = (code: number) => settle(`its thread exited (code ${code})`)
        worker.on('message', onMessage).on('error', onError).on('exit', onExit)
      })
    })
    let timer: NodeJS.Timeout | undefined
    const startLimit = opts.startTimeoutMs ?? DEFAULT_TIMEOUT_MS
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`replica workers did not start within ${startLimit / 1000} s`)),
        startLimit,
      )
    })
    try {
      await Promise.race([Promise.all(ready), timeout])
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()))
      throw error
    } finally {
      clearTimeout(timer)
    }
    const group = new SharedReplicaGroup(memory, 0, timeoutMs)
    const fault = opts.injectFault
    local.joinGroup(
      fault?.replica === 0 ? withInjectedFault(group, fault.step, () => local.step) : group,
    )
    return new ParallelTrainer(local, group, workers)
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
    if (this.broken) throw new ReplicaGroupError(this.broken)
    if (this.closed) throw new Error('parallel trainer: already closed')
    for (const worker of this.workers) {
      const copy = batch.slice()
      worker.postMessage({ type: 'step', batch: copy } satisfies ToReplica, [copy.buffer])
    }
    try {
      return this.local.trainStep(batch)
    } catch (error) {
      this.broken ??= error instanceof Error ? error.message : String(error)
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

  /**
   * μ and log σ² of many images on every replica at once: each encodes a contiguous share (the
   * weights are identical, inference needs no exchange), this thread its own while the others run.
   * Shares follow each replica's recent speed (see encodeShares); results do not depend on them.
   */
  async encode(images: Uint8Array): Promise<EncodedPart> {
    if (this.broken) throw new ReplicaGroupError(this.broken)
    const bytes = this.local.imageBytes
    const n = images.length / bytes
    const weights = this.encodeWeights.some((w) => w === 0)
      ? this.encodeWeights.map(() => 1)
      : this.encodeWeights
    const bounds = shareBounds(n, weights)
    const none = (): EncodedPart & { ms: number } => ({
      mu: new Float32Array(0),
      logVar: new Float32Array(0),
      ms: 0,
    })
    const remote = this.workers.map((worker, k) => {
      const share = images.slice(
        (bounds[k + 1] as number) * bytes,
        (bounds[k + 2] as number) * bytes,
      )
      if (share.length === 0) return Promise.resolve(none())
      return new Promise<EncodedPart & { ms: number }>((resolve, reject) => {
        const id = this.nextProbe++
        this.encodes.set(id, { resolve, reject })
        worker.postMessage({ type: 'encode', id, images: share } satisfies ToReplica, [
          share.buffer,
        ])
      })
    })
    const t0 = performance.now()
    const ownImages = images.subarray(0, (bounds[1] as number) * bytes)
    const own = ownImages.length > 0 ? this.local.encode(ownImages) : null
    const ownPart = own ? { ...own, ms: performance.now() - t0 } : none()
    const parts = [ownPart, ...(await Promise.all(remote))]
    const counts = parts.map((_, k) => (bounds[k + 1] as number) - (bounds[k] as number))
    this.encodeWeights = nextWeights(
      this.encodeWeights,
      counts,
      parts.map((p) => p.ms),
    )
    const d = this.local.config.model.latentDim
    const mu = new Float32Array(n * d)
    const logVar = new Float32Array(n * d)
    parts.forEach((part, k) => {
      mu.set(part.mu, (bounds[k] as number) * d)
      logVar.set(part.logVar, (bounds[k] as number) * d)
    })
    return { mu, logVar }
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
    if (this.broken) throw new ReplicaGroupError(this.broken)
    const remote = this.workers.map(
      (worker) =>
        new Promise<ReplicaProbe>((resolve, reject) => {
          const id = this.nextProbe++
          this.probes.set(id, { resolve, reject })
          worker.postMessage({ type: 'probe', id } satisfies ToReplica)
        }),
    )
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
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private markBroken(index: number, why: string): void {
    if (this.closed) return
    this.replicaErrors.push(`replica ${index}: ${why}`)
    const reason = `replica ${index} failed: ${why}`
    this.broken ??= this.group.failure ?? reason
    // Wakes replicas still waiting for the dead one (with more than two).
    this.group.abort(why, index)
    for (const p of this.probes.values()) p.reject(new ReplicaGroupError(this.broken))
    this.probes.clear()
    for (const e of this.encodes.values()) e.reject(new ReplicaGroupError(this.broken))
    this.encodes.clear()
  }
}
