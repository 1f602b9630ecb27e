import * as tf from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { AFFINE_LEAKY } from '../kernels/fusedKernels'
import { simdKernels } from '../kernels/simd/simdKernels'
import { gemmActive } from '../kernels/wasmGemm'
import { MAX_DIRECT_IN_CHANNELS } from '../kernels/wasmConvForward'
import { canRunFused } from './fusedRegistry'

/** Inference-mode batch-norm parameters of one layer (the moving statistics). */
export interface NormParams {
  gamma: tf.Tensor1D
  beta: tf.Tensor1D
  mean: tf.Tensor1D
  variance: tf.Tensor1D
}

/** Per-channel scale γ/√(σ²+ε) and shift β − μ·scale, in float64. */
function foldNorm(p: NormParams, epsilon: number): { scale: Float64Array; shift: Float64Array } {
  const gamma = p.gamma.dataSync()
  const beta = p.beta.dataSync()
  const mean = p.mean.dataSync()
  const variance = p.variance.dataSync()
  const scale = new Float64Array(gamma.length)
  const shift = new Float64Array(gamma.length)
  for (let c = 0; c < gamma.length; c++) {
    const s = (gamma[c] as number) / Math.sqrt((variance[c] as number) + epsilon)
    scale[c] = s
    shift[c] = (beta[c] as number) - (mean[c] as number) * s
  }
  return { scale, shift }
}

function affine(x: tf.Tensor4D, scale: ArrayLike<number>, shift: ArrayLike<number>, alpha: number) {
  const channels = scale.length
  const coef = new Float32Array(2 * channels)
  for (let c = 0; c < channels; c++) {
    coef[c] = scale[c] as number
    coef[channels + c] = shift[c] as number
  }
  return tf
    .engine()
    .runKernel(
      AFFINE_LEAKY,
      { x, coef: tf.tensor2d(coef, [2, channels]) },
      { alpha },
    ) as tf.Tensor4D
}

/** Inference batch norm with the moving statistics, then LeakyReLU(α): one pass where fused. */
export function normActInfer(
  x: tf.Tensor4D,
  p: NormParams,
  alpha: number,
  epsilon: number,
): tf.Tensor4D {
  if (!canRunFused(AFFINE_LEAKY)) {
    return tf.leakyRelu(tf.batchNorm4d(x, p.mean, p.variance, p.beta, p.gamma, epsilon), alpha)
  }
  const { scale, shift } = foldNorm(p, epsilon)
  return affine(x, scale, shift, alpha)
}

/** x + bias over the last axis (inference): the stock broadcasting Add is slow on wasm. */
export function biasAddInfer(x: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  if (!canRunFused(AFFINE_LEAKY)) return tf.add(x, bias)
  const shift = bias.dataSync()
  return affine(x, new Float32Array(shift.length).fill(1), shift, 1)
}

/** Whether the active backend runs the wasm SIMD kernels. */
function simdActive(): boolean {
  return tf.getBackend() === 'wasm' && simdKernels(tf.backend() as BackendWasm) !== null
}

/** Whether the active backend's convolutions run as the fused multiply-add kernels. */
function fmaConvActive(): boolean {
  return tf.getBackend() === 'wasm' && gemmActive(tf.backend() as BackendWasm)
}

/**
 * conv2d → inference batch norm → LeakyReLU as one fused convolution: the norm's scale is folded
 * into the filter's output channels and its shift becomes the bias. With the wasm SIMD kernels but
 * no fused multiply-add ones, a wide input instead takes the stock plain convolution and one SIMD
 * pass for norm and activation, which beats the stock fused kernel's own activation pass; a narrow
 * one (RGB) keeps the fused form, which runs as the direct SIMD convolution.
 */
export function convNormActInfer(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number,
  pad: 'same' | 'valid',
  p: NormParams,
  alpha: number,
  epsilon: number,
): tf.Tensor4D {
  if (
    !canRunFused(AFFINE_LEAKY) ||
    (x.shape[3] > MAX_DIRECT_IN_CHANNELS && simdActive() && !fmaConvActive())
  ) {
    return normActInfer(tf.conv2d(x, filter, strides, pad), p, alpha, epsilon)
  }
  const { folded, shift } = foldedFilter(filter, p, epsilon)
  return tf.fused.conv2d({
    x,
    filter: tf.tensor4d(folded, filter.shape),
    strides,
    pad,
    bias: tf.tensor1d(shift),
    activation: 'leakyrelu',
    leakyreluAlpha: alpha,
  })
}

interface FoldedFilter {
  sources: object[]
  epsilon: number
  folded: Float32Array
  shift: Float32Array
}

/**
 * Folded filters and shifts as plain arrays, per filter buffer: tfjs never writes into a buffer (a
 * variable's assign swaps in a new one), so the entry is valid while the filter's and the norm's
 * buffers are the same ones, and it goes with the filter's buffer. Encoding a dataset folds once
 * instead of once per batch and thread (a read-back of every filter and norm each time).
 */
const foldedFilters = new WeakMap<object, FoldedFilter>()

function foldedFilter(filter: tf.Tensor4D, p: NormParams, epsilon: number): FoldedFilter {
  const sources = [p.gamma, p.beta, p.mean, p.variance].map((t) => t.dataId)
  const hit = foldedFilters.get(filter.dataId)
  if (
    hit &&
    hit.epsilon === epsilon &&
    hit.folded.length === filter.size &&
    hit.sources.every((s, i) => s === sources[i])
  ) {
    return hit
  }
  const { scale, shift } = foldNorm(p, epsilon)
  const w = filter.dataSync()
  const outC = scale.length
  const folded = new Float32Array(w.length)
  for (let i = 0; i < w.length; i++) folded[i] = (w[i] as number) * (scale[i % outC] as number)
  const entry = { sources, epsilon, folded, shift: Float32Array.from(shift) }
  foldedFilters.set(filter.dataId, entry)
  return entry
}
