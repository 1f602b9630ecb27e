import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { FromReplica, ToReplica } from './protocol'
import { DEFAULT_TIMEOUT_MS, ReplicaGroupError } from './sharedGroup'

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

/** A worker's answer to a request that carried an id. */
export type ReplicaReply = Extract<FromReplica, { id: number }>

/**
 * Says why the group is broken when replica `index` fails for `why`; the place to release what
 * else waits for it. Called for every failure, the first answer sticks.
 */
export type FailureReason = (index: number, why: string) => string

/**
 * The worker threads of replicas 1…n−1 (replica 0 is the caller's, on this thread): their start,
 * requests answered by id, and the first failure of any, after which every request fails with it.
 */
export class ReplicaThreads {
  /** What worker replicas reported when they failed or ended, in arrival order (for diagnosis). */
  readonly errors: string[] = []
  private reason: string | null = null
  private closed = false
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (reply: ReplicaReply) => void; reject: (error: Error) => void }
  >()

  private constructor(
    private readonly workers: Worker[],
    private readonly failure: FailureReason,
  ) {
    workers.forEach((worker, k) => {
      const index = k + 1
      worker.on('message', (m: FromReplica) => {
        if ('id' in m) {
          this.pending.get(m.id)?.resolve(m)
          this.pending.delete(m.id)
        }
        if (m.type === 'failed') this.markBroken(index, m.message)
      })
      worker.on('error', (error) => this.markBroken(index, error.message))
      worker.on('exit', (code) => this.markBroken(index, `its thread exited (code ${code})`))
    })
  }

  /**
   * Starts one worker per init message (the first is replica 1) and waits until each has loaded
   * its backend and replica; one that fails or does not start in time ends them all.
   */
  static async start(
    inits: ToReplica[],
    startTimeoutMs: number = DEFAULT_TIMEOUT_MS,
    failure: FailureReason = (index, why) => `replica ${index} failed: ${why}`,
  ): Promise<ReplicaThreads> {
    const source = workerSource()
    const workers = inits.map(() => new Worker(BOOTSTRAP, { eval: true, workerData: source }))
    const ready = workers.map((worker, k) => {
      const index = k + 1
      worker.postMessage(inits[k])
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
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`replica workers did not start within ${startTimeoutMs / 1000} s`)),
        startTimeoutMs,
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
    return new ReplicaThreads(workers, failure)
  }

  /** Worker threads (replicas 1…n−1). */
  get count(): number {
    return this.workers.length
  }

  /** Why the group broke, or null while it holds. */
  get broken(): string | null {
    return this.reason
  }

  /** Records a failure seen on this thread; the first reason sticks. */
  breakWith(reason: string): void {
    this.reason ??= reason
  }

  /** Throws the group's failure, if any. */
  assertWhole(): void {
    if (this.reason) throw new ReplicaGroupError(this.reason)
  }

  /** A message to worker k (replica k + 1) that expects no answer. */
  post(k: number, message: ToReplica, transfer: ArrayBuffer[] = []): void {
    ;(this.workers[k] as Worker).postMessage(message, transfer)
  }

  /** A message to worker k built around a fresh id, and the answer of type `expect` carrying it. */
  request<K extends ReplicaReply['type']>(
    k: number,
    expect: K,
    message: (id: number) => ToReplica,
    transfer: ArrayBuffer[] = [],
  ): Promise<Extract<ReplicaReply, { type: K }>> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++
      this.pending.set(id, {
        resolve: (reply) =>
          reply.type === expect
            ? resolve(reply as Extract<ReplicaReply, { type: K }>)
            : reject(new Error(`replica ${k + 1} answered ${reply.type}, not ${expect}`)),
        reject,
      })
      this.post(k, message(id), transfer)
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private markBroken(index: number, why: string): void {
    if (this.closed) return
    this.errors.push(`replica ${index}: ${why}`)
    const reason = this.failure(index, why)
    this.reason ??= reason
    for (const p of this.pending.values()) p.reject(new ReplicaGroupError(this.reason as string))
    this.pending.clear()
  }
}
