import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { simdKernels } from './simd/simdKernels'
import { biasFits, gemmConv, gemmConvApplies, outputGeometryArgs } from './wasmGemmConv'

/**
 * Forward convolutions on wasm. Where the runtime has relaxed SIMD, the fused multiply-add kernel
 * (wasmGemmConv) takes every one with output channels in blocks of 16. Without it, FusedConv2D (bias,
 * LeakyReLU) on inputs with at most this many channels (the encoder's first layer, on RGB) runs as
 * the direct SIMD convolution, where the stock kernel is slower; the stock plain
 * Conv2D is faster than the direct one, so it keeps it.
 */
export const MAX_DIRECT_IN_CHANNELS = 4

interface ConvArgs {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: unknown }
  backend: BackendWasm
  attrs: NamedAttrMap & {
    strides: number | [number, number]
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
    dataFormat?: 'NHWC' | 'NCHW'
    dilations?: number | [number, number]
    dimRoundingMode?: 'floor' | 'round' | 'ceil'
    activation?: string
    leakyreluAlpha?: number
  }
}

/**
 * The engine's convolution of a Conv2D or FusedConv2D call, or undefined where none applies (the
 * stock kernel runs): the fused multiply-add one where the runtime has it, else, for RGB inputs of
 * a fused call, the direct one.
 */
function engineConv(args: ConvArgs, fused: boolean): TensorInfo | undefined {
  const { inputs, backend, attrs } = args
  const { x, filter, bias } = inputs
  const activation = attrs.activation ?? 'linear'
  if (
    (activation !== 'linear' && activation !== 'leakyrelu') ||
    inputs.preluActivationWeights ||
    attrs.dataFormat === 'NCHW' ||
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32'
  ) {
    return undefined
  }
  const k = simdKernels(backend)
  if (!k) return undefined
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  )
  const leaky = activation === 'leakyrelu'
  const alpha = attrs.leakyreluAlpha ?? 0.2
  const request = { x, filter, bias, info, leaky, alpha }
  if (gemmConvApplies(backend, request)) return gemmConv(backend, request)
  if (
    !fused ||
    info.inChannels > MAX_DIRECT_IN_CHANNELS ||
    info.outChannels % 16 !== 0 ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1 ||
    !biasFits(bias, info)
  ) {
    return undefined
  }
  const out = backend.makeOutput(info.outShape, 'float32')
  k.conv.convDirect(
    k.ptr(x),
    k.ptr(filter),
    bias ? k.ptr(bias) : 0,
    k.ptr(out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    ...outputGeometryArgs(info),
    info.padInfo.top,
    info.padInfo.left,
    leaky ? 1 : 0,
    alpha,
  )
  return out
}

/** Wraps the stock Conv2D or FusedConv2D: the engine's convolution where one applies, else stock. */
export function wrapConvForward(stockConfig: KernelConfig): KernelConfig {
  const stock = stockConfig.kernelFunc
  const fused = stockConfig.kernelName === 'FusedConv2D'
  const kernelFunc = (args: ConvArgs): TensorInfo =>
    engineConv(args, fused) ?? (stock(args as never) as TensorInfo)
  return {
    kernelName: stockConfig.kernelName,
    backendName: 'wasm',
    // The stock setupFunc (its cwrap) runs when the backend initialises.
    setupFunc: stockConfig.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  }
}
