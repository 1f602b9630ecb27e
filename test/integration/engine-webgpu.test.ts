/**
 * The engine on webgpu (Dawn) against the CPU engine. On a machine without a GPU this runs on Mesa's
 * llvmpipe through OpenGL ES (packages libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri), which the
 * picker never chooses by itself but which runs the same WGSL kernels as a GPU would.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { pickBackend } from '../../src/main/engine/backend/picker'
import { syntheticShapes } from '../../src/main/engine/data/trainingData'
import { batchNormTrain } from '../../src/main/engine/model/batchNorm'
import { type ModelConfig, PRESETS, trainConfig } from '../../src/main/engine/model/config'
import { createParams, modelLayout } from '../../src/main/engine/model/params'
import { vaeLoss } from '../../src/main/engine/model/loss'
import { decodeForward, encodeForward, type NormStats } from '../../src/main/engine/model/vae'
import { leakyReluMasked } from '../../src/main/engine/ops/leakyMask'
import {
  biasAddInfer,
  convNormActInfer,
  normActInfer,
} from '../../src/main/engine/ops/inferNormAct'
import { loadCheckpointModel } from '../../src/main/engine/train/checkpointModel'
import { type StepLoss, Trainer } from '../../src/main/engine/train/trainer'
import { tf } from '../../src/main/engine/tf'
import { relError } from '../support/relError'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'
import { tinyModel } from '../support/engineModels'
import { seededRandom } from '../support/rng'

const temp = makeTempDir('engine-webgpu-')

beforeAll(async () => {
  const pick = await pickBackend('webgpu')
  expect(pick.backend).toBe('webgpu')
  expect(pick.adapter?.name).toBeTruthy()
})

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n)
  const random = seededRandom(seed)
  for (let i = 0; i < n; i++) out[i] = (random() - 0.5) * 2 * scale
  return out
}

type Build = () => tf.Tensor[]

/** Runs `build` on one backend and awaits every output's values (webgpu cannot read synchronously). */
async function on(backend: 'webgpu' | 'cpu', build: Build): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const outs = tf.tidy(build)
  try {
    return await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>))
  } finally {
    tf.dispose(outs)
    await tf.setBackend('webgpu')
  }
}

async function expectSame(build: Build): Promise<void> {
  const gpu = await on('webgpu', build)
  const cpu = await on('cpu', build)
  expect(gpu.length).toBe(cpu.length)
  gpu.forEach((g, i) => {
    expect(Array.from(g).every(Number.isFinite)).toBe(true)
    expect(relError(g, cpu[i] as Float32Array)).toBeLessThan(1e-3)
  })
}

/** The value and the gradient of Σ(f(inputs)·w) for a fixed random w, so every output entry counts. */
function valueAndGrads(inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor): tf.Tensor[] {
  let out: tf.Tensor | null = null
  const grads = tf.grads((...xs: tf.Tensor[]) => {
    const y = f(...xs)
    out = tf.keep(y)
    return tf.sum(tf.mul(y, tf.tensor(values(y.size, 77), y.shape)))
  })(inputs)
  return [out as unknown as tf.Tensor, ...grads]
}

const t4 = (shape: [number, number, number, number], seed: number, scale = 1) =>
  tf.tensor4d(
    values(
      shape.reduce((a, b) => a * b),
      seed,
      scale,
    ),
    shape,
  )
const t1 = (n: number, seed: number, offset = 0) =>
  tf.tensor1d(values(n, seed, 0.5).map((v) => v + offset))

