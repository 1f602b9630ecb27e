import {
  backend_util,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { col2im, type ConvGeometry, im2col, patchCols, patchRows, transpose2d } from './im2col'

/**
 * Convolution gradients for tfjs-backend-wasm 4.22: it ships no Conv2DBackpropFilter at all, and its
 * Conv2DBackpropInput (also the forward pass of a transposed convolution) is a plain loop. Both are
 * rewritten as im2col/col2im in JS around the backend's own XNNPACK matmul, which is only fast for an
 * untransposed product with batch 1 — so the operands are laid out to need no transposes.
 */

interface ConvAttrs {
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

type Shape4 = [number, number, number, number]

function geometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  }
}

function convInfo(inShape: Shape4, filterShape: Shape4, attrs: ConvAttrs): backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('engine wasm kernels: only NHWC convolutions are supported (got NCHW)')
  }
  return backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  )
}

function wasmMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const kernel = getKernel('BatchMatMul', 'wasm')
  if (!kernel) throw new Error('engine wasm kernels: the wasm backend has no BatchMatMul kernel')
  const attrs = { transposeA: false, transposeB: false } as unknown as NamedAttrMap
  return kernel.kernelFunc({ inputs: { a, b }, backend, attrs }) as TensorInfo
}

function heap(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array
}

/** A view of a tensor's data under another shape; the matmul's own reshape handles refcounts. */
function as3d(t: TensorInfo, rows: number, cols: number): TensorInfo {
  return { dataId: t.dataId, shape: [1, rows, cols], dtype: t.dtype }
}

export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo }
  backend: BackendWasm
  attrs: ConvAttrs & { filterShape: Shape4 }
}): TensorInfo {
  const { inputs, backend, attrs } = args
  const { x, dy } = inputs
  const g = geometry(convInfo(x.shape as Shape4, attrs.filterShape, attrs))
  const rows = patchRows(g)
  const k = patchCols(g)
  // dWᵀ [outC, K] = dyᵀ [outC, P] · patches [P, K]: both operands are cheap to lay out this way
  // (a row-major im2col and a small transpose), where patchesᵀ would need a strided gather.
  const patches = backend.makeOutput([1, rows, k], 'float32')
  const dyT = backend.makeOutput([1, g.outC, rows], 'float32')
  // Views are taken after the allocations: growing the wasm heap detaches older views.
  im2col(heap(backend, x), g, heap(backend, patches))
  transpose2d(heap(backend, dy), rows, g.outC, heap(backend, dyT))
  const dWT = wasmMatMul(backend, dyT, patches)
  backend.disposeData(patches.dataId)
  backend.disposeData(dyT.dataId)
  const dW = backend.makeOutput([...attrs.filterShape], 'float32')
  transpose2d(heap(backend, dWT), g.outC, k, heap(backend, dW))
  backend.disposeData(dWT.dataId)
  return dW
}

export function conv2DBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo }
  backend: BackendWasm
  attrs: ConvAttrs & { inputShape: Shape4 }
}): TensorInfo {
  const { inputs, backend, attrs } = args
  const { dy, filter } = inputs
  const g = geometry(convInfo(attrs.inputShape, filter.shape as Shape4, attrs))
  const rows = patchRows(g)
  const k = patchCols(g)
  const filterT = backend.makeOutput([1, g.outC, k], 'float32')
  transpose2d(heap(backend, filter), k, g.outC, heap(backend, filterT))
  const patches = wasmMatMul(backend, as3d(dy, rows, g.outC), filterT)
  backend.disposeData(filterT.dataId)
  const dx = backend.makeOutput([...attrs.inputShape], 'float32')
  col2im(heap(backend, patches), g, heap(backend, dx))
  backend.disposeData(patches.dataId)
  return dx
}

export const wasmConvKernelConfigs: KernelConfig[] = [
  {
    kernelName: Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
  },
  {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
  },
]
