import { tf } from '../tf'
import { BN_EPSILON, type BatchStats, batchNormTrain } from './batchNorm'
import { bottleneckSide, type ModelConfig } from './config'
import { type LayerNames, type ModelLayout, type Params, param } from './params'
import type { ReplicaGroup } from './replicas'
import { batchDropoutMask } from './rng'
import { simdDropoutFill } from '../kernels/simd/dropoutMask'
import { leakyReluMasked } from '../ops/leakyMask'
import { biasAddInfer, convNormActInfer, normActInfer, type NormParams } from '../ops/inferNormAct'

export interface NormStats extends BatchStats {
  movingMean: string
  movingVariance: string
  /** Positions per image the statistics pool over (H·W); times the batch size gives their count. */
  pixelsPerImage: number
}

/** The VAE forward passes, built from plain tfjs ops so one code path serves every backend. */

export interface ForwardMode {
  training: boolean
  /** Base seed for this pass's dropout masks (training only). */
  dropoutSeed?: number
  /** Collects each training-mode batch norm's statistics with the moving averages they feed. */
  stats?: NormStats[]
  /**
   * Data-parallel training: the replicas sharing one global batch, whose batch-norm statistics are
   * summed across the group. Absent = this pass sees the whole batch.
   */
  replicas?: ReplicaGroup
  /** Index in the global batch of this pass's first image (seeds its dropout masks); default 0. */
  imageOffset?: number
}

function normParams(params: Params, bn: NonNullable<LayerNames['bn']>): NormParams {
  const p = (name: string) => param(params, name) as unknown as tf.Tensor1D
  return { gamma: p(bn.gamma), beta: p(bn.beta), mean: p(bn.mean), variance: p(bn.variance) }
}

function normAct(
  x: tf.Tensor4D,
  names: LayerNames,
  params: Params,
  m: ModelConfig,
  mode: ForwardMode,
  layer: number,
): tf.Tensor4D {
  const bn = names.bn
  if (!mode.training) {
    return bn
      ? normActInfer(x, normParams(params, bn), m.leakyAlpha, BN_EPSILON)
      : tf.leakyRelu(x, m.leakyAlpha)
  }
  let y = x
  if (bn) {
    const gamma = param(params, bn.gamma) as unknown as tf.Tensor1D
    const beta = param(params, bn.beta) as unknown as tf.Tensor1D
    y = batchNormTrain(
      y,
      gamma,
      beta,
      (s) =>
        mode.stats?.push({
          ...s,
          movingMean: bn.mean,
          movingVariance: bn.variance,
          pixelsPerImage: y.shape[1] * y.shape[2],
        }),
      mode.replicas,
    )
  }
  if (m.dropout > 0) {
    const [n, h, w, c] = y.shape
    const mask = batchDropoutMask(
      n,
      h * w * c,
      m.dropout,
      mode.dropoutSeed ?? 0,
      layer,
      mode.imageOffset ?? 0,
      simdDropoutFill() ?? undefined,
    )
    return leakyReluMasked(y, m.leakyAlpha, tf.tensor(mask, y.shape))
  }
  return leakyReluMasked(y, m.leakyAlpha)
}

function dense(x: tf.Tensor2D, names: LayerNames, params: Params): tf.Tensor2D {
  const w = param(params, names.kernel) as unknown as tf.Tensor2D
  const y: tf.Tensor2D = tf.matMul(x, w)
  return names.bias ? tf.add<tf.Tensor2D>(y, param(params, names.bias)) : y
}

export function encodeForward(
  images: tf.Tensor4D,
  params: Params,
  layout: ModelLayout,
  m: ModelConfig,
  mode: ForwardMode,
): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
  let h = images
  layout.encoderConvs.forEach((names, i) => {
    const w = param(params, names.kernel) as unknown as tf.Tensor4D
    h =
      !mode.training && names.bn
        ? convNormActInfer(h, w, 2, 'same', normParams(params, names.bn), m.leakyAlpha, BN_EPSILON)
        : normAct(tf.conv2d(h, w, 2, 'same'), names, params, m, mode, i)
  })
  const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D
  return { mu: dense(flat, layout.mu, params), logVar: dense(flat, layout.logVar, params) }
}

/** Returns pixel values in [0, 1], NHWC. */
export function decodeForward(
  z: tf.Tensor2D,
  params: Params,
  layout: ModelLayout,
  m: ModelConfig,
  mode: ForwardMode,
): tf.Tensor4D {
  const n = z.shape[0]
  let side = bottleneckSide(m)
  const lastEncoder = m.encoderFilters[m.encoderFilters.length - 1] as number
  let h = tf.reshape(dense(z, layout.decoderDense, params), [
    n,
    side,
    side,
    lastEncoder,
  ]) as tf.Tensor4D
  const offset = layout.encoderConvs.length
  layout.decoderConvs.forEach((names, i) => {
    const w = param(params, names.kernel) as unknown as tf.Tensor4D
    side *= 2
    const outC = w.shape[2]
    h = tf.conv2dTranspose(h, w, [n, side, side, outC], 2, 'same')
    if (names.bias) {
      const bias = param(params, names.bias) as unknown as tf.Tensor1D
      h = mode.training ? tf.add(h, bias) : biasAddInfer(h, bias)
    }
    if (i < layout.decoderConvs.length - 1) h = normAct(h, names, params, m, mode, offset + i)
  })
  return tf.sigmoid(h)
}

/** z = μ + σ·ε with ε drawn from the given seed, scaled by the temperature. */
export function reparameterize(
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  seed: number,
  temperature = 1,
): tf.Tensor2D {
  const eps = tf.randomNormal(mu.shape, 0, temperature, 'float32', seed)
  return tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps))
}
