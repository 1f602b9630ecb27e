import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pickBackend } from '../../src/main/engine/backend/picker'
import { syntheticData, syntheticShapes } from '../../src/main/engine/data/trainingData'
import { type ModelConfig, trainConfig } from '../../src/main/engine/model/config'
import {
  PARALLEL_ENCODE_MIN_IMAGES,
  ParallelEncoder,
} from '../../src/main/engine/parallel/parallelEncoder'
import { ParallelTrainer, replicaCount } from '../../src/main/engine/parallel/parallelTrainer'
import { ReplicaGroupError } from '../../src/main/engine/parallel/sharedGroup'
import { runTraining, type TrainEvent } from '../../src/main/engine/train/loop'
import { type StepLoss, Trainer } from '../../src/main/engine/train/trainer'
import { makeTempDir } from '../support/tempDir'
import { tinyModel as tiny, smallModel as small } from '../support/engineModels'

const temp = makeTempDir('engine-parallel-')
const open: ParallelTrainer[] = []

beforeAll(async () => {
  expect((await pickBackend('wasm')).backend).toBe('wasm')
})
afterAll(async () => {
  await Promise.all(open.map((p) => p.close()))
  temp.cleanup()
})

async function parallel(
  local: Trainer,
  extra: { injectFault?: { replica: number; step: number } } = {},
) {
  const p = await ParallelTrainer.start(local, { replicas: 2, backend: 'wasm', ...extra })
  open.push(p)
  return p
}

function batches(model: ModelConfig, sizes: number[], seed: number): Uint8Array[] {
  const total = sizes.reduce((a, b) => a + b, 0)
  const bytes = syntheticShapes(total, model.size, seed)
  const per = model.size * model.size * 3
  let at = 0
  return sizes.map((n) => bytes.subarray(at * per, (at += n) * per))
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12)
}

