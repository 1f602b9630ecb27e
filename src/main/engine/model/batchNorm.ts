import { tf } from '../tf'
import { batchNormTrainFused, canFuseBatchNorm } from '../ops/batchNormFused'
import { normWithGradient } from '../ops/normGradient'
import { isShared, packSums, type ReplicaGroup, statsFromSums } from './replicas'

export const BN_EPSILON = 1e-3
export const BN_MOMENTUM = 0.99

/**
 * Bessel's factor m/(m−1) for a batch variance pooled over m values. Keras (TensorFlow's batch norm)
 * feeds the unbiased variance to the moving average; the normalisation itself uses the biased one.
 */
export function unbiasedVarianceFactor(count: number): number {
  return count > 1 ? count / (count - 1) : 1
}

export interface BatchStats {
  mean: tf.Tensor1D
  variance: tf.Tensor1D
}

/** A training-mode batch norm of x by γ and β, handing its batch statistics to `onStats`. */
export type BatchNormTrain = (
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  onStats: (stats: BatchStats) => void,
  group?: ReplicaGroup,
) => tf.Tensor4D

/**
 * Training-mode batch norm over N,H,W with a hand-written gradient. tfjs' own FusedBatchNorm gradient
 * tiles the per-channel terms to the full activation shape; the closed form below only broadcasts.
 * The batch statistics are handed to `onStats` (kept) so the caller can update moving averages.
 *
 * With a replica group of more than one, `x` is this replica's slice of the global batch: the
 * statistics and the gradient's per-channel sums are summed over the group (one allReduceSum each
 * way) so every replica normalises as one batch would. dGamma/dBeta stay local (the caller sums
 * parameter gradients across replicas).
 */
export const batchNormTrain: BatchNormTrain = (x, gamma, beta, onStats, group) => {
  if (!canFuseBatchNorm()) return batchNormTrainComposite(x, gamma, beta, onStats, group)
  const keep1d = (v: Float64Array) => tf.keep(tf.tensor1d(Float32Array.from(v)))
  return batchNormTrainFused(
    x,
    gamma,
    beta,
    BN_EPSILON,
    (mean, variance) => onStats({ mean: keep1d(mean), variance: keep1d(variance) }),
    group,
  )
}

/** batchNormTrain from stock tf ops, for backends without the fused kernels. */
export const batchNormTrainComposite: BatchNormTrain = (x, gamma, beta, onStats, group) => {
  const localCount = x.shape[0] * x.shape[1] * x.shape[2]
  const channels = x.shape[3]
  let count = localCount
  return normWithGradient(x, gamma, beta, (xi, g, b, save) => {
    let mean: tf.Tensor1D
    let variance: tf.Tensor1D
    if (isShared(group)) {
      const sum = tf.sum(xi, [0, 1, 2]).dataSync()
      const sumSq = tf.sum(tf.square(xi), [0, 1, 2]).dataSync()
      const global = statsFromSums(group.allReduceSum(packSums(sum, sumSq, localCount)), channels)
      count = global.count
      mean = tf.tensor1d(Float32Array.from(global.mean))
      variance = tf.tensor1d(Float32Array.from(global.variance))
    } else {
      ;({ mean, variance } = tf.moments(xi, [0, 1, 2]) as BatchStats)
    }
    const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON))
    const xHat = tf.mul(tf.sub(xi, mean), invStd)
    const y = tf.add(tf.mul(xHat, g), b) as tf.Tensor4D
    onStats({ mean: tf.keep(mean), variance: tf.keep(variance) })
    save([xHat, invStd, g])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxHat, sInvStd, sGamma] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D]
        const dBeta = tf.sum(dy, [0, 1, 2])
        const dGamma = tf.sum(tf.mul(dy, sxHat), [0, 1, 2])
        let sumDy: tf.Tensor = dBeta
        let sumDyXHat: tf.Tensor = dGamma
        if (isShared(group)) {
          const local = new Float64Array(2 * channels)
          local.set(dBeta.dataSync())
          local.set(dGamma.dataSync(), channels)
          const global = group.allReduceSum(local)
          sumDy = tf.tensor1d(Float32Array.from(global.subarray(0, channels)))
          sumDyXHat = tf.tensor1d(Float32Array.from(global.subarray(channels, 2 * channels)))
        }
        // dx = γ·σ⁻¹/m · (m·dy − Σdy − x̂·Σ(dy·x̂)), the sums and m over the global batch
        const scale = tf.div(tf.mul(sGamma, sInvStd), count)
        const inner = tf.sub(tf.sub(tf.mul(dy, count), sumDy), tf.mul(sxHat, sumDyXHat))
        return [tf.mul(inner, scale), dGamma, dBeta]
      },
    }
  })
}

/** Inference-mode batch norm with the moving statistics. */
export function batchNormInfer(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
): tf.Tensor4D {
  return tf.batchNorm4d(x, mean, variance, beta, gamma, BN_EPSILON)
}
