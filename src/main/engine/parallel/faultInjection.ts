import type { ReplicaLink } from './sharedGroup'

/**
 * Tests only: a link that throws inside the first exchange of one step, exactly where a replica's
 * own failure mid-step (a kernel error, running out of memory) would leave the others waiting.
 */
export function withInjectedFault(
  link: ReplicaLink,
  failAt: number,
  step: () => number,
): ReplicaLink {
  return {
    size: link.size,
    index: link.index,
    allReduceSum: (values) => {
      if (step() === failAt) throw new Error(`injected fault at step ${failAt}`)
      return link.allReduceSum(values)
    },
    sumFloat32: (values) => link.sumFloat32(values),
    abort: (reason) => link.abort(reason),
  }
}
