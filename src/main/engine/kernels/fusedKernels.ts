import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core'
import { affineLeaky, leakyMask, leakyMaskGrad } from './activationMath'
import {
  accumulateGradSums,
  accumulateMoments,
  gradInput,
  normalize,
  splitDoubles,
} from './batchNormMath'
import { type HostKernelSpec, type SimdCall } from './hostKernels'

/**
 * The engine's fused kernels (names, shapes, loops). The ops that call them live in ../ops and fall
 * back to composite tf ops on backends that have none of these registered.
 */

export const BN_MOMENTS = 'FaceStudioBatchNormMoments'
export const BN_NORMALIZE = 'FaceStudioBatchNormNormalize'
export const BN_GRAD_SUMS = 'FaceStudioBatchNormGradSums'
export const BN_GRAD_INPUT = 'FaceStudioBatchNormGradInput'
export const LEAKY_MASK = 'FaceStudioLeakyMask'
export const LEAKY_MASK_GRAD = 'FaceStudioLeakyMaskGrad'
export const AFFINE_LEAKY = 'FaceStudioAffineLeaky'

const channelsOf = (t: TensorInfo) => t.shape[t.shape.length - 1] as number
const sameAs = (name: string) => (inputs: Record<string, TensorInfo>) => [
  ...(inputs[name] as TensorInfo).shape,
]
const alphaOf = (attrs: NamedAttrMap) => attrs.alpha as number

/** Two per-channel float64 sums as [heads (2C), tails (2C)]: see splitDoubles. */
function twoSums(
  channels: number,
  out: Float32Array,
  fill: (a: Float64Array, b: Float64Array) => void,
) {
  const sums = new Float64Array(2 * channels)
  fill(sums.subarray(0, channels), sums.subarray(channels))
  splitDoubles(sums, out)
}

/**
 * Rows and channels of a per-channel SIMD kernel, from the size of x and of its coef rows; none
 * where the channels do not fill f32x4 lanes (the JS loop handles those).
 */
function lanes(call: SimdCall): { rows: number; channels: number } | undefined {
  const channels = call.channels
  if (channels % 4 !== 0 || channels === 0) return undefined
  return { rows: (call.sizes[0] as number) / channels, channels }
}

/** Runs an element-wise SIMD kernel over all of x's floats. */
function whole(call: SimdCall, run: (n: number, alpha: number) => void): boolean {
  run(call.sizes[0] as number, alphaOf(call.attrs))
  return true
}

export const fusedKernelSpecs: HostKernelSpec[] = [
  {
    // x → [Σx, Σx²] per channel (float64 split into two float32 rows).
    name: BN_MOMENTS,
    inputs: ['x'],
    outShape: (i) => [2, 2 * channelsOf(i.x as TensorInfo)],
    compute: ([x], out) => {
      const channels = out.length / 4
      twoSums(channels, out, (s, q) => accumulateMoments(x as Float32Array, channels, s, q))
    },
    simd: (call) => {
      const l = lanes(call)
      if (!l) return false
      const [x] = call.inputs as [number]
      call.kernels.batchNorm.bnMoments(
        x,
        l.rows,
        l.channels,
        call.scratch(4 * l.channels),
        call.out,
      )
      return true
    },
  },
  {
    name: BN_NORMALIZE,
    inputs: ['x', 'coef'],
    outShape: sameAs('x'),
    compute: ([x, coef], out) => normalize(x as Float32Array, coef as Float32Array, out),
    simd: (call) => {
      const l = lanes(call)
      if (!l) return false
      const [x, coef] = call.inputs as [number, number]
      call.kernels.batchNorm.bnNormalize(x, call.out, l.rows, l.channels, coef)
      return true
    },
  },
  {
    // (x, dy, [mean, σ⁻¹]) → [Σdy, Σdy·x̂] per channel, split like BN_MOMENTS.
    name: BN_GRAD_SUMS,
    inputs: ['x', 'dy', 'coef'],
    outShape: (i) => [2, 2 * channelsOf(i.x as TensorInfo)],
    compute: ([x, dy, coef], out) => {
      twoSums(out.length / 4, out, (s, q) =>
        accumulateGradSums(x as Float32Array, dy as Float32Array, coef as Float32Array, s, q),
      )
    },
    simd: (call) => {
      const l = lanes(call)
      if (!l) return false
      const [x, dy, coef] = call.inputs as [number, number, number]
      const acc = call.scratch(4 * l.channels)
      call.kernels.batchNorm.bnGradSums(x, dy, l.rows, l.channels, coef, acc, call.out)
      return true
    },
  },
  {
    name: BN_GRAD_INPUT,
    inputs: ['x', 'dy', 'coef'],
    outShape: sameAs('x'),
    compute: ([x, dy, coef], out) =>
      gradInput(x as Float32Array, dy as Float32Array, coef as Float32Array, out),
    simd: (call) => {
      const l = lanes(call)
      if (!l) return false
      const [x, dy, coef] = call.inputs as [number, number, number]
      call.kernels.batchNorm.bnGradInput(x, dy, call.out, l.rows, l.channels, coef)
      return true
    },
  },
  {
    name: LEAKY_MASK,
    inputs: ['x', 'mask'],
    optional: ['mask'],
    outShape: sameAs('x'),
    compute: ([x, mask], out, attrs) =>
      leakyMask(x as Float32Array, mask as Float32Array, alphaOf(attrs), out),
    simd: (call) => {
      const [x, mask] = call.inputs as [number, number]
      const k = call.kernels.activation
      return whole(call, (n, alpha) =>
        mask < 0 ? k.leaky(x, call.out, n, alpha) : k.leakyMask(x, mask, call.out, n, alpha),
      )
    },
  },
  {
    name: LEAKY_MASK_GRAD,
    inputs: ['x', 'mask', 'dy'],
    optional: ['mask'],
    outShape: sameAs('x'),
    compute: ([x, mask, dy], out, attrs) =>
      leakyMaskGrad(
        x as Float32Array,
        mask as Float32Array,
        dy as Float32Array,
        alphaOf(attrs),
        out,
      ),
    simd: (call) => {
      const [x, mask, dy] = call.inputs as [number, number, number]
      const k = call.kernels.activation
      return whole(call, (n, alpha) =>
        mask < 0
          ? k.leakyGrad(x, dy, call.out, n, alpha)
          : k.leakyMaskGrad(x, mask, dy, call.out, n, alpha),
      )
    },
  },
  {
    // Inference only (no gradient): x·scale + shift per channel, then LeakyReLU(α).
    name: AFFINE_LEAKY,
    inputs: ['x', 'coef'],
    outShape: sameAs('x'),
    compute: ([x, coef], out, attrs) =>
      affineLeaky(x as Float32Array, coef as Float32Array, alphaOf(attrs), out),
    simd: (call) => {
      const [x, coef] = call.inputs as [number, number]
      const k = call.kernels.activation
      const c = call.channels
      if (c === 0) return false
      const affine = c % 4 === 0 ? k.affineLeaky : k.affineLeakyAny
      affine(x, call.out, (call.sizes[0] as number) / c, c, coef, alphaOf(call.attrs))
      return true
    },
  },
]
