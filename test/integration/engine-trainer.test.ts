import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeUnits, meanSsim } from '../../src/main/analysis/imageQuality'
import { pickBackend } from '../../src/main/engine/backend/picker'
import { syntheticData, syntheticShapes } from '../../src/main/engine/data/trainingData'
import { type ModelConfig, trainConfig } from '../../src/main/engine/model/config'
import { runTraining, type TrainEvent } from '../../src/main/engine/train/loop'
import { type StepLoss, Trainer } from '../../src/main/engine/train/trainer'
import { tf } from '../../src/main/engine/tf'
import { makeTempDir } from '../support/tempDir'
import { tinyModel as tiny, smallModel as small } from '../support/engineModels'

const temp = makeTempDir('engine-trainer-')

beforeAll(async () => {
  const pick = await pickBackend('wasm')
  expect(pick.backend).toBe('wasm')
})
afterAll(() => temp.cleanup())

function batches(model: ModelConfig, n: number, batchSize: number, seed: number): Uint8Array[] {
  const bytes = syntheticShapes(n * batchSize, model.size, seed)
  const per = batchSize * model.size * model.size * 3
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * per, (i + 1) * per))
}

function run(t: Trainer, data: Uint8Array[]): StepLoss[] {
  return data.map((b) => t.trainStep(b))
}