describe('every kernel the model uses, webgpu against cpu (forward and gradient)', () => {
  it('conv2d, stride 2, same padding', async () => {
    await expectSame(() =>
      valueAndGrads([t4([2, 8, 8, 5], 1), t4([3, 3, 5, 6], 2, 0.3)], (x, f) =>
        tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'),
      ),
    )
  })

  it('conv2dTranspose, stride 2, same padding', async () => {
    await expectSame(() =>
      valueAndGrads([t4([2, 4, 4, 6], 3), t4([3, 3, 5, 6], 4, 0.3)], (x, f) =>
        tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [2, 8, 8, 5], 2, 'same'),
      ),
    )
  })

  it('dense: matMul and bias', async () => {
    const x = () => tf.tensor2d(values(6 * 40, 5), [6, 40])
    const w = () => tf.tensor2d(values(40 * 9, 6, 0.2), [40, 9])
    await expectSame(() =>
      valueAndGrads([x(), w(), t1(9, 7)], (a, b, c) =>
        tf.add(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), c as tf.Tensor1D),
      ),
    )
  })

  it('leakyRelu, and leakyRelu with a dropout mask (fused on cpu, composite on webgpu)', async () => {
    const mask = () =>
      tf.tensor4d(
        values(2 * 4 * 4 * 3, 8).map((v) => (v > -0.5 ? 1 / 0.75 : 0)),
        [2, 4, 4, 3],
      )
    await expectSame(() => valueAndGrads([t4([2, 4, 4, 3], 9)], (x) => tf.leakyRelu(x, 0.3)))
    await expectSame(() =>
      valueAndGrads([t4([2, 4, 4, 3], 10)], (x) => leakyReluMasked(x, 0.3, mask())),
    )
  })

  it('training batch norm with its hand-written gradient, and its statistics', async () => {
    await expectSame(() => {
      const stats: tf.Tensor[] = []
      const out = valueAndGrads([t4([3, 5, 5, 4], 11, 2), t1(4, 12, 1), t1(4, 13)], (x, g, b) =>
        batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, (s) =>
          stats.push(s.mean, s.variance),
        ),
      )
      return [...out, ...stats]
    })
  })

  it('inference batch norm, activation and bias (fused on cpu, composite on webgpu)', async () => {
    const norm = () => ({
      gamma: t1(4, 14, 1),
      beta: t1(4, 15),
      mean: t1(4, 16),
      variance: t1(4, 17, 1),
    })
    await expectSame(() => [
      normActInfer(t4([2, 5, 5, 4], 18), norm(), 0.3, 1e-3),
      convNormActInfer(
        t4([2, 6, 6, 3], 19),
        t4([3, 3, 3, 4], 20, 0.3),
        2,
        'same',
        norm(),
        0.3,
        1e-3,
      ),
      biasAddInfer(t4([2, 5, 5, 4], 21), t1(4, 22)),
    ])
  })

  it('output and loss: sigmoid, exp, squared difference, sums', async () => {
    const img = () =>
      tf.tensor4d(
        values(2 * 4 * 4 * 3, 23).map((v) => v * 0.5 + 0.5),
        [2, 4, 4, 3],
      )
    const lat = (seed: number) => tf.tensor2d(values(2 * 5, seed), [2, 5])
    await expectSame(() =>
      valueAndGrads([t4([2, 4, 4, 3], 24), lat(25), lat(26)], (logits, mu, logVar) => {
        const l = vaeLoss(
          img(),
          tf.sigmoid(logits) as tf.Tensor4D,
          mu as tf.Tensor2D,
          logVar as tf.Tensor2D,
          100,
          0.5,
        )
        return tf.stack([l.total, l.recon, l.kl])
      }),
    )
  })

  it('the whole VAE: forward, loss and every parameter gradient', async () => {
    const layout = modelLayout(tinyModel)
    const images = new Float32Array(syntheticShapes(4, tinyModel.size, 27)).map((v) => v / 255)
    await expectSame(() => {
      const params = createParams(layout, 5)
      const x = tf.tensor4d(images, [4, tinyModel.size, tinyModel.size, 3])
      const stats: NormStats[] = []
      const mode = { training: true, dropoutSeed: 3, stats }
      const trainable = layout.specs
        .filter((s) => s.trainable)
        .map((s) => params.get(s.name) as tf.Variable)
      const { value, grads } = tf.variableGrads(() => {
        const { mu, logVar } = encodeForward(x, params, layout, tinyModel, mode)
        const out = decodeForward(mu, params, layout, tinyModel, mode)
        return vaeLoss(x, out, mu, logVar, 1000, 1).total
      }, trainable)
      const out = [value, ...trainable.map((v) => grads[v.name] as tf.Tensor)]
      for (const p of params.values()) p.dispose()
      return out
    })
  })
})

function batches(model: ModelConfig, n: number, batchSize: number, seed: number): Uint8Array[] {
  const bytes = syntheticShapes(n * batchSize, model.size, seed)
  const per = batchSize * model.size * model.size * 3
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * per, (i + 1) * per))
}

async function train(t: Trainer, data: Uint8Array[]): Promise<StepLoss[]> {
  const out: StepLoss[] = []
  for (const b of data) out.push(await t.trainStepAsync(b))
  return out
}

