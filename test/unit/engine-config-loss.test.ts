import { beforeAll, describe, expect, it } from 'vitest'
import { trainConfig } from '../../src/main/engine/model/config'
import { vaeLoss } from '../../src/main/engine/model/loss'
import { uniformArray } from '../../src/main/engine/model/rng'
import { tf } from '../../src/main/engine/tf'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('training config: replicas', () => {
  it('is optional and accepts 1 up to the batch size', () => {
    expect(trainConfig('classic-64').replicas).toBeUndefined()
    expect(trainConfig('classic-64', { replicas: 2 }).replicas).toBe(2)
    expect(trainConfig('classic-64', { batchSize: 4, replicas: 4 }).replicas).toBe(4)
  })

  it('rejects zero, fractions, more than the batch size and more than 16', () => {
    expect(() => trainConfig('classic-64', { replicas: 0 })).toThrow(/replicas must be a positive/)
    expect(() => trainConfig('classic-64', { replicas: 1.5 })).toThrow(/replicas/)
    expect(() => trainConfig('classic-64', { batchSize: 8, replicas: 9 })).toThrow(
      /replicas must be at most 8/,
    )
    expect(() => trainConfig('classic-64', { batchSize: 64, replicas: 17 })).toThrow(
      /replicas must be at most 16/,
    )
  })
})

describe('vaeLoss with a global batch', () => {
  it('splits into shares that sum to the whole batch’s loss', () => {
    const [n, s, d] = [7, 4, 5]
    const images = tf.tensor4d(uniformArray(n * s * s * 3, 1, 0, 1), [n, s, s, 3])
    const output = tf.tensor4d(uniformArray(n * s * s * 3, 2, 0, 1), [n, s, s, 3])
    const mu = tf.tensor2d(uniformArray(n * d, 3), [n, d])
    const logVar = tf.tensor2d(uniformArray(n * d, 4), [n, d])
    const whole = vaeLoss(images, output, mu, logVar, 100, 0.5)
    const share = (lo: number, hi: number) => {
      const rows4 = (t: tf.Tensor4D) => tf.slice(t, [lo, 0, 0, 0], [hi - lo, -1, -1, -1])
      const rows2 = (t: tf.Tensor2D) => tf.slice(t, [lo, 0], [hi - lo, -1])
      return vaeLoss(rows4(images), rows4(output), rows2(mu), rows2(logVar), 100, 0.5, n)
    }
    const [a, b] = [share(0, 3), share(3, 7)]
    for (const k of ['total', 'recon', 'kl'] as const) {
      const sum = a[k].dataSync()[0]! + b[k].dataSync()[0]!
      expect(sum).toBeCloseTo(whole[k].dataSync()[0]!, 3)
    }
    // The default divides by the images given: the mean per image.
    const perImageRecon = tf.sum(tf.squaredDifference(images, output)).dataSync()[0]! / (s * s * 3)
    expect(whole.recon.dataSync()[0]).toBeCloseTo((100 * perImageRecon) / n, 3)
  })
})
