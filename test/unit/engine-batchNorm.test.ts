import { beforeAll, describe, expect, it } from 'vitest'
import { tf } from '../../src/main/engine/tf'
import { configureWasm } from '../../src/main/engine/backend/wasmInit'
import {
  BN_EPSILON,
  type BatchStats,
  batchNormTrain,
  batchNormTrainComposite,
} from '../../src/main/engine/model/batchNorm'
import { type ReplicaGroup, singleReplica } from '../../src/main/engine/model/replicas'
import { uniformArray } from '../../src/main/engine/model/rng'
import { relError } from '../support/relError'

type Shape4 = [number, number, number, number]

/** A group of two whose exchanges answer with sums worked out beforehand from the whole batch. */
function scriptedGroup(replies: Float64Array[]): ReplicaGroup & { sent: Float64Array[] } {
  const sent: Float64Array[] = []
  return {
    size: 2,
    sent,
    allReduceSum(values) {
      const reply = replies[sent.length]
      sent.push(Float64Array.from(values))
      if (!reply || reply.length !== values.length) {
        throw new Error(`unexpected exchange #${sent.length} of ${values.length} values`)
      }
      return Float64Array.from(reply)
    },
  }
}

interface Result {
  y: Float32Array
  dx: Float32Array
  dGamma: Float32Array
  dBeta: Float32Array
  mean: Float32Array
  variance: Float32Array
}

let impl = batchNormTrain

function run(
  x: Float32Array,
  shape: Shape4,
  gamma: Float32Array,
  beta: Float32Array,
  dy: Float32Array,
  group?: ReplicaGroup,
): Result {
  const xt = tf.tensor4d(x, shape)
  const gt = tf.tensor1d(gamma)
  const bt = tf.tensor1d(beta)
  const dyt = tf.tensor4d(dy, shape)
  let stats: BatchStats | undefined
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    impl(
      a as tf.Tensor4D,
      g as tf.Tensor1D,
      b as tf.Tensor1D,
      (s) => {
        if (stats) tf.dispose([stats.mean, stats.variance])
        stats = s
      },
      group,
    )
  const {
    value: y,
    grads: [dx, dGamma, dBeta],
  } = tf.valueAndGrads(f)([xt, gt, bt], dyt)
  const out: Result = {
    y: y.dataSync() as Float32Array,
    dx: dx!.dataSync() as Float32Array,
    dGamma: dGamma!.dataSync() as Float32Array,
    dBeta: dBeta!.dataSync() as Float32Array,
    mean: stats!.mean.dataSync() as Float32Array,
    variance: stats!.variance.dataSync() as Float32Array,
  }
  tf.dispose([xt, gt, bt, dyt, y, dx!, dGamma!, dBeta!, stats!.mean, stats!.variance])
  return out
}

/** Σx, Σx², count and, for the backward exchange, Σdy, Σdy·x̂ over the whole batch in float64. */
function globalSums(x: Float32Array, dy: Float32Array, channels: number) {
  const count = x.length / channels
  const fwd = new Float64Array(2 * channels + 1)
  for (let i = 0; i < x.length; i++) {
    const c = i % channels
    fwd[c] = (fwd[c] as number) + (x[i] as number)
    fwd[channels + c] = (fwd[channels + c] as number) + (x[i] as number) ** 2
  }
  fwd[2 * channels] = count
  const bwd = new Float64Array(2 * channels)
  for (let i = 0; i < x.length; i++) {
    const c = i % channels
    const mean = (fwd[c] as number) / count
    const variance = (fwd[channels + c] as number) / count - mean * mean
    const xHat = ((x[i] as number) - mean) / Math.sqrt(variance + BN_EPSILON)
    bwd[c] = (bwd[c] as number) + (dy[i] as number)
    bwd[channels + c] = (bwd[channels + c] as number) + (dy[i] as number) * xHat
  }
  return { fwd, bwd }
}

const shapes: Shape4[] = [
  [4, 5, 3, 6],
  [2, 8, 8, 16],
  [6, 3, 7, 5],
]

