/**
 * Data-parallel training splits one global batch across replicas (one per core). Batch norm must
 * still normalise over the whole global batch, so its per-channel sums are exchanged mid-step.
 */
export interface ReplicaGroup {
  /** How many replicas share one global batch. */
  readonly size: number
  /**
   * Element-wise sum of `values` over all replicas. Every replica calls it the same number of times,
   * in the same order, with arrays of the same length; it blocks until all have contributed.
   */
  allReduceSum(values: Float64Array): Float64Array
}

/** The group of one: training on a single core. */
export const singleReplica: ReplicaGroup = {
  size: 1,
  allReduceSum: (values) => Float64Array.from(values),
}

/** True when per-channel sums must be exchanged with other replicas. */
export function isShared(group: ReplicaGroup | undefined): group is ReplicaGroup {
  return group !== undefined && group.size > 1
}

/** Packs per-channel Σx, Σx² and the element count into the one array an exchange carries. */
export function packSums(
  sum: ArrayLike<number>,
  sumSq: ArrayLike<number>,
  count: number,
): Float64Array {
  const channels = sum.length
  const out = new Float64Array(2 * channels + 1)
  for (let c = 0; c < channels; c++) {
    out[c] = sum[c] as number
    out[channels + c] = sumSq[c] as number
  }
  out[2 * channels] = count
  return out
}

/**
 * Mean and biased variance from packed [Σx (C), Σx² (C), count], in float64: every replica derives
 * the same statistics from the same summed array.
 */
export function statsFromSums(
  sums: Float64Array,
  channels: number,
): { mean: Float64Array; variance: Float64Array; count: number } {
  const count = sums[2 * channels] as number
  const mean = new Float64Array(channels)
  const variance = new Float64Array(channels)
  for (let c = 0; c < channels; c++) {
    const m = (sums[c] as number) / count
    mean[c] = m
    variance[c] = Math.max(0, (sums[channels + c] as number) / count - m * m)
  }
  return { mean, variance, count }
}
