import { beforeAll, describe, expect, it } from 'vitest'
import { configureWasm } from '../../src/main/engine/backend/wasmInit'
import {
  BN_EPSILON,
  BN_MOMENTUM,
  unbiasedVarianceFactor,
} from '../../src/main/engine/model/batchNorm'
import { PRESETS, TRAIN_DEFAULTS } from '../../src/main/engine/model/config'
import { vaeLoss } from '../../src/main/engine/model/loss'
import { initialValues, modelLayout } from '../../src/main/engine/model/params'
import { uniformArray } from '../../src/main/engine/model/rng'
import { Adam } from '../../src/main/engine/train/adam'
import { tf } from '../../src/main/engine/tf'

/**
 * The classic presets are the seed's Keras model: these pin each Keras convention the engine must
 * follow (initialisation, TensorFlow's "same" padding, batch-norm constants, Adam, loss reduction).
 */

describe('initialisation: glorot_uniform kernels, zero biases, Keras batch-norm state', () => {
  const layout = modelLayout(PRESETS['classic-64'])

  it('draws every kernel uniformly within ±√(6/(fan_in+fan_out)), Keras fans', () => {
    for (const [i, spec] of layout.specs.entries()) {
      if (spec.init !== 'glorot') continue
      const values = initialValues(spec, 7, i)
      const receptive = spec.shape.slice(0, -2).reduce((a, b) => a * b, 1)
      const fanIn = (spec.shape.at(-2) as number) * receptive
      const fanOut = (spec.shape.at(-1) as number) * receptive
      const limit = Math.sqrt(6 / (fanIn + fanOut))
      let max = 0
      let sum = 0
      let sumSq = 0
      for (const v of values) {
        max = Math.max(max, Math.abs(v))
        sum += v
        sumSq += v * v
      }
      const n = values.length
      expect(max, spec.name).toBeLessThanOrEqual(limit)
      expect(max, spec.name).toBeGreaterThan(limit * 0.95)
      // Uniform(−L, L): mean 0 (within four standard errors L/√(3n)) and variance L²/3.
      expect(Math.abs(sum / n), spec.name).toBeLessThan((4 * limit) / Math.sqrt(3 * n))
      expect(sumSq / n / ((limit * limit) / 3), spec.name).toBeCloseTo(1, n > 5000 ? 1 : 0)
    }
  })

  it('gives transposed-convolution kernels the [kh, kw, out, in] layout Keras computes fans from', () => {
    const first = layout.specs.find((s) => s.name === 'decoder.convT0.kernel')
    expect(first?.shape).toEqual([3, 3, 64, 64])
    const last = layout.specs.find((s) => s.name === 'decoder.convT3.kernel')
    expect(last?.shape).toEqual([3, 3, 3, 32])
  })

  it('starts biases and β at 0, γ and the moving variance at 1, the moving mean at 0', () => {
    for (const [i, spec] of layout.specs.entries()) {
      const values = initialValues(spec, 7, i)
      const expected = spec.name.endsWith('.gamma') || spec.name.endsWith('movingVariance') ? 1 : 0
      if (spec.init === 'glorot') continue
      expect(
        values.every((v) => v === expected),
        spec.name,
      ).toBe(true)
    }
  })
})

