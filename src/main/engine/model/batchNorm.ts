import { tf } from '../tf'

export const BN_EPSILON = 1e-3
export const BN_MOMENTUM = 0.99

export interface BatchStats {
  mean: tf.Tensor1D
  variance: tf.Tensor1D
}

/**
 * Training-mode batch norm over N,H,W with a hand-written gradient. tfjs' own FusedBatchNorm gradient
 * tiles the per-channel terms to the full activation shape; the closed form below only broadcasts.
 * The batch statistics are handed to `onStats` (kept) so the caller can update moving averages.
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  onStats: (stats: BatchStats) => void,
): tf.Tensor4D {
  const count = x.shape[0] * x.shape[1] * x.shape[2]
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, g, b, save] = args as [
      tf.Tensor4D,
      tf.Tensor1D,
      tf.Tensor1D,
      (tensors: tf.Tensor[]) => void,
    ]
    const { mean, variance } = tf.moments(xi, [0, 1, 2])
    const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON))
    const xHat = tf.mul(tf.sub(xi, mean), invStd)
    const y = tf.add(tf.mul(xHat, g), b) as tf.Tensor4D
    onStats({ mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D })
    save([xHat, invStd, g])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxHat, sInvStd, sGamma] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D]
        const dBeta = tf.sum(dy, [0, 1, 2])
        const dGamma = tf.sum(tf.mul(dy, sxHat), [0, 1, 2])
        // dx = γ·σ⁻¹/m · (m·dy − Σdy − x̂·Σ(dy·x̂))
        const scale = tf.div(tf.mul(sGamma, sInvStd), count)
        const inner = tf.sub(tf.sub(tf.mul(dy, count), dBeta), tf.mul(sxHat, dGamma))
        return [tf.mul(inner, scale), dGamma, dBeta]
      },
    }
  })
  return op(x, gamma, beta) as tf.Tensor4D
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
