import { beforeAll, describe, expect, it } from 'vitest'
import { configureWasm } from '../../src/main/engine/backend/wasmInit'
import {
  PRESETS,
  TRAIN_DEFAULTS,
  trainConfig,
  type ModelConfig,
  type PresetName,
} from '../../src/main/engine/model/config'
import { modelLayout } from '../../src/main/engine/model/params'
import { uniformArray } from '../../src/main/engine/model/rng'
import { Trainer } from '../../src/main/engine/train/trainer'
import { tf } from '../../src/main/engine/tf'

// The engine's own backend: its kernels are what a run uses, and cpu is too slow for 64×64 steps.
beforeAll(async () => {
  configureWasm()
  await tf.setBackend('wasm')
})

function images(n: number, size: number, seed: number): Uint8Array {
  return Uint8Array.from(uniformArray(n * size * size * 3, seed, 0, 255), (v) => Math.floor(v))
}

const STUDIO: PresetName[] = ['studio-64', 'studio-128']

describe('classic presets: the seed notebook’s model and training settings', () => {
  it('keeps the seed’s layers, latent sizes, dropout and LeakyReLU slope', () => {
    const seed = {
      encoderFilters: [32, 64, 64, 64],
      decoderFilters: [64, 64, 32],
      dropout: 0.25,
      leakyAlpha: 0.3,
    }
    expect(PRESETS['classic-128']).toEqual({ size: 128, latentDim: 200, ...seed })
    expect(PRESETS['classic-64']).toEqual({ size: 64, latentDim: 128, ...seed })
  })

  it('trains with the seed’s settings: Adam 5e-4, batch 32, 10000·MSE + KL', () => {
    for (const name of ['classic-64', 'classic-128'] as const) {
      const { model: _model, seed: _seed, ...settings } = trainConfig(name)
      expect(settings).toEqual({
        batchSize: 32,
        learningRate: 5e-4,
        rLossFactor: 10000,
        beta: 1,
        klWarmupSteps: 0,
      })
      expect(settings).toEqual(TRAIN_DEFAULTS)
    }
  })
})

describe('studio presets', () => {
  it.each(STUDIO)('%s: the classic layers at the same size and latent, without dropout', (name) => {
    const classic = PRESETS[name.replace('studio', 'classic') as PresetName]
    const studio: ModelConfig = PRESETS[name]
    expect(studio).toEqual({ ...classic, dropout: 0 })
    const layout = modelLayout(studio)
    const shape = (n: string) => layout.specs.find((s) => s.name === n)?.shape
    const side = studio.size / 16
    expect(shape('encoder.conv0.kernel')).toEqual([3, 3, 3, 32])
    expect(shape('encoder.mu.kernel')).toEqual([side * side * 64, studio.latentDim])
    expect(shape('decoder.dense.kernel')).toEqual([studio.latentDim, side * side * 64])
    expect(shape('decoder.convT3.kernel')).toEqual([3, 3, 3, 32])
  })

  it.each(STUDIO)(
    '%s: encodes to its latent size and decodes to its image size',
    (name) => {
      const trainer = Trainer.init(trainConfig(name, { batchSize: 2 }))
      const { size, latentDim } = PRESETS[name]
      const { mu, logVar } = trainer.encode(images(2, size, 4))
      expect(mu.length).toBe(2 * latentDim)
      expect(logVar.length).toBe(2 * latentDim)
      expect(trainer.decode(mu).length).toBe(2 * size * size * 4)
      trainer.dispose()
    },
    120_000,
  )

  it('weighs KL by its β and learns at its rate; an explicit setting still wins', () => {
    const studio = trainConfig('studio-64')
    expect(studio.beta).toBeLessThan(1)
    expect(studio.learningRate).toBeGreaterThan(TRAIN_DEFAULTS.learningRate)
    expect(trainConfig('studio-64', { beta: 1, learningRate: 5e-4 })).toMatchObject({
      beta: 1,
      learningRate: 5e-4,
    })
  })

  it('evaluates to r·MSE + β·KL computed directly from its encoding and decoding', () => {
    const config = trainConfig('studio-64', { batchSize: 3, seed: 2 })
    const trainer = Trainer.init(config)
    const batch = images(3, 64, 5)
    trainer.trainStep(batch)
    const loss = trainer.evaluate(batch)
    const { mu, logVar } = trainer.encode(batch)
    const decoded = trainer.decode(mu)
    let sse = 0
    for (let p = 0; p < 3 * 64 * 64; p++)
      for (let c = 0; c < 3; c++) {
        const d = ((batch[p * 3 + c] as number) - (decoded[p * 4 + c] as number)) / 255
        sse += d * d
      }
    const recon = (config.rLossFactor * sse) / (64 * 64 * 3) / 3
    let klSum = 0
    for (let i = 0; i < mu.length; i++) {
      const m = mu[i] as number
      const lv = logVar[i] as number
      klSum += -0.5 * (1 + lv - m * m - Math.exp(lv))
    }
    const kl = klSum / 3
    // The decoded faces are rounded to bytes: the reconstruction term agrees to that rounding.
    expect(Math.abs(loss.recon - recon) / recon).toBeLessThan(0.01)
    expect(loss.kl).toBeCloseTo(kl, 2)
    expect(loss.total).toBeCloseTo(loss.recon + config.beta * loss.kl, 2)
    expect(config.beta).not.toBe(1)
    trainer.dispose()
  }, 120_000)
})
