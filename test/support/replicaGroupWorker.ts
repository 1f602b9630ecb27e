/**
 * A replica-group member in a worker thread for the shared-memory tests: it joins the group and
 * runs a scripted sequence of exchanges, then posts what it saw.
 */
import { parentPort, workerData } from 'node:worker_threads'
import {
  type GroupMemory,
  ReplicaGroupError,
  SharedReplicaGroup,
} from '../../src/main/engine/parallel/sharedGroup'

export interface GroupWorkerData {
  memory: GroupMemory
  index: number
  timeoutMs: number
  /** 'exchange': `rounds` allReduceSum calls then one sumFloat32; 'fail': one call, then fail; 'silent': join and never arrive. */
  script: 'exchange' | 'fail' | 'silent'
  rounds: number
  floats: number
}

export type GroupWorkerResult =
  { reduced: Float64Array[]; summed: Float32Array } | { error: string; groupError: boolean }

/** The values replica `index` contributes to round `round` (the test recomputes the sums). */
export function contribution(index: number, round: number, length: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => (index + 1) * 0.1 + round * 1e-3 + i)
}

export function floatContribution(index: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i + index * 7) * (index + 1))
}

function run(d: GroupWorkerData): GroupWorkerResult {
  const group = new SharedReplicaGroup(d.memory, d.index, d.timeoutMs)
  try {
    if (d.script === 'silent') return { reduced: [], summed: new Float32Array(0) }
    if (d.script === 'fail') {
      group.allReduceSum(contribution(d.index, 0, 5))
      // What Trainer.trainStep does when its own work throws mid-step.
      group.abort('boom in replica code')
      return { error: 'boom in replica code', groupError: false }
    }
    const reduced: Float64Array[] = []
    // Lengths vary by round so stale values from an earlier round would show.
    for (let r = 0; r < d.rounds; r++) {
      reduced.push(group.allReduceSum(contribution(d.index, r, 3 + (r % 4))))
    }
    // A copy: the result is a view of shared memory, which posting would share rather than copy.
    return { reduced, summed: group.sumFloat32(floatContribution(d.index, d.floats)).slice() }
  } catch (error) {
    return { error: (error as Error).message, groupError: error instanceof ReplicaGroupError }
  }
}

if (parentPort && workerData) {
  const data = workerData.data as GroupWorkerData
  parentPort.postMessage('started')
  parentPort.postMessage(run(data))
}
