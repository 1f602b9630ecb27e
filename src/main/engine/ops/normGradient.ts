import * as tf from '@tensorflow/tfjs-core'

/** What a batch norm's forward pass returns: y, and dx, dγ, dβ from dy and the saved tensors. */
export interface NormForward {
  value: tf.Tensor4D
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[]
}

/**
 * A batch norm of x with its own gradient: `forward` sees x, γ and β as tensors and saves, through
 * `save`, what its gradient will read back.
 */
export function normWithGradient(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  forward: (
    x: tf.Tensor4D,
    gamma: tf.Tensor1D,
    beta: tf.Tensor1D,
    save: (tensors: tf.Tensor[]) => void,
  ) => NormForward,
): tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, g, b, save] = args as [
      tf.Tensor4D,
      tf.Tensor1D,
      tf.Tensor1D,
      (tensors: tf.Tensor[]) => void,
    ]
    return forward(xi, g, b, save)
  })
  return op(x, gamma, beta) as tf.Tensor4D
}
