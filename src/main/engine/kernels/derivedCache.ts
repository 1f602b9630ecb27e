import type { DataId, TensorInfo } from '@tensorflow/tfjs-core'

/**
 * A small LRU of backend buffers derived from a tensor (e.g. a transposed filter), keyed on the source
 * tensor's dataId. tfjs never writes into an existing dataId (a variable's assign swaps in a new one),
 * so an entry cannot go stale; a source that changes every training step just cycles through the
 * capacity. Reshapes share a dataId, so an entry also records the source's shape and is remade when
 * it differs. The wasm matmul also keeps its packed weights per buffer, which this reuse makes stick.
 */
export class DerivedCache {
  private readonly entries = new Map<DataId, { shape: string; value: TensorInfo }>()

  constructor(
    private readonly capacity: number,
    private readonly free: (t: TensorInfo) => void,
  ) {}

  get(source: TensorInfo, derive: () => TensorInfo): TensorInfo {
    const shape = source.shape.join('x')
    const hit = this.entries.get(source.dataId)
    if (hit) this.entries.delete(source.dataId)
    if (hit?.shape === shape) {
      this.entries.set(source.dataId, hit)
      return hit.value
    }
    if (hit) this.free(hit.value)
    const value = derive()
    this.entries.set(source.dataId, { shape, value })
    for (const [key, old] of this.entries) {
      if (this.entries.size <= this.capacity) break
      this.entries.delete(key)
      this.free(old.value)
    }
    return value
  }

  clear(): void {
    for (const e of this.entries.values()) this.free(e.value)
    this.entries.clear()
  }

  get size(): number {
    return this.entries.size
  }
}
