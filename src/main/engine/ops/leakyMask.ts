import * as tf from '@tensorflow/tfjs-core'
import { LEAKY_MASK, LEAKY_MASK_GRAD } from '../kernels/fusedKernels'
import { canRunFused } from './fusedRegistry'

let gradientRegistered = false

function registerGradient(): void {
  if (gradientRegistered) return
  tf.registerGradient({
    kernelName: LEAKY_MASK,
    inputsToSave: ['x', 'mask'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mask] = saved as [tf.Tensor, tf.Tensor]
      const alpha = (attrs as { alpha: number }).alpha
      return {
        x: () => tf.engine().runKernel(LEAKY_MASK_GRAD, { x, mask, dy: dy as tf.Tensor }, attrs),
        // The mask is a constant in training; this is here for completeness, not speed.
        mask: () => tf.mul(dy as tf.Tensor, tf.leakyRelu(x, alpha)),
      }
    },
  })
  gradientRegistered = true
}

/**
 * leakyRelu(x, α) multiplied by an inverted-dropout mask of x's shape (absent: no dropout). One pass
 * forward and one backward where the backend has the fused kernels; composite ops elsewhere.
 */
export function leakyReluMasked<T extends tf.Tensor>(x: T, alpha: number, mask?: tf.Tensor): T {
  if (mask && mask.size !== x.size) {
    throw new Error(`leakyReluMasked: mask of ${mask.size} values for a tensor of ${x.size}`)
  }
  if (!canRunFused(LEAKY_MASK, LEAKY_MASK_GRAD)) {
    return mask ? tf.mul(tf.leakyRelu(x, alpha), mask) : tf.leakyRelu(x, alpha)
  }
  if (!mask) return leakyReluFused(x, alpha)
  registerGradient()
  return tf.engine().runKernel(LEAKY_MASK, { x, mask }, { alpha }) as T
}

/**
 * LeakyReLU through the fused kernels without a mask: tfjs's own LeakyRelu gradient takes three passes
 * (compare, multiply, select). A custom gradient, because the registered one saves a mask.
 */
function leakyReluFused<T extends tf.Tensor>(x: T, alpha: number): T {
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, save] = args as [tf.Tensor, (tensors: tf.Tensor[]) => void]
    save([input])
    return {
      value: tf.engine().runKernel(LEAKY_MASK, { x: input }, { alpha }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf
          .engine()
          .runKernel(LEAKY_MASK_GRAD, { x: saved[0] as tf.Tensor, dy }, { alpha }) as tf.Tensor,
    }
  })
  return op(x) as T
}
