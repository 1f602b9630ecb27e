/**
 * Which cache slots each split trains on. Images without a CelebA partition (a plain folder) are
 * spread 90/5/5 by a hash of their id, so the assignment never changes as the folder grows.
 */
export interface SlotSplits {
  train: number[]
  validation: number[]
  test: number[]
}

export function trainingSplits(
  images: readonly { id: number; split: number | null }[],
): SlotSplits {
  const out: SlotSplits = { train: [], validation: [], test: [] }
  for (const { id, split } of images) {
    const slot = id - 1
    const code = split ?? unassignedSplit(id)
    if (code === 0) out.train.push(slot)
    else if (code === 1) out.validation.push(slot)
    else out.test.push(slot)
  }
  return out
}

function unassignedSplit(id: number): 0 | 1 | 2 {
  // Knuth's multiplicative hash: neighbouring ids land in unrelated buckets.
  const bucket = (Math.imul(id, 2654435761) >>> 0) % 100
  return bucket < 90 ? 0 : bucket < 95 ? 1 : 2
}