describe('data-parallel training on 2 wasm replicas', () => {
  it('takes the same step as one replica on the whole batch', async () => {
    const config = trainConfig(tiny, { batchSize: 8, seed: 42 })
    const p = await parallel(Trainer.init(config))
    // Halves of 8, then an uneven 3 + 4 split; each step starts the reference from the group's state.
    for (const batch of batches(tiny, [8, 7, 8], 3)) {
      const before = p.local.exportState()
      const reference = Trainer.fromState(before)
      const expected = reference.trainStep(batch)
      const got = p.trainStep(batch)
      for (const k of ['total', 'recon', 'kl'] as const) {
        expect(relDiff(got[k], expected[k])).toBeLessThan(1e-4)
      }
      const want = reference.exportState().params
      let worstUpdate = 0
      let worstStat = 0
      for (const [name, values] of p.local.exportState().params) {
        const w = want.get(name) as Float32Array
        const w0 = before.params.get(name) as Float32Array
        const isStat = name.endsWith('movingMean') || name.endsWith('movingVariance')
        for (let i = 0; i < values.length; i++) {
          const d = Math.abs((values[i] as number) - (w[i] as number))
          if (isStat) {
            worstStat = Math.max(worstStat, d / Math.max(1e-3, Math.abs(w[i] as number)))
          } else {
            // Adam moves each weight by at most about the learning rate; the updates agree within
            // 0.1 % of it (only the float summation order differs).
            worstUpdate = Math.max(worstUpdate, d)
            expect(Math.abs((w[i] as number) - (w0[i] as number))).toBeLessThan(
              3 * config.learningRate,
            )
          }
        }
      }
      expect(worstUpdate).toBeLessThan(1e-3 * config.learningRate)
      expect(worstStat).toBeLessThan(1e-5)
      reference.dispose()
    }
  })

  it('keeps replicas bitwise identical and tensor counts flat; same seed, same losses; resumes', async () => {
    const config = trainConfig(tiny, { batchSize: 8, seed: 9, klWarmupSteps: 3 })
    const data = batches(tiny, Array(10).fill(8), 5)
    const a = await parallel(Trainer.init(config))
    const lossesA: StepLoss[] = []
    for (const b of data.slice(0, 2)) lossesA.push(a.trainStep(b))
    const early = await a.probe()
    const file = join(temp.dir, 'parallel.ckpt')
    for (const b of data.slice(2)) {
      lossesA.push(a.trainStep(b))
      if (a.step === 4) a.saveCheckpoint(file)
    }
    const late = await a.probe()
    expect(late.map((r) => r.step)).toEqual([10, 10])
    expect(late[1]?.checksum).toBe(late[0]?.checksum)
    expect(early[1]?.checksum).toBe(early[0]?.checksum)
    expect(late[1]?.checksum).not.toBe(early[1]?.checksum)
    expect(late.map((r) => r.numTensors)).toEqual(early.map((r) => r.numTensors))

    const b = await parallel(Trainer.init(config))
    expect(data.map((batch) => b.trainStep(batch))).toEqual(lossesA)
    expect((await b.probe())[0]?.checksum).toBe(late[0]?.checksum)

    const resumed = await parallel(Trainer.load(file))
    expect(resumed.step).toBe(4)
    expect(data.slice(4).map((batch) => resumed.trainStep(batch))).toEqual(lossesA.slice(4))
    expect((await resumed.probe()).map((r) => r.checksum)).toEqual([
      late[0]?.checksum,
      late[0]?.checksum,
    ])
  })

  it('learns: the loss falls when runTraining drives the group, as it does on one replica', async () => {
    const config = trainConfig(small, { batchSize: 16, seed: 5, learningRate: 2e-3 })
    const data = syntheticData(32, { train: 320, validation: 32, test: 32 }, 21)
    const curve = async (trainer: Trainer | ParallelTrainer, dir: string) => {
      const events: TrainEvent[] = []
      const result = await runTraining(trainer, {
        data,
        epochs: 4,
        runDir: join(temp.dir, dir),
        onEvent: (e) => events.push(e),
      })
      expect(result.test?.images).toBe(32)
      return events.flatMap((e) => (e.type === 'step' ? [e.total] : []))
    }
    const p = await parallel(Trainer.init(config))
    const two = await curve(p, 'learn-2')
    const single = Trainer.init(config)
    const one = await curve(single, 'learn-1')
    single.dispose()
    expect(two).toHaveLength(80)
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
    const late = mean(two.slice(-10))
    expect(late).toBeLessThan(mean(two.slice(0, 5)) * 0.7)
    expect(relDiff(late, mean(one.slice(-10)))).toBeLessThan(0.02)
    const probe = await p.probe()
    expect(probe[1]?.checksum).toBe(probe[0]?.checksum)
  }, 120_000)

  it('fails with a clear error, not a hang, when a replica throws mid-step', async () => {
    const config = trainConfig(tiny, { batchSize: 8, seed: 3 })
    const [b0, b1, b2] = batches(tiny, [8, 8, 8], 7) as [Uint8Array, Uint8Array, Uint8Array]
    const p = await parallel(Trainer.init(config), { injectFault: { replica: 1, step: 2 } })
    p.trainStep(b0)
    p.trainStep(b1)
    const t0 = performance.now()
    expect(() => p.trainStep(b2)).toThrow(/replica 1 failed: injected fault at step 2/)
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(() => p.trainStep(b2)).toThrow(ReplicaGroupError)
    await expect(p.probe()).rejects.toThrow(/replica 1 failed/)
  })

  it('releases the other replicas when replica 0 (this thread) throws mid-step', async () => {
    const config = trainConfig(tiny, { batchSize: 8, seed: 3 })
    const [b0, b1] = batches(tiny, [8, 8], 7) as [Uint8Array, Uint8Array]
    const p = await parallel(Trainer.init(config), { injectFault: { replica: 0, step: 1 } })
    p.trainStep(b0)
    expect(() => p.trainStep(b1)).toThrow(/^injected fault at step 1$/)
    // The worker, blocked in the same exchange, is released and reports why.
    await expect
      .poll(() => p.replicaErrors, { timeout: 10_000 })
      .toContain('replica 1: replica 0 failed: injected fault at step 1')
    await expect(p.probe()).rejects.toThrow(/injected fault at step 1/)
  })

  it('picks 2 replicas on wasm and cpu when there are 2 cores, 1 on the tensorflow backends', () => {
    expect(replicaCount('wasm', undefined, 2)).toBe(2)
    expect(replicaCount('cpu', undefined, 8)).toBe(2)
    expect(replicaCount('wasm', undefined, 1)).toBe(1)
    expect(replicaCount('wasm', 3, 2)).toBe(3)
    expect(replicaCount('tensorflow', 2, 8)).toBe(1)
    expect(replicaCount('tensorflow-gpu', undefined, 8)).toBe(1)
  })
})

describe('encoding on 2 wasm replicas', () => {
  it('gives what one thread gives, for even and uneven batches, and the encoder starts it lazily', async () => {
    const config = trainConfig(small, { batchSize: 8, seed: 7 })
    const trainer = Trainer.init(config)
    for (const batch of batches(small, [8, 8], 11)) trainer.trainStep(batch)
    const encoder = new ParallelEncoder(trainer.model, 'wasm', () => {}, 2)
    try {
      // Shares follow the replicas' measured speed from the second batch on: results must not.
      const m = PARALLEL_ENCODE_MIN_IMAGES
      for (const n of [m, m + 5, 3, m + 1, m + 2]) {
        const images = syntheticShapes(n, small.size, n)
        const expected = trainer.encode(images)
        const got = await encoder.encode(images)
        expect(got.mu.length).toBe(n * small.latentDim)
        let worst = 0
        for (let i = 0; i < got.mu.length; i++) {
          worst = Math.max(
            worst,
            relDiff(got.mu[i] as number, expected.mu[i] as number),
            relDiff(got.logVar[i] as number, expected.logVar[i] as number),
          )
        }
        expect(worst).toBeLessThan(1e-4)
      }
    } finally {
      await encoder.close()
      trainer.dispose()
    }
  })
})
