import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { transpose2d } from './im2col'
import { gemmActive, gemmProduct } from './wasmGemm'

/** The last two dimensions of a matrix operand. */
function rowsCols(t: TensorInfo): [number, number] {
  return [t.shape[t.shape.length - 2] as number, t.shape[t.shape.length - 1] as number]
}

/** The product's shape as the stock kernel gives it: a leading 1 for 3-D operands. */
function productShape(a: TensorInfo, b: TensorInfo, m: number, n: number): number[] {
  return a.shape.length > 2 || b.shape.length > 2 ? [1, m, n] : [m, n]
}

/**
 * A·Bᵀ as (B·Aᵀ)ᵀ: transposing the few rows of A and of the product instead of all of B. A dense
 * layer's input gradient, dy [batch, out] · Wᵀ, would otherwise transpose the whole weight matrix
 * on every step, a cost that does not shrink with the batch.
 */
function swappedProduct(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  M: number,
  N: number,
  K: number,
): TensorInfo {
  const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array
  const aT = backend.makeOutput([1, K, M], 'float32')
  transpose2d(heap(a), M, K, heap(aT))
  const productT = gemmProduct(backend, b, aT, { M: N, N: M, K, transposeA: false })
  backend.disposeData(aT.dataId)
  const out = backend.makeOutput(productShape(a, b, M, N), 'float32')
  transpose2d(heap(productT), N, M, heap(out))
  backend.disposeData(productT.dataId)
  return out
}

/**
 * A batch-1 product on the fused multiply-add kernel: Aᵀ is read in place through strides; for Bᵀ
 * either B or, when that moves fewer values, A and the product are transposed.
 */
function gemmMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  attrs: { transposeA: boolean; transposeB: boolean },
): TensorInfo {
  const [ar, ac] = rowsCols(a)
  const [br, bc] = rowsCols(b)
  const [M, K] = attrs.transposeA ? [ac, ar] : [ar, ac]
  const N = attrs.transposeB ? br : bc
  if (attrs.transposeB && !attrs.transposeA && M * (K + N) < N * K) {
    return swappedProduct(backend, a, b, M, N, K)
  }
  let bPlain = b
  if (attrs.transposeB) {
    bPlain = backend.makeOutput([1, bc, br], 'float32')
    transpose2d(
      backend.typedArrayFromHeap(b) as Float32Array,
      br,
      bc,
      backend.typedArrayFromHeap(bPlain) as Float32Array,
    )
  }
  const out = gemmProduct(backend, a, bPlain, { M, N, K, transposeA: attrs.transposeA })
  if (bPlain !== b) backend.disposeData(bPlain.dataId)
  out.shape = productShape(a, b, M, N)
  return out
}

/**
 * Batch-1 products run on the fused multiply-add kernel where the runtime has it. Otherwise: the
 * wasm BatchMatMul is XNNPACK-fast only for an untransposed product; with either transpose flag
 * (every dense-layer gradient) it falls back to a naive loop, so this wrapper transposes the operand
 * in JS (cheap next to the product) and hands the stock kernel the fast case.
 */
export function wrapBatchMatMul(stockConfig: KernelConfig): KernelConfig {
  const stock = stockConfig.kernelFunc
  const kernelFunc = (args: {
    inputs: { a: TensorInfo; b: TensorInfo }
    backend: BackendWasm
    attrs: { transposeA: boolean; transposeB: boolean }
  }): TensorInfo => {
    const { inputs, backend, attrs } = args
    const batchOf = (t: TensorInfo) => t.shape.slice(0, -2).reduce((x, y) => x * y, 1)
    if (batchOf(inputs.a) !== 1 || batchOf(inputs.b) !== 1) {
      return stock(args as never) as TensorInfo
    }
    const [ar, ac] = rowsCols(inputs.a)
    if ((attrs.transposeA ? ar : ac) === 0) {
      // An empty sum: the stock kernel leaves such a product's memory as it found it.
      const [br, bc] = rowsCols(inputs.b)
      const [m, n] = [attrs.transposeA ? ac : ar, attrs.transposeB ? br : bc]
      const zeros = backend.makeOutput(productShape(inputs.a, inputs.b, m, n), 'float32')
      ;(backend.typedArrayFromHeap(zeros) as Float32Array).fill(0)
      return zeros
    }
    const floats = inputs.a.dtype === 'float32' && inputs.b.dtype === 'float32'
    if (floats && gemmActive(backend)) return gemmMatMul(backend, inputs.a, inputs.b, attrs)
    if (!attrs.transposeA && !attrs.transposeB) return stock(args as never) as TensorInfo
    const scratch: TensorInfo[] = []
    const flip = (t: TensorInfo): TensorInfo => {
      const rows = t.shape[t.shape.length - 2] as number
      const cols = t.shape[t.shape.length - 1] as number
      const out = backend.makeOutput([1, cols, rows], 'float32')
      transpose2d(
        backend.typedArrayFromHeap(t) as Float32Array,
        rows,
        cols,
        backend.typedArrayFromHeap(out) as Float32Array,
      )
      scratch.push(out)
      return out
    }
    const a = attrs.transposeA ? flip(inputs.a) : inputs.a
    const b = attrs.transposeB ? flip(inputs.b) : inputs.b
    const plain = { transposeA: false, transposeB: false } as unknown as NamedAttrMap
    const out = stock({ inputs: { a, b }, backend, attrs: plain }) as TensorInfo
    for (const t of scratch) backend.disposeData(t.dataId)
    const [m, n] = rowsCols(out)
    out.shape = productShape(inputs.a, inputs.b, m, n)
    return out
  }
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: stockConfig.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  }
}
