import * as tf from '@tensorflow/tfjs-core'
import { BN_GRAD_INPUT, BN_GRAD_SUMS, BN_MOMENTS, BN_NORMALIZE } from '../kernels/fusedKernels'
import { joinDoubles } from '../kernels/batchNormMath'
import { isShared, packSums, type ReplicaGroup, statsFromSums } from '../model/replicas'
import { canRunFused } from './fusedRegistry'
import { normWithGradient } from './normGradient'

export const BATCH_NORM_KERNELS = [BN_MOMENTS, BN_NORMALIZE, BN_GRAD_SUMS, BN_GRAD_INPUT]

/** Whether batchNormTrainFused can run on the active backend. */
export function canFuseBatchNorm(): boolean {
  return canRunFused(...BATCH_NORM_KERNELS)
}

function run(kernel: string, inputs: tf.NamedTensorMap): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, {}) as tf.Tensor
}

function rows(values: ArrayLike<number>[], channels: number): tf.Tensor2D {
  const out = new Float32Array(values.length * channels)
  values.forEach((v, r) => {
    for (let c = 0; c < channels; c++) out[r * channels + c] = v[c] as number
  })
  return tf.tensor2d(out, [values.length, channels])
}

/**
 * Training-mode batch norm over N,H,W in four streaming kernels: per-channel sums (float64), then
 * normalise; backward per-channel Σdy and Σdy·x̂, then dx. With a shared replica group, each
 * direction's sums go through one allReduceSum ([Σx, Σx², count], then [Σdy, Σdy·x̂]); dGamma and
 * dBeta stay this replica's own.
 */
export function batchNormTrainFused(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: Float64Array, variance: Float64Array) => void,
  group?: ReplicaGroup,
): tf.Tensor4D {
  const channels = x.shape[3]
  const localCount = x.size / channels
  return normWithGradient(x, gamma, beta, (xi, g, b, save) => {
    const moments = joinDoubles(run(BN_MOMENTS, { x: xi }).dataSync())
    const local = packSums(moments.subarray(0, channels), moments.subarray(channels), localCount)
    const { mean, variance, count } = statsFromSums(
      isShared(group) ? group.allReduceSum(local) : local,
      channels,
    )
    const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon))
    const gammaValues = g.dataSync()
    const scale = invStd.map((s, c) => s * (gammaValues[c] as number))
    const y = run(BN_NORMALIZE, { x: xi, coef: rows([mean, scale, b.dataSync()], channels) })
    onStats(mean, variance)
    save([xi])
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx] = saved as [tf.Tensor4D]
        const sums = joinDoubles(
          run(BN_GRAD_SUMS, { x: sx, dy, coef: rows([mean, invStd], channels) }).dataSync(),
        )
        const dBeta = tf.tensor1d(Float32Array.from(sums.subarray(0, channels)))
        const dGamma = tf.tensor1d(Float32Array.from(sums.subarray(channels)))
        const global = isShared(group) ? group.allReduceSum(sums) : sums
        // dx = γσ⁻¹/m·(m·dy − Σdy − x̂·Σdy·x̂) = a·dy − b − (x − mean)·e, sums and m global.
        const b = scale.map((a, c) => (a * (global[c] as number)) / count)
        const e = scale.map(
          (a, c) => (a * (invStd[c] as number) * (global[channels + c] as number)) / count,
        )
        const dx = run(BN_GRAD_INPUT, { x: sx, dy, coef: rows([mean, scale, b, e], channels) })
        return [dx, dGamma, dBeta]
      },
    }
  })
}
