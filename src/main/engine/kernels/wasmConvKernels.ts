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
import {
  col2im,
  type ConvGeometry,
  im2col,
  im2colTransposed,
  patchCols,
  patchRows,
  transpose2d,
} from './im2col'
import { DerivedCache } from './derivedCache'
import { fusedEnabled } from './switch'
import { simdKernels } from './simd/simdKernels'

/**
 * Convolution gradients for tfjs-backend-wasm 4.22: it ships no Conv2DBackpropFilter at all, and its
 * Conv2DBackpropInput (also the forward pass of a transposed convolution) is a plain loop. Both are
 * rewritten as im2col/col2im around one untransposed matrix product: the fused multiply-add kernel
 * where the runtime has relaxed SIMD, else the backend's XNNPACK matmul, which is only fast for an
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

/**
 * a [1, M, K] · b [1, K, N] through the registered BatchMatMul: the engine's wrapper (wasmMatMul.ts),
 * which runs the fused multiply-add kernel where loaded, else XNNPACK's.
 */
function wasmMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const kernel = getKernel('BatchMatMul', 'wasm')
  if (!kernel) throw new Error('engine wasm kernels: the wasm backend has no BatchMatMul kernel')
  const attrs = { transposeA: false, transposeB: false } as unknown as NamedAttrMap
  return kernel.kernelFunc({ inputs: { a, b }, backend, attrs }) as TensorInfo
}

function heap(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array
}

/** ConvGeometry as the SIMD kernels take it (outC, which they do not need, left out). */
function geometryArgs(g: ConvGeometry): number[] {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g
  return [batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft]
}

/** im2colTransposed of x into out, in the SIMD kernels where they run. */
function im2colTOnHeap(backend: BackendWasm, x: TensorInfo, g: ConvGeometry, out: TensorInfo) {
  const k = simdKernels(backend)
  if (k) k.im2col.im2colT(k.ptr(x), k.ptr(out), ...geometryArgs(g))
  else im2colTransposed(heap(backend, x), g, heap(backend, out))
}

/** col2im of cols into dx, in the SIMD kernels where they run. */
function col2imOnHeap(backend: BackendWasm, cols: TensorInfo, g: ConvGeometry, dx: TensorInfo) {
  const k = simdKernels(backend)
  if (k) k.im2col.col2im(k.ptr(cols), k.ptr(dx), ...geometryArgs(g))
  else col2im(heap(backend, cols), g, heap(backend, dx))
}

/** A view of a tensor's data under another shape; the matmul's own reshape handles refcounts. */
function as3d(t: TensorInfo, rows: number, cols: number): TensorInfo {
  return { dataId: t.dataId, shape: [1, rows, cols], dtype: t.dtype }
}

/** A kernel function's arguments on the wasm backend. */
interface WasmKernelArgs<Inputs, Attrs> {
  inputs: Inputs
  backend: BackendWasm
  attrs: Attrs
}

export function conv2DBackpropFilterWasm(
  args: WasmKernelArgs<{ x: TensorInfo; dy: TensorInfo }, ConvAttrs & { filterShape: Shape4 }>,
): TensorInfo {
  const { inputs, backend, attrs } = args
  const { x, dy } = inputs
  const g = geometry(convInfo(x.shape as Shape4, attrs.filterShape, attrs))
  const rows = patchRows(g)
  const k = patchCols(g)
  // dW [K, outC] = patchesᵀ [K, P] · dy [P, outC]: the result is already the filter's layout, dy is
  // used in place, and the matmul packs only dy (the small operand) as its "weights".
  if (!fusedEnabled()) return conv2DBackpropFilterBaseline(backend, x, dy, g, attrs.filterShape)
  const patchesT = backend.makeOutput([1, k, rows], 'float32')
  // Views are taken after the allocation: growing the wasm heap detaches older views.
  im2colTOnHeap(backend, x, g, patchesT)
  const dW = wasmMatMul(backend, patchesT, as3d(dy, rows, g.outC))
  backend.disposeData(patchesT.dataId)
  dW.shape = [...attrs.filterShape]
  return dW
}

/** The earlier layout, dWᵀ = dyᵀ · patches, kept for FACE_STUDIO_FUSED=0 comparisons. */
function conv2DBackpropFilterBaseline(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  filterShape: Shape4,
): TensorInfo {
  const rows = patchRows(g)
  const k = patchCols(g)
  const patches = backend.makeOutput([1, rows, k], 'float32')
  const dyT = backend.makeOutput([1, g.outC, rows], 'float32')
  im2col(heap(backend, x), g, heap(backend, patches))
  transpose2d(heap(backend, dy), rows, g.outC, heap(backend, dyT))
  const dWT = wasmMatMul(backend, dyT, patches)
  backend.disposeData(patches.dataId)
  backend.disposeData(dyT.dataId)
  const dW = backend.makeOutput([...filterShape], 'float32')
  transpose2d(heap(backend, dWT), g.outC, k, heap(backend, dW))
  backend.disposeData(dWT.dataId)
  return dW
}

const filterCaches = new WeakMap<BackendWasm, DerivedCache>()

/**
 * Filters transposed to [outC, K], reused while the filter tensor lives: at inference (decode of one
 * face) the transpose and XNNPACK's weight packing otherwise cost as much as the product itself.
 */
function transposedFilters(backend: BackendWasm): DerivedCache {
  let cache = filterCaches.get(backend)
  if (!cache) {
    cache = new DerivedCache(16, (t) => backend.disposeData(t.dataId))
    filterCaches.set(backend, cache)
  }
  return cache
}

export function conv2DBackpropInputWasm(
  args: WasmKernelArgs<{ dy: TensorInfo; filter: TensorInfo }, ConvAttrs & { inputShape: Shape4 }>,
): TensorInfo {
  const { inputs, backend, attrs } = args
  const { dy, filter } = inputs
  const g = geometry(convInfo(attrs.inputShape, filter.shape as Shape4, attrs))
  const rows = patchRows(g)
  const k = patchCols(g)
  const transpose = () => {
    const t = backend.makeOutput([1, g.outC, k], 'float32')
    transpose2d(heap(backend, filter), k, g.outC, heap(backend, t))
    return t
  }
  const cached = fusedEnabled()
  const filterT = cached ? transposedFilters(backend).get(filter, transpose) : transpose()
  const patches = wasmMatMul(backend, as3d(dy, rows, g.outC), filterT)
  if (!cached) backend.disposeData(filterT.dataId)
  const dx = backend.makeOutput([...attrs.inputShape], 'float32')
  col2imOnHeap(backend, patches, g, dx)
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
