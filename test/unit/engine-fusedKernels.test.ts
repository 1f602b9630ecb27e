import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { tf } from '../../src/main/engine/tf'
import { configureWasm } from '../../src/main/engine/backend/wasmInit'
import {
  type BatchStats,
  batchNormTrain,
  batchNormTrainComposite,
} from '../../src/main/engine/model/batchNorm'
import { leakyReluMasked } from '../../src/main/engine/ops/leakyMask'
import { LEAKY_MASK, LEAKY_MASK_GRAD } from '../../src/main/engine/kernels/fusedKernels'
import {
  biasAddInfer,
  convNormActInfer,
  normActInfer,
  type NormParams,
} from '../../src/main/engine/ops/inferNormAct'
import { canFuseBatchNorm } from '../../src/main/engine/ops/batchNormFused'
import { batchDropoutMask, uniformArray } from '../../src/main/engine/model/rng'
import { relError } from '../support/relError'

type Shape4 = [number, number, number, number]

const size = (s: number[]) => s.reduce((a, b) => a * b, 1)

const shapes: Shape4[] = [
  [2, 4, 4, 3],
  [3, 7, 5, 8],
  [4, 16, 16, 32],
  [1, 9, 11, 64],
  // More rows than a SIMD block (64) and not a multiple of it; an odd count for the lane tails.
  [2, 9, 7, 12],
  [1, 3, 5, 7],
]

/**
 * Backends under test: 'wasm' runs the wasm SIMD kernels, 'wasm-js' the same backend with
 * FACE_STUDIO_SIMD=0 (the JS loops). Returns tfjs' name for it.
 */
function useBackend(label: string): string {
  if (label === 'wasm-js') process.env.FACE_STUDIO_SIMD = '0'
  else delete process.env.FACE_STUDIO_SIMD
  return label === 'wasm-js' ? 'wasm' : label
}
const BACKENDS = ['cpu', 'wasm', 'wasm-js']

/** Everything batch norm produces, forward and backward, as plain arrays. */
function batchNormAll(
  impl: typeof batchNormTrain,
  backend: string,
  shape: Shape4,
  seed: number,
): Record<string, Float32Array> {
  tf.setBackend(backend)
  const c = shape[3]
  // Channels with offset means and different spreads, as after a convolution.
  const base = uniformArray(size(shape), seed, -1, 1)
  const x = tf.tensor4d(
    base.map((v, i) => v * (1 + (i % c)) + 0.5 * (i % c)),
    shape,
  )
  const gamma = tf.tensor1d(uniformArray(c, seed + 1, 0.5, 1.5))
  const beta = tf.tensor1d(uniformArray(c, seed + 2))
  const dy = tf.tensor4d(uniformArray(size(shape), seed + 3), shape)
  const stats: BatchStats[] = []
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    impl(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, (s) => stats.push(s))
  const { value, grads } = tf.valueAndGrads(f)([x, gamma, beta], dy)
  const [dx, dGamma, dBeta] = grads as [tf.Tensor, tf.Tensor, tf.Tensor]
  const s = stats[0] as BatchStats
  const out = {
    y: value.dataSync() as Float32Array,
    dx: dx.dataSync() as Float32Array,
    dGamma: dGamma.dataSync() as Float32Array,
    dBeta: dBeta.dataSync() as Float32Array,
    mean: s.mean.dataSync() as Float32Array,
    variance: s.variance.dataSync() as Float32Array,
  }
  tf.dispose([x, gamma, beta, dy, value, dx, dGamma, dBeta])
  for (const st of stats) tf.dispose([st.mean, st.variance])
  return out
}

function leakyAll(
  fused: boolean,
  backend: string,
  shape: Shape4,
  seed: number,
  dropout = true,
): Record<string, Float32Array> {
  tf.setBackend(backend)
  const per = shape[1] * shape[2] * shape[3]
  const x = tf.tensor4d(uniformArray(size(shape), seed), shape)
  const mask = tf.tensor4d(batchDropoutMask(shape[0], per, dropout ? 0.25 : 0, seed, 2), shape)
  const dy = tf.tensor4d(uniformArray(size(shape), seed + 1), shape)
  const f = (a: tf.Tensor) =>
    fused ? leakyReluMasked(a, 0.3, dropout ? mask : undefined) : tf.mul(tf.leakyRelu(a, 0.3), mask)
  const { value, grads } = tf.valueAndGrads(f)([x], dy)
  const out = {
    y: value.dataSync() as Float32Array,
    dx: (grads[0] as tf.Tensor).dataSync() as Float32Array,
  }
  tf.dispose([x, mask, dy, value, ...grads])
  return out
}

/** Names of the kernels `f` ran. */
async function kernelsRun(f: () => void): Promise<string[]> {
  const info = await tf.profile(() => {
    f()
  })
  return info.kernels.map((k) => k.name)
}

