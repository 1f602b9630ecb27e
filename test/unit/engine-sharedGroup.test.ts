import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import {
  allocateGroupMemory,
  type GroupMemory,
  ReplicaGroupError,
  SharedReplicaGroup,
} from '../../src/main/engine/parallel/sharedGroup'
import {
  contribution,
  floatContribution,
  type GroupWorkerData,
  type GroupWorkerResult,
} from '../support/replicaGroupWorker'

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
;(async () => {
  (await import(workerData.tsxApi)).register()
  await import(workerData.moduleUrl)
})()
`
const moduleUrl = new URL('../support/replicaGroupWorker.ts', import.meta.url).href
const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href

/** Starts worker members 1…n and resolves once each has joined; `result` settles with its report. */
async function startMembers(
  memory: GroupMemory,
  scripts: GroupWorkerData['script'][],
  options: { rounds?: number; floats?: number; timeoutMs?: number } = {},
): Promise<{ results: Promise<GroupWorkerResult>[]; workers: Worker[] }> {
  const workers: Worker[] = []
  const started: Promise<void>[] = []
  const results = scripts.map((script, k) => {
    const data: GroupWorkerData = {
      memory,
      index: k + 1,
      timeoutMs: options.timeoutMs ?? 20_000,
      script,
      rounds: options.rounds ?? 0,
      floats: options.floats ?? 0,
    }
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { data, moduleUrl, tsxApi } })
    workers.push(worker)
    let onStart = () => {}
    started.push(new Promise<void>((resolve) => (onStart = resolve)))
    return new Promise<GroupWorkerResult>((resolve, reject) => {
      worker.on('message', (m: 'started' | GroupWorkerResult) =>
        m === 'started' ? onStart() : resolve(m),
      )
      worker.on('error', reject)
    })
  })
  await Promise.all(started)
  return { results, workers }
}

function expectedSum(replicas: number, round: number, length: number): Float64Array {
  const out = new Float64Array(length)
  for (let r = 0; r < replicas; r++) {
    const c = contribution(r, round, length)
    for (let i = 0; i < length; i++) out[i] = (out[i] as number) + (c[i] as number)
  }
  return out
}

describe('SharedReplicaGroup across worker threads', () => {
  it('sums every exchange over all replicas, bitwise the same on each', async () => {
    const rounds = 9
    const floats = 1001
    const memory = allocateGroupMemory(3, floats)
    const { results, workers } = await startMembers(memory, ['exchange', 'exchange'], {
      rounds,
      floats,
    })
    const group = new SharedReplicaGroup(memory, 0, 20_000)
    const own: Float64Array[] = []
    for (let r = 0; r < rounds; r++) own.push(group.allReduceSum(contribution(0, r, 3 + (r % 4))))
    const summed = group.sumFloat32(floatContribution(0, floats)).slice()
    const others = await Promise.all(results)
    for (const [r, values] of own.entries()) {
      const expected = expectedSum(3, r, 3 + (r % 4))
      for (let i = 0; i < expected.length; i++)
        expect(values[i]).toBeCloseTo(expected[i] as number, 9)
    }
    const floatSum = Float32Array.from({ length: floats }, (_, i) =>
      [0, 1, 2].reduce((s, r) => s + (floatContribution(r, floats)[i] as number), 0),
    )
    for (let i = 0; i < floats; i += 97) expect(summed[i]).toBeCloseTo(floatSum[i] as number, 4)
    for (const other of others) {
      expect('reduced' in other).toBe(true)
      if ('reduced' in other) {
        expect(other.reduced).toEqual(own)
        expect(other.summed).toEqual(summed)
      }
    }
    expect(group.failure).toBeNull()
    await Promise.all(workers.map((w) => w.terminate()))
  })

  it('fails every replica fast, naming the one that failed, instead of hanging', async () => {
    const memory = allocateGroupMemory(3, 8)
    const { results, workers } = await startMembers(memory, ['fail', 'exchange'], { rounds: 3 })
    const group = new SharedReplicaGroup(memory, 0, 60_000)
    group.allReduceSum(contribution(0, 0, 5))
    const t0 = performance.now()
    expect(() => group.allReduceSum(contribution(0, 1, 3))).toThrow(ReplicaGroupError)
    expect(() => group.barrier()).toThrow(/replica 1 failed: boom in replica code/)
    expect(performance.now() - t0).toBeLessThan(10_000)
    const [failing, bystander] = await Promise.all(results)
    expect(failing).toEqual({ error: 'boom in replica code', groupError: false })
    expect(bystander).toMatchObject({ groupError: true })
    if (bystander && 'error' in bystander) expect(bystander.error).toMatch(/replica 1 failed/)
    await Promise.all(workers.map((w) => w.terminate()))
  })

  it('gives up after its timeout when a replica never arrives', async () => {
    const memory = allocateGroupMemory(2, 8)
    const { workers } = await startMembers(memory, ['silent'])
    const group = new SharedReplicaGroup(memory, 0, 300)
    const t0 = performance.now()
    expect(() => group.allReduceSum(new Float64Array(4))).toThrow(
      /replica 0: no word from the other replicas/,
    )
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290)
    expect(group.failure).toMatch(/replica 0 failed/)
    await Promise.all(workers.map((w) => w.terminate()))
  })

  it('rejects exchanges larger than the shared buffers', () => {
    const memory = allocateGroupMemory(2, 4, 4)
    const group = new SharedReplicaGroup(memory, 1)
    expect(() => group.allReduceSum(new Float64Array(5))).toThrow(/exceeds the shared capacity 4/)
    expect(() => group.sumFloat32(new Float32Array(5))).toThrow(/exceeds the shared capacity 4/)
    expect(() => new SharedReplicaGroup(memory, 2)).toThrow(/index 2 is outside 0..1/)
  })
})
