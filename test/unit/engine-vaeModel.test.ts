import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pickBackend } from '../../src/main/engine/backend/picker'
import { syntheticShapes } from '../../src/main/engine/data/trainingData'
import { trainConfig } from '../../src/main/engine/model/config'
import { VaeModel } from '../../src/main/engine/model/vaeModel'
import { tf } from '../../src/main/engine/tf'
import { Adam } from '../../src/main/engine/train/adam'
import { checkpointHeader } from '../../src/main/engine/train/checkpoint'
import { loadCheckpointModel } from '../../src/main/engine/train/checkpointModel'
import { Trainer } from '../../src/main/engine/train/trainer'
import { tinyModel as tiny } from '../support/engineModels'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('engine-vae-model-')
afterAll(() => temp.cleanup())

/**
 * A checkpoint of a tiny model after a few steps, so that its weights, moving statistics and Adam
 * moments all differ from their initial values.
 */
function trainedCheckpoint(name: string): string {
  const config = trainConfig(tiny, { batchSize: 8, seed: 5 })
  const trainer = Trainer.init(config)
  const images = syntheticShapes(24, tiny.size, 2)
  const per = 8 * tiny.size * tiny.size * 3
  for (let i = 0; i < 3; i++) trainer.trainStep(images.subarray(i * per, (i + 1) * per))
  const file = join(temp.dir, name)
  trainer.saveCheckpoint(file)
  trainer.dispose()
  return file
}

/** The checkpoint's bytes up to the end of its parameters: the Adam moments after them cut off. */
function withoutMoments(file: string, out: string): void {
  const buf = readFileSync(file)
  const { header, dataStart } = checkpointHeader(buf, file)
  const floats = header.params.reduce(
    (end, b) => Math.max(end, b.offset + b.shape.reduce((x, y) => x * y, 1)),
    0,
  )
  expect(header.adamM.length).toBeGreaterThan(0)
  writeFileSync(out, buf.subarray(0, dataStart + floats * 4))
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`VaeModel on ${backend}`, () => {
    let file = ''

    beforeAll(async () => {
      expect((await pickBackend(backend)).backend).toBe(backend)
      file = trainedCheckpoint(`${backend}.ckpt`)
    })

    it('loads a checkpoint for inference holding its weights and no optimiser state', () => {
      const before = tf.memory()
      const { model, step, config } = loadCheckpointModel(file)
      try {
        expect(step).toBe(3)
        expect(config.model).toEqual(tiny)
        // The tensors it allocated are exactly the parameters, one each.
        const values = model.layout.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b), 0)
        expect(tf.memory().numTensors - before.numTensors).toBe(model.layout.specs.length)
        expect(tf.memory().numBytes - before.numBytes).toBe(values * 4)
        expect(Object.values(model).some((v) => v instanceof Adam || v instanceof Trainer)).toBe(
          false,
        )
      } finally {
        model.dispose()
      }
      expect(tf.memory().numTensors).toBe(before.numTensors)
    })

    it('never reads the Adam moments: a checkpoint cut after its weights still loads for inference', () => {
      const cut = join(temp.dir, `${backend}-weights-only.ckpt`)
      withoutMoments(file, cut)
      expect(() => Trainer.load(cut)).toThrow(/checkpoint is truncated/)
      const whole = loadCheckpointModel(file).model
      const weightsOnly = loadCheckpointModel(cut).model
      try {
        const images = syntheticShapes(3, tiny.size, 8)
        expect(weightsOnly.encode(images)).toEqual(whole.encode(images))
      } finally {
        whole.dispose()
        weightsOnly.dispose()
      }
    })

    it('encodes, decodes, samples and reconstructs exactly as the Trainer on the same checkpoint', async () => {
      const trainer = Trainer.load(file)
      const { model } = loadCheckpointModel(file)
      try {
        // More than one inference batch of 64, so the batching is covered too.
        const images = syntheticShapes(70, tiny.size, 4)
        const encoded = model.encode(images)
        expect(encoded.mu.length).toBe(70 * tiny.latentDim)
        expect(encoded).toEqual(trainer.encode(images))
        expect(await model.encodeAsync(images)).toEqual(encoded)

        const latents = encoded.mu.subarray(0, 5 * tiny.latentDim)
        const faces = model.decode(latents)
        expect(faces.length).toBe(5 * tiny.size * tiny.size * 4)
        expect(faces).toEqual(trainer.decode(latents))
        expect(await model.decodeAsync(latents)).toEqual(faces)

        expect(await model.sampleAsync(4, 11, 0.8)).toEqual(await trainer.sampleAsync(4, 11, 0.8))
        expect(model.sample(4, 11)).not.toEqual(model.sample(4, 12))
        expect(await model.reconstructAsync(images.subarray(0, 4 * model.imageBytes))).toEqual(
          trainer.reconstruct(images.subarray(0, 4 * model.imageBytes)),
        )
      } finally {
        trainer.dispose()
        model.dispose()
      }
    })
  })
}

describe('VaeModel from weights', () => {
  it('names a missing parameter and leaves a model it would overwrite unchanged', async () => {
    await pickBackend('cpu')
    const a = VaeModel.init(tiny, 1)
    const b = VaeModel.init(tiny, 2)
    try {
      const weights = b.exportWeights()
      const name = a.layout.specs[3]?.name as string
      weights.delete(name)
      expect(() => VaeModel.fromWeights(tiny, weights)).toThrow(
        `checkpoint: parameter ${name} is missing or has the wrong size`,
      )
      const kept = a.exportWeights()
      expect(() => a.setWeights(weights)).toThrow(name)
      expect(a.exportWeights()).toEqual(kept)
      a.setWeights(b.exportWeights())
      expect(a.exportWeights()).toEqual(b.exportWeights())
    } finally {
      a.dispose()
      b.dispose()
    }
  })

  it('names a file that is not a checkpoint', () => {
    const bad = join(temp.dir, 'not-a-checkpoint.ckpt')
    writeFileSync(bad, 'hello')
    expect(() => loadCheckpointModel(bad)).toThrow(bad)
  })
})
