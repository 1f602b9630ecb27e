/**
 * How a batch of n images is split between replicas for encoding, in proportion to how fast each
 * encoded lately. A replica's results do not depend on which images it gets, so the split may move
 * from batch to batch; it follows the cores' speed on a shared machine, where one can run at half
 * the other's for seconds at a time and an even split waits for the slower.
 */

/** Weights are clamped to this factor of their mean, so one slow batch cannot starve a replica. */
const MAX_SKEW = 4

/** Share boundaries: replica k encodes images [bounds[k], bounds[k + 1]). */
export function shareBounds(n: number, weights: readonly number[]): number[] {
  const r = weights.length
  const mean = weights.reduce((a, b) => a + b, 0) / r
  const w = weights.map((x) =>
    Number.isFinite(x) && mean > 0 ? Math.min(mean * MAX_SKEW, Math.max(mean / MAX_SKEW, x)) : 1,
  )
  const total = w.reduce((a, b) => a + b, 0)
  const bounds = [0]
  let acc = 0
  for (let k = 0; k < r - 1; k++) {
    acc += w[k] as number
    bounds.push(Math.round((n * acc) / total))
  }
  bounds.push(n)
  return bounds
}

/**
 * The next weights from the last batch: images per millisecond of each replica that had a share,
 * blended half and half with the previous weights (one batch's timing is noisy).
 */
export function nextWeights(
  previous: readonly number[],
  counts: readonly number[],
  ms: readonly number[],
): number[] {
  return previous.map((p, k) => {
    const c = counts[k] as number
    const t = ms[k] as number
    if (!(c > 0 && t > 0)) return p
    const rate = c / t
    return p > 0 ? (p + rate) / 2 : rate
  })
}