describe('fused batch norm and LeakyReLU kernels match stock cpu ops', () => {
  beforeAll(async () => {
    configureWasm()
    await tf.setBackend('wasm')
    await tf.ready()
  })
  afterEach(() => {
    delete process.env.FACE_STUDIO_FUSED
    delete process.env.FACE_STUDIO_SIMD
  })

  describe.each(BACKENDS)('on %s', (label) => {
    it.each(shapes)('batch norm forward and gradient, %s×%s×%s×%s', (...shape) => {
      const seed = size(shape) + shape[3]
      const ref = batchNormAll(batchNormTrainComposite, 'cpu', shape, seed)
      const got = batchNormAll(batchNormTrain, useBackend(label), shape, seed)
      expect(canFuseBatchNorm()).toBe(true)
      for (const key of Object.keys(ref)) {
        expect(relError(got[key]!, ref[key]!), key).toBeLessThan(1e-4)
      }
    })

    it.each(shapes)('LeakyReLU × dropout mask forward and gradient, %s×%s×%s×%s', (...shape) => {
      const seed = size(shape) + 17
      const ref = leakyAll(false, 'cpu', shape, seed)
      const got = leakyAll(true, useBackend(label), shape, seed)
      expect(relError(got.y!, ref.y!)).toBeLessThan(1e-4)
      expect(relError(got.dx!, ref.dx!)).toBeLessThan(1e-4)
    })

    it.each(shapes)('LeakyReLU without dropout, forward and gradient, %s×%s×%s×%s', (...shape) => {
      const seed = size(shape) + 23
      const ref = leakyAll(false, 'cpu', shape, seed, false)
      const backend = useBackend(label)
      const got = leakyAll(true, backend, shape, seed, false)
      expect(relError(got.y!, ref.y!)).toBeLessThan(1e-4)
      expect(relError(got.dx!, ref.dx!)).toBeLessThan(1e-4)
      // One fused pass each way where the backend has the kernels, not tfjs's three-op gradient.
      if (backend === 'wasm') {
        const x = tf.tensor4d(uniformArray(size(shape), seed), shape)
        return kernelsRun(() => {
          tf.grad((a: tf.Tensor) => leakyReluMasked(a, 0.3))(x).dispose()
        }).then((names) => {
          x.dispose()
          expect(names).toContain(LEAKY_MASK)
          expect(names).toContain(LEAKY_MASK_GRAD)
          expect(names).not.toContain('LeakyRelu')
        })
      }
    })

    it('leaks no tensors', () => {
      const backend = useBackend(label)
      const shape: Shape4 = [2, 5, 5, 8]
      batchNormAll(batchNormTrain, backend, shape, 1)
      leakyAll(true, backend, shape, 1)
      const before = tf.memory().numTensors
      batchNormAll(batchNormTrain, backend, shape, 2)
      leakyAll(true, backend, shape, 2)
      expect(tf.memory().numTensors).toBe(before)
    })
  })

  describe.each(BACKENDS)('inference ops on %s', (label) => {
    /** Moving statistics and parameters for `c` channels, from a seed. */
    function normParams(c: number, seed: number): NormParams {
      return {
        gamma: tf.tensor1d(uniformArray(c, seed, 0.5, 1.5)),
        beta: tf.tensor1d(uniformArray(c, seed + 1)),
        mean: tf.tensor1d(uniformArray(c, seed + 2)),
        variance: tf.tensor1d(uniformArray(c, seed + 3, 0.2, 2)),
      }
    }
    const eps = 1e-3
    const composite = (x: tf.Tensor4D, p: NormParams) =>
      tf.leakyRelu(tf.batchNorm4d(x, p.mean, p.variance, p.beta, p.gamma, eps), 0.3)

    it.each(shapes)(
      'batch norm + LeakyReLU, bias, conv + norm + LeakyReLU (%s×%s×%s×%s)',
      (...shape) => {
        const seed = size(shape) + 5
        const backend = useBackend(label)
        const arrays = (kind: 'ref' | 'got') => {
          tf.setBackend(kind === 'ref' ? 'cpu' : backend)
          return tf.tidy(() => {
            const x = tf.tensor4d(uniformArray(size(shape), seed, -2, 2), shape)
            const p = normParams(shape[3], seed)
            const filter = tf.tensor4d(uniformArray(9 * shape[3] * 8, seed + 9), [
              3,
              3,
              shape[3],
              8,
            ])
            const p8 = normParams(8, seed + 20)
            const conv = tf.conv2d(x, filter, 2, 'same')
            return {
              norm: (kind === 'ref' ? composite(x, p) : normActInfer(x, p, 0.3, eps)).dataSync(),
              bias: (kind === 'ref' ? tf.add(x, p.beta) : biasAddInfer(x, p.beta)).dataSync(),
              conv: (kind === 'ref'
                ? composite(conv, p8)
                : convNormActInfer(x, filter, 2, 'same', p8, 0.3, eps)
              ).dataSync(),
            }
          })
        }
        const ref = arrays('ref')
        const got = arrays('got')
        expect(relError(got.norm, ref.norm)).toBeLessThan(1e-4)
        expect(relError(got.bias, ref.bias)).toBeLessThan(1e-4)
        expect(relError(got.conv, ref.conv)).toBeLessThan(1e-4)
      },
    )
  })

  it('runs the fused kernels, or the composite ops when switched off', async () => {
    await tf.setBackend('wasm')
    const shape: Shape4 = [2, 4, 4, 3]
    const both = () => {
      batchNormAll(batchNormTrain, 'wasm', shape, 3)
      leakyAll(true, 'wasm', shape, 3)
    }
    const fused = await kernelsRun(both)
    expect(fused).toEqual(
      expect.arrayContaining([
        'FaceStudioBatchNormMoments',
        'FaceStudioBatchNormNormalize',
        'FaceStudioBatchNormGradSums',
        'FaceStudioBatchNormGradInput',
        'FaceStudioLeakyMask',
        'FaceStudioLeakyMaskGrad',
      ]),
    )
    process.env.FACE_STUDIO_FUSED = '0'
    expect(canFuseBatchNorm()).toBe(false)
    const composite = await kernelsRun(both)
    expect(composite.filter((k) => k.startsWith('FaceStudio'))).toEqual([])
    expect(composite).toEqual(expect.arrayContaining(['LeakyRelu', 'Mean']))
  })
})