describe('Trainer on webgpu', () => {
  // The CPU engine here is wasm (with its own kernels): tfjs' plain cpu backend takes tens of seconds
  // a step at 64×64, and the two agree (engine-kernels tests).
  it('trains classic-64 for 20 steps with the losses of the CPU engine from the same seed', async () => {
    const config = trainConfig(PRESETS['classic-64'], { batchSize: 2, seed: 21 })
    // One batch, as a check on a real GPU does it: the loss then falls step by step.
    const data = new Array<Uint8Array>(20).fill(
      batches(PRESETS['classic-64'], 1, 2, 5)[0] as Uint8Array,
    )
    const gpu = Trainer.init(config)
    const onGpu = await train(gpu, data)
    gpu.dispose()
    await pickBackend('wasm')
    const cpu = Trainer.init(config)
    // The CPU engine reads synchronously: the same trainer, the other path.
    const onCpu = data.map((b) => cpu.trainStep(b))
    cpu.dispose()
    await pickBackend('webgpu')
    expect(onGpu).toHaveLength(20)
    onGpu.forEach((l, i) => {
      const ref = onCpu[i] as StepLoss
      expect(Math.abs(l.total - ref.total) / ref.total).toBeLessThan(0.01)
      expect(Math.abs(l.recon - ref.recon) / ref.recon).toBeLessThan(0.01)
    })
    // It learned something: the loss falls over the run.
    const mean = (ls: StepLoss[]) => ls.reduce((a, l) => a + l.total, 0) / ls.length
    expect(mean(onGpu.slice(-5))).toBeLessThan(mean(onGpu.slice(0, 5)))
  })

  it('encodes and decodes as the CPU engine does', async () => {
    const config = trainConfig(tinyModel, { batchSize: 4, seed: 8 })
    const data = batches(tinyModel, 3, 4, 6)
    const gpu = Trainer.init(config)
    await train(gpu, data)
    const file = join(temp.dir, 'codec.ckpt')
    await gpu.saveCheckpointAsync(file)
    const images = syntheticShapes(70, tinyModel.size, 7)
    expect(() => gpu.encode(images)).toThrow(/webgpu reads results asynchronously/)
    const enc = await gpu.encodeAsync(images)
    const faces = await gpu.decodeAsync(enc.mu)
    const ev = await gpu.evaluateAsync(images)
    gpu.dispose()
    // Inference's model alone, from the same checkpoint, reads asynchronously to the same values.
    const { model } = loadCheckpointModel(file)
    expect(() => model.decode(enc.mu)).toThrow(/webgpu reads results asynchronously/)
    expect(await model.encodeAsync(images)).toEqual(enc)
    expect(await model.decodeAsync(enc.mu)).toEqual(faces)
    model.dispose()
    await tf.setBackend('cpu')
    const cpu = Trainer.load(file)
    const ref = cpu.encode(images)
    const refFaces = cpu.decode(ref.mu)
    const refEv = cpu.evaluate(images)
    cpu.dispose()
    await tf.setBackend('webgpu')
    expect(relError(enc.mu, ref.mu)).toBeLessThan(1e-3)
    expect(relError(enc.logVar, ref.logVar)).toBeLessThan(1e-3)
    // RGBA bytes: rounding may move a value by one step, never more.
    let worst = 0
    for (let i = 0; i < faces.length; i++) {
      worst = Math.max(worst, Math.abs((faces[i] as number) - (refFaces[i] as number)))
    }
    expect(worst).toBeLessThanOrEqual(1)
    expect(Math.abs(ev.total - refEv.total) / refEv.total).toBeLessThan(1e-3)
  })

  it('resumes from its own checkpoint with the losses of an uninterrupted run', async () => {
    const config = trainConfig(tinyModel, { batchSize: 4, seed: 9 })
    const data = batches(tinyModel, 6, 4, 8)
    const straight = Trainer.init(config)
    const expected = await train(straight, data)
    straight.dispose()
    const first = Trainer.init(config)
    await train(first, data.slice(0, 3))
    const file = join(temp.dir, 'resume.ckpt')
    await first.saveCheckpointAsync(file)
    first.dispose()
    const resumed = Trainer.load(file)
    expect(resumed.step).toBe(3)
    const rest = await train(resumed, data.slice(3))
    resumed.dispose()
    expect(rest).toEqual(expected.slice(3))
  })
})

describe('a process with Dawn loaded', () => {
  it('ends by itself once its work is done', async () => {
    const script = join(repoRoot, 'test', 'support', 'webgpuNaturalExit.ts')
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve) => {
        execFile(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot }, (e, out) =>
          resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout: out }),
        )
      },
    )
    expect(code).toBe(0)
    expect(JSON.parse(stdout.trim())).toMatchObject({ backend: 'webgpu', faces: 4 * 16 * 16 * 4 })
  })
})