describe('TensorFlow "same" padding, stride 2, on every backend the engine trains on', () => {
  /** Keras/TF: total padding k − s for an even input, the extra row and column at the bottom/right. */
  function directConv(x: Float32Array, w: Float32Array, side: number, inC: number, outC: number) {
    const out = side / 2
    const y = new Float32Array(out * out * outC)
    for (let oy = 0; oy < out; oy++)
      for (let ox = 0; ox < out; ox++)
        for (let o = 0; o < outC; o++) {
          let acc = 0
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const iy = 2 * oy + ky // pad_top = 0
              const ix = 2 * ox + kx
              if (iy >= side || ix >= side) continue // the padded bottom row / right column
              for (let c = 0; c < inC; c++) {
                acc +=
                  (x[(iy * side + ix) * inC + c] as number) *
                  (w[((ky * 3 + kx) * inC + c) * outC + o] as number)
              }
            }
          y[(oy * out + ox) * outC + o] = acc
        }
    return y
  }

  /** Conv2DTranspose 'same': output side = input·2, the scatter of each input cropped at the end. */
  function directConvTranspose(
    x: Float32Array,
    w: Float32Array,
    side: number,
    inC: number,
    outC: number,
  ) {
    const out = side * 2
    const y = new Float32Array(out * out * outC)
    for (let iy = 0; iy < side; iy++)
      for (let ix = 0; ix < side; ix++)
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const oy = 2 * iy + ky
            const ox = 2 * ix + kx
            if (oy >= out || ox >= out) continue
            for (let o = 0; o < outC; o++)
              for (let c = 0; c < inC; c++) {
                // Transposed kernels are [kh, kw, outC, inC].
                y[(oy * out + ox) * outC + o] =
                  (y[(oy * out + ox) * outC + o] as number) +
                  (x[(iy * side + ix) * inC + c] as number) *
                    (w[((ky * 3 + kx) * outC + o) * inC + c] as number)
              }
          }
    return y
  }

  for (const backend of ['cpu', 'wasm']) {
    describe(backend, () => {
      beforeAll(async () => {
        if (backend === 'wasm') configureWasm()
        await tf.setBackend(backend)
        await tf.ready()
      })

      it('conv2d pads one row and column at the bottom/right of an even input', () => {
        const side = 8
        const x = uniformArray(side * side * 3, 1)
        const w = uniformArray(3 * 3 * 3 * 4, 2)
        const y = tf.tidy(() =>
          tf
            .conv2d(tf.tensor4d(x, [1, side, side, 3]), tf.tensor4d(w, [3, 3, 3, 4]), 2, 'same')
            .dataSync(),
        )
        const expected = directConv(x, w, side, 3, 4)
        expect(y.length).toBe(expected.length)
        y.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4))
      })

      it('conv2dTranspose doubles the side and crops the last row and column', () => {
        const side = 4
        const x = uniformArray(side * side * 5, 3)
        const w = uniformArray(3 * 3 * 2 * 5, 4)
        const y = tf.tidy(() =>
          tf
            .conv2dTranspose(
              tf.tensor4d(x, [1, side, side, 5]),
              tf.tensor4d(w, [3, 3, 2, 5]),
              [1, side * 2, side * 2, 2],
              2,
              'same',
            )
            .dataSync(),
        )
        const expected = directConvTranspose(x, w, side, 5, 2)
        expect(y.length).toBe(expected.length)
        y.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4))
      })
    })
  }
})

describe('batch norm, Adam and the loss use Keras constants', () => {
  it('batch norm: momentum 0.99, ε 0.001, the unbiased batch variance feeding the moving one', () => {
    expect(BN_MOMENTUM).toBe(0.99)
    expect(BN_EPSILON).toBe(0.001)
    expect(unbiasedVarianceFactor(512)).toBeCloseTo(512 / 511, 12)
    expect(unbiasedVarianceFactor(1)).toBe(1)
  })

  it('Adam: β1 0.9, β2 0.999, ε 1e-7 added to √v, learning rate 5e-4, batch 32', () => {
    const adam = new Adam(TRAIN_DEFAULTS.learningRate, new Map([['w', 1]]))
    expect([adam.beta1, adam.beta2, adam.epsilon]).toEqual([0.9, 0.999, 1e-7])
    expect(TRAIN_DEFAULTS.learningRate).toBe(5e-4)
    expect(TRAIN_DEFAULTS.batchSize).toBe(32)
    // First step from zero moments: lr·√(1−β2)·g / (√(1−β2)·|g| + ε), where ε shows for tiny g
    // (PyTorch's 1e-8 would give a step three times as large here).
    const g = 1e-7
    const r = Math.sqrt(1 - 0.999) * g
    const w = new Map([['w', new Float32Array([0])]])
    adam.apply(w, new Map([['w', new Float32Array([g])]]))
    expect((w.get('w') as Float32Array)[0]).toBeCloseTo((-5e-4 * r) / (r + 1e-7), 9)
  })

  it('loss: 10000 · per-image mean of squared pixel errors plus the summed KL, both averaged over images', async () => {
    await tf.setBackend('cpu')
    const [n, s, d] = [3, 4, 5]
    const x = uniformArray(n * s * s * 3, 5, 0, 1)
    const out = uniformArray(n * s * s * 3, 6, 0, 1)
    const mu = uniformArray(n * d, 7)
    const logVar = uniformArray(n * d, 8)
    const loss = tf.tidy(() => {
      const l = vaeLoss(
        tf.tensor4d(x, [n, s, s, 3]),
        tf.tensor4d(out, [n, s, s, 3]),
        tf.tensor2d(mu, [n, d]),
        tf.tensor2d(logVar, [n, d]),
        10000,
        1,
      )
      return [l.recon.dataSync()[0], l.kl.dataSync()[0]] as [number, number]
    })
    let recon = 0
    let kl = 0
    for (let i = 0; i < n; i++) {
      let se = 0
      for (let p = 0; p < s * s * 3; p++) {
        const k = i * s * s * 3 + p
        se += ((x[k] as number) - (out[k] as number)) ** 2
      }
      recon += (10000 * se) / (s * s * 3)
      for (let j = 0; j < d; j++) {
        const m = mu[i * d + j] as number
        const lv = logVar[i * d + j] as number
        kl += -0.5 * (1 + lv - m * m - Math.exp(lv))
      }
    }
    expect(loss[0]).toBeCloseTo(recon / n, 2)
    expect(loss[1]).toBeCloseTo(kl / n, 4)
  })
})