describe('Trainer on wasm', () => {
  it('gives identical losses for one seed, different ones for another', () => {
    const config = trainConfig(tiny, { batchSize: 8, seed: 42 })
    const data = batches(tiny, 6, 8, 3)
    const a = Trainer.init(config)
    const b = Trainer.init(config)
    const c = Trainer.init(config, 43)
    const la = run(a, data)
    const lb = run(b, data)
    const lc = run(c, data)
    expect(lb).toEqual(la)
    expect(lc).not.toEqual(la)
    expect(la.every((l) => Number.isFinite(l.total) && l.recon > 0 && l.kl >= 0)).toBe(true)
    for (const l of la) expect(l.total).toBeCloseTo(l.recon + l.kl, 2)
    for (const t of [a, b, c]) t.dispose()
  })

  it('resumes from a checkpoint with the same subsequent losses', () => {
    const config = trainConfig(tiny, { batchSize: 8, seed: 7, klWarmupSteps: 5, beta: 2 })
    const data = batches(tiny, 10, 8, 4)
    const straight = Trainer.init(config)
    const expected = run(straight, data)
    straight.dispose()

    const first = Trainer.init(config)
    run(first, data.slice(0, 4))
    const file = join(temp.dir, 'resume.ckpt')
    first.saveCheckpoint(file)
    first.dispose()
    expect(readdirSync(temp.dir).filter((f) => f.includes('.tmp'))).toEqual([])

    const resumed = Trainer.load(file)
    expect(resumed.step).toBe(4)
    const rest = run(resumed, data.slice(4))
    expect(rest).toEqual(expected.slice(4))
    resumed.dispose()
  })

  it('rejects a file that is not a checkpoint, naming it', () => {
    const bad = join(temp.dir, 'bad.ckpt')
    writeFileSync(bad, 'hello')
    expect(() => Trainer.load(bad)).toThrow(bad)
  })

  it('encodes with the weights of the moment: folded filters follow each step', () => {
    const config = trainConfig(small, { batchSize: 4, seed: 5 })
    const data = batches(small, 2, 4, 8)
    const images = data[0] as Uint8Array
    const t = Trainer.init(config)
    const first = t.encode(images).mu
    expect(t.encode(images).mu).toEqual(first)
    t.trainStep(data[1] as Uint8Array)
    const later = t.encode(images).mu
    expect(later).not.toEqual(first)
    // A trainer built from the same state folds afresh.
    const copy = Trainer.fromState(t.exportState())
    expect(copy.encode(images).mu).toEqual(later)
    copy.dispose()
    t.dispose()
  })

  it('keeps the number of live tensors flat over 200 steps', () => {
    const config = trainConfig(tiny, { batchSize: 4, seed: 1 })
    const data = batches(tiny, 4, 4, 5)
    const t = Trainer.init(config)
    run(t, data)
    const before = tf.memory()
    for (let i = 0; i < 200; i++) t.trainStep(data[i % data.length] as Uint8Array)
    const after = tf.memory()
    expect(after.numTensors).toBe(before.numTensors)
    expect(after.numBytes).toBe(before.numBytes)
    t.evaluate(data[0] as Uint8Array)
    t.reconstruct(data[0] as Uint8Array)
    t.sample(3, 9)
    expect(tf.memory().numTensors).toBe(before.numTensors)
    t.dispose()
  })

  it('encodes, decodes, samples and reconstructs with the right shapes and ranges', () => {
    const config = trainConfig(tiny, { batchSize: 4, seed: 2 })
    const t = Trainer.init(config)
    // An untrained decoder outputs ≈ sigmoid(0) everywhere; a few steps give it some contrast.
    run(t, batches(tiny, 30, 4, 12))
    const images = syntheticShapes(70, tiny.size, 8)
    const { mu, logVar } = t.encode(images)
    expect(mu.length).toBe(70 * tiny.latentDim)
    expect(logVar.length).toBe(70 * tiny.latentDim)
    expect(mu.every(Number.isFinite)).toBe(true)
    const frames = t.decode(mu)
    expect(frames.length).toBe(70 * tiny.size * tiny.size * 4)
    expect(frames.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true)
    const rgb = frames.filter((_, i) => i % 4 !== 3)
    expect(Math.max(...rgb)).toBeGreaterThan(Math.min(...rgb))
    expect(t.reconstruct(images)).toEqual(frames)
    const s1 = t.sample(5, 11, 0.7)
    expect(s1.length).toBe(5 * tiny.size * tiny.size * 4)
    expect(t.sample(5, 11, 0.7)).toEqual(s1)
    expect(t.sample(5, 12, 0.7)).not.toEqual(s1)
    expect(() => t.decode(new Float32Array(tiny.latentDim + 1))).toThrow(/latentDim/)
    t.dispose()
  })

  it('learns: the loss falls by a clear margin on synthetic shapes', async () => {
    const config = trainConfig(small, { batchSize: 16, seed: 5 })
    const data = syntheticData(32, { train: 480, validation: 64, test: 64 }, 21)
    const t = Trainer.init(config)
    const events: TrainEvent[] = []
    const result = await runTraining(t, {
      data,
      epochs: 10,
      runDir: join(temp.dir, 'learn'),
      onEvent: (e) => events.push(e),
    })
    const steps = events.filter((e) => e.type === 'step')
    expect(steps).toHaveLength(300)
    const mean = (xs: { total: number }[]) => xs.reduce((s, x) => s + x.total, 0) / xs.length
    const early = mean(steps.slice(0, 10))
    const late = mean(steps.slice(-30))
    expect(late).toBeLessThan(early * 0.5)
    const epochs = events.filter((e) => e.type === 'epoch')
    expect(epochs).toHaveLength(10)
    const firstVal = epochs[0]?.type === 'epoch' ? epochs[0].validation : null
    const lastVal = epochs[9]?.type === 'epoch' ? epochs[9].validation : null
    expect(lastVal!.total).toBeLessThan(firstVal!.total)
    expect(result.test!.images).toBe(64)
    expect(result.test!.psnr).toBeGreaterThan(10)
    expect(existsSync(join(temp.dir, 'learn', 'checkpoint.ckpt'))).toBe(true)
    expect(events.at(-1)?.type).toBe('done')

    // Quality on the test split: the same PSNR and KL, SSIM as recomputed from the reconstructions.
    const quality = result.quality!
    const done = events.at(-1)
    expect(done?.type === 'done' ? done.quality : null).toEqual(quality)
    expect(quality).toMatchObject({ images: 64, testPsnr: result.test!.psnr, kl: result.test!.kl })
    const testImages = await data.readBatch(
      'test',
      Array.from({ length: 64 }, (_, i) => i),
    )
    const { mu, reconstructions } = t.inspect(testImages)
    expect(quality.ssim).toBeCloseTo(meanSsim(testImages, 3, reconstructions, 4, 64, 32), 10)
    expect(quality.ssim).toBeGreaterThan(0.2)
    expect(quality.activeUnits).toBe(activeUnits(mu, small.latentDim))
    expect(quality.activeUnits).toBeGreaterThan(0)
    expect(quality.latentDim).toBe(small.latentDim)
    expect(quality.sharpness).toBeGreaterThan(0)
    t.dispose()
  }, 120_000)
})