describe.each([
  ['cpu', 'fused'],
  ['wasm', 'fused'],
  ['cpu', 'composite'],
])('batchNormTrain across replicas on %s (%s ops)', (backend, path) => {
  beforeAll(async () => {
    configureWasm()
    await tf.setBackend(backend)
    await tf.ready()
    impl = path === 'fused' ? batchNormTrain : batchNormTrainComposite
  })

  it.each(shapes)('two half batches equal one whole batch (%s×%s×%s×%s)', (...shape) => {
    const [n, h, w, c] = shape
    const per = h * w * c
    const seed = n * 1000 + h * 100 + w * 10 + c
    // An offset mean makes the variance sensitive to how the sums are combined.
    const x = uniformArray(n * per, seed, 0.5, 3)
    const gamma = uniformArray(c, seed + 1, 0.5, 1.5)
    const beta = uniformArray(c, seed + 2)
    const dy = uniformArray(n * per, seed + 3)
    const full = run(x, shape, gamma, beta, dy)
    const { fwd, bwd } = globalSums(x, dy, c)

    const half = n / 2
    const halfShape: Shape4 = [half, h, w, c]
    const parts = [0, 1].map((k) => {
      const rows = (a: Float32Array) => a.subarray(k * half * per, (k + 1) * half * per)
      const group = scriptedGroup([fwd, bwd])
      const result = run(rows(x), halfShape, gamma, beta, rows(dy), group)
      expect(group.sent.length).toBe(2)
      expect(relError(result.y, rows(full.y))).toBeLessThan(1e-4)
      expect(relError(result.dx, rows(full.dx))).toBeLessThan(1e-4)
      expect(relError(result.mean, full.mean)).toBeLessThan(1e-4)
      expect(relError(result.variance, full.variance)).toBeLessThan(1e-4)
      return { result, sent: group.sent }
    })
    const [a, b] = parts as [(typeof parts)[0], (typeof parts)[0]]
    // Each replica contributed its local sums: together they are the whole batch's.
    const sum = (p: Float64Array, q: Float64Array) => p.map((v, i) => v + (q[i] as number))
    expect(relError(sum(a.sent[0]!, b.sent[0]!), fwd)).toBeLessThan(1e-5)
    expect(relError(sum(a.sent[1]!, b.sent[1]!), bwd)).toBeLessThan(1e-4)
    // Parameter gradients are local: the halves add up to the whole batch's.
    expect(
      relError(
        sum(Float64Array.from(a.result.dGamma), Float64Array.from(b.result.dGamma)),
        full.dGamma,
      ),
    ).toBeLessThan(1e-4)
    expect(
      relError(
        sum(Float64Array.from(a.result.dBeta), Float64Array.from(b.result.dBeta)),
        full.dBeta,
      ),
    ).toBeLessThan(1e-4)
  })

  it('a group of one never exchanges and matches no group exactly', () => {
    const shape: Shape4 = [3, 4, 4, 5]
    const x = uniformArray(240, 1, -2, 2)
    const gamma = uniformArray(5, 2)
    const beta = uniformArray(5, 3)
    const dy = uniformArray(240, 4)
    const lonely: ReplicaGroup = {
      size: 1,
      allReduceSum: () => {
        throw new Error('a single replica must not exchange')
      },
    }
    const plain = run(x, shape, gamma, beta, dy)
    expect(run(x, shape, gamma, beta, dy, lonely)).toEqual(plain)
    expect(run(x, shape, gamma, beta, dy, singleReplica)).toEqual(plain)
  })

  it('leaks no tensors', () => {
    const shape: Shape4 = [2, 3, 3, 4]
    const x = uniformArray(72, 5)
    const dy = uniformArray(72, 6)
    const gamma = uniformArray(4, 7)
    const beta = uniformArray(4, 8)
    const { fwd, bwd } = globalSums(x, dy, 4)
    run(x, shape, gamma, beta, dy)
    const before = tf.memory().numTensors
    run(x, shape, gamma, beta, dy)
    run(x.subarray(0, 36), [1, 3, 3, 4], gamma, beta, dy.subarray(0, 36), scriptedGroup([fwd, bwd]))
    expect(tf.memory().numTensors).toBe(before)
  })
})
