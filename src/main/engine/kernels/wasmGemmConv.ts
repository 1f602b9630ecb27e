import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { simdKernels } from './simd/simdKernels'
import { gemmActive } from './wasmGemm'

/** Output channels per register block of the fused multiply-add convolution. */
const GEMM_CONV_CHANNEL_BLOCK = 16

export interface GemmConvRequest {
  x: TensorInfo
  filter: TensorInfo
  bias?: TensorInfo
  info: backend_util.Conv2DInfo
  leaky: boolean
  alpha: number
}

/** The zero border that puts every tap of every output pixel inside the input. */
function paddedExtent(info: backend_util.Conv2DInfo): { Hp: number; Wp: number } {
  const needH = (info.outHeight - 1) * info.strideHeight + info.filterHeight
  const needW = (info.outWidth - 1) * info.strideWidth + info.filterWidth
  return {
    Hp: Math.max(info.padInfo.top + info.inHeight, needH),
    Wp: Math.max(info.padInfo.left + info.inWidth, needW),
  }
}

/** outH, outW, outC, kH, kW, strideH, strideW: the geometry both SIMD convolutions take. */
export function outputGeometryArgs(info: backend_util.Conv2DInfo): number[] {
  return [
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
  ]
}

/** No bias, or a float32 one with one value per output channel. */
export function biasFits(bias: TensorInfo | undefined, info: backend_util.Conv2DInfo): boolean {
  return (
    !bias ||
    (bias.dtype === 'float32' && bias.shape.reduce((a, b) => a * b, 1) === info.outChannels)
  )
}

/** Whether the fused multiply-add convolution can compute this one (NHWC, float32, no dilation). */
export function gemmConvApplies(backend: BackendWasm, r: GemmConvRequest): boolean {
  const { info, x, filter, bias } = r
  return (
    gemmActive(backend) &&
    info.dataFormat === 'channelsLast' &&
    info.outChannels % GEMM_CONV_CHANNEL_BLOCK === 0 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    biasFits(bias, info)
  )
}

/**
 * conv(x, filter) + bias, then LeakyReLU(α) if asked, as the fused multiply-add kernel: the input is
 * copied inside a zero border (skipped where none is needed), then multiplied as an implicit matrix
 * product. Callers check gemmConvApplies first.
 */
export function gemmConv(backend: BackendWasm, r: GemmConvRequest): TensorInfo {
  const k = simdKernels(backend)
  const gemm = k?.gemm
  if (!k || !gemm) throw new Error('engine: the fused multiply-add kernels are not loaded')
  const { info } = r
  const { Hp, Wp } = paddedExtent(info)
  const padded = Hp !== info.inHeight || Wp !== info.inWidth
  const xp = padded ? backend.makeOutput([info.batchSize, Hp, Wp, info.inChannels], 'float32') : r.x
  // Pointers are taken after every allocation: heap growth moves nothing, but views detach.
  if (padded) {
    gemm.pad(
      k.ptr(r.x),
      k.ptr(xp),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      Hp,
      Wp,
      info.padInfo.top,
      info.padInfo.left,
    )
  }
  const out = backend.makeOutput(info.outShape, 'float32')
  gemm.conv(
    k.ptr(xp),
    k.ptr(r.filter),
    r.bias ? k.ptr(r.bias) : 0,
    k.ptr(out),
    info.batchSize,
    Hp,
    Wp,
    info.inChannels,
    ...outputGeometryArgs(info),
    r.leaky ? 1 : 0,
    r.alpha,
  )
  if (padded) backend.disposeData(xp.dataId)
  return out
}
