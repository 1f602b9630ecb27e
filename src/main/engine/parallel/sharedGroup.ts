import type { ReplicaGroup } from '../model/replicas'

/**
 * The shared memory and the synchronisation of a data-parallel replica group. tfjs kernels run
 * synchronously, so a replica that needs the others' numbers mid-step must block where it stands:
 * a generation-counted barrier over Atomics.wait, which works on Node's main thread and in
 * worker_threads alike. Every exchange is a pure function of what the replicas wrote, summed in
 * replica order, so all replicas see bitwise the same result.
 */

/** Int32 slots of the control block. */
const COUNT = 0
const GENERATION = 1
/** 0 while healthy; index + 1 of the replica that failed first. */
const ABORT = 2
const CONTROL_INTS = 4
/** Bytes per replica for its failure message (UTF-8, truncated). */
const MESSAGE_BYTES = 1024
/** Longest single Atomics.wait: bounds how late an abort or a timeout is noticed. */
const WAIT_SLICE_MS = 50

export const DEFAULT_TIMEOUT_MS = 120_000
const DEFAULT_REDUCE_CAPACITY = 1 << 14

/** Everything a replica needs to join the group: plain SharedArrayBuffers, sendable to workers. */
export interface GroupMemory {
  size: number
  control: SharedArrayBuffer
  /** Float64 slots for allReduceSum: two buffers (by call parity) × size replicas × capacity. */
  reduce: SharedArrayBuffer
  reduceCapacity: number
  /** Float32 slots for sumFloat32: size replicas × capacity, then one result row. */
  sum: SharedArrayBuffer
  sumCapacity: number
}

export function allocateGroupMemory(
  size: number,
  sumCapacity: number,
  reduceCapacity = DEFAULT_REDUCE_CAPACITY,
): GroupMemory {
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`replica group: size must be a positive integer (got ${size})`)
  }
  return {
    size,
    control: new SharedArrayBuffer(CONTROL_INTS * 4 + size * MESSAGE_BYTES),
    reduce: new SharedArrayBuffer(2 * size * reduceCapacity * 8),
    reduceCapacity,
    sum: new SharedArrayBuffer((size + 1) * sumCapacity * 4),
    sumCapacity,
  }
}

/** Thrown by every replica once any replica of the group has failed or gone silent. */
export class ReplicaGroupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReplicaGroupError'
  }
}

/** What the trainer needs from its group: batch-norm sums (ReplicaGroup) and gradient sums. */
export interface ReplicaLink extends ReplicaGroup {
  /** This replica's place in the group: it takes that contiguous share of every global batch. */
  readonly index: number
  /**
   * Element-wise float32 sum over all replicas; same calling contract as allReduceSum. Returns a
   * view of shared memory, valid until this replica's next sumFloat32 call (copy it to keep it).
   */
  sumFloat32(values: Float32Array): Float32Array
  /** Fails the whole group with this replica's reason, releasing replicas blocked on it. */
  abort(reason: string): void
}

/** Throws when an exchange of n values would overflow its shared buffer. */
function fitsCapacity(exchange: string, n: number, capacity: number): void {
  if (n > capacity) {
    throw new Error(
      `replica group: ${exchange} of ${n} values exceeds the shared capacity ${capacity}`,
    )
  }
}

export class SharedReplicaGroup implements ReplicaLink {
  readonly size: number
  private readonly control: Int32Array
  private readonly messages: Uint8Array
  private readonly reduceSlots: Float64Array[]
  private readonly sumSlots: Float32Array[]
  private readonly sumResult: Float32Array
  private reduceCalls = 0

  constructor(
    private readonly memory: GroupMemory,
    readonly index: number,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    const { size, reduceCapacity: rc, sumCapacity: sc } = memory
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new Error(`replica group: index ${index} is outside 0..${size - 1}`)
    }
    this.size = size
    this.control = new Int32Array(memory.control, 0, CONTROL_INTS)
    this.messages = new Uint8Array(memory.control, CONTROL_INTS * 4)
    this.reduceSlots = Array.from(
      { length: 2 * size },
      (_, k) => new Float64Array(memory.reduce, k * rc * 8, rc),
    )
    this.sumSlots = Array.from(
      { length: size },
      (_, r) => new Float32Array(memory.sum, r * sc * 4, sc),
    )
    this.sumResult = new Float32Array(memory.sum, size * sc * 4, sc)
  }

  /** Blocks until every replica has arrived; throws if one failed or the wait times out. */
  barrier(): void {
    if (this.size === 1) return
    const c = this.control
    this.throwIfAborted()
    const generation = Atomics.load(c, GENERATION)
    if (Atomics.add(c, COUNT, 1) === this.size - 1) {
      Atomics.store(c, COUNT, 0)
      Atomics.add(c, GENERATION, 1)
      Atomics.notify(c, GENERATION)
      return
    }
    const deadline = performance.now() + this.timeoutMs
    while (Atomics.load(c, GENERATION) === generation) {
      this.throwIfAborted()
      const left = deadline - performance.now()
      if (left <= 0) {
        const reason =
          `replica ${this.index}: no word from the other replicas for ` +
          `${Math.round(this.timeoutMs / 1000)} s at a synchronisation point; one has stopped or hung`
        this.abort(reason)
        throw new ReplicaGroupError(reason)
      }
      Atomics.wait(c, GENERATION, generation, Math.min(WAIT_SLICE_MS, left))
    }
  }

  allReduceSum(values: Float64Array): Float64Array {
    if (this.size === 1) return Float64Array.from(values)
    const n = values.length
    fitsCapacity('allReduceSum', n, this.memory.reduceCapacity)
    // Two buffers by call parity: call k+2 reuses k's buffer only after everyone passed call k+1's
    // barrier, that is after everyone finished reading call k. One barrier per call.
    const base = (this.reduceCalls++ & 1) * this.size
    ;(this.reduceSlots[base + this.index] as Float64Array).set(values)
    this.barrier()
    const out = (this.reduceSlots[base] as Float64Array).slice(0, n)
    for (let r = 1; r < this.size; r++) {
      const slot = this.reduceSlots[base + r] as Float64Array
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (slot[i] as number)
    }
    return out
  }

  sumFloat32(values: Float32Array): Float32Array {
    if (this.size === 1) return Float32Array.from(values)
    const n = values.length
    fitsCapacity('sumFloat32', n, this.memory.sumCapacity)
    ;(this.sumSlots[this.index] as Float32Array).set(values)
    this.barrier()
    // Reduce-scatter: each replica sums its own chunk, then all read the whole result.
    const chunk = Math.ceil(n / this.size)
    const lo = Math.min(n, this.index * chunk)
    const hi = Math.min(n, lo + chunk)
    const first = this.sumSlots[0] as Float32Array
    for (let i = lo; i < hi; i++) {
      let s = first[i] as number
      for (let r = 1; r < this.size; r++) s += (this.sumSlots[r] as Float32Array)[i] as number
      this.sumResult[i] = s
    }
    this.barrier()
    // No copy: the next call rewrites the row only after every replica has arrived at that call,
    // that is after each is done with this result.
    return this.sumResult.subarray(0, n)
  }

  /**
   * Marks the group failed (the first failure's reason wins) and wakes every waiting replica. `who`
   * is the replica that failed: this one, or another whose death this one noticed.
   */
  abort(reason: string, who = this.index): void {
    if (Atomics.load(this.control, ABORT) !== 0)
      return void Atomics.notify(this.control, GENERATION)
    const bytes = new TextEncoder().encode(reason).subarray(0, MESSAGE_BYTES - 1)
    const slot = this.messages.subarray(who * MESSAGE_BYTES, (who + 1) * MESSAGE_BYTES)
    slot.fill(0)
    slot.set(bytes)
    Atomics.compareExchange(this.control, ABORT, 0, who + 1)
    Atomics.notify(this.control, GENERATION)
  }

  /** The first failure's reason, or null while the group is healthy. */
  get failure(): string | null {
    const who = Atomics.load(this.control, ABORT)
    if (who === 0) return null
    const slot = this.messages.subarray((who - 1) * MESSAGE_BYTES, who * MESSAGE_BYTES)
    const end = slot.indexOf(0)
    // TextDecoder refuses views of shared memory: copy first.
    const text = new TextDecoder().decode(slot.slice(0, end < 0 ? slot.length : end))
    return `replica ${who - 1} failed: ${text || 'unknown error'}`
  }

  private throwIfAborted(): void {
    const failure = this.failure
    if (failure) throw new ReplicaGroupError(failure)
  }
}
