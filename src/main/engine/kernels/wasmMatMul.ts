import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { transpose2d } from './im2col'

/**
 * The wasm BatchMatMul is XNNPACK-fast only for an untransposed batch-1 product; with either transpose
 * flag (every dense-layer gradient) it falls back to a naive loop. This wrapper transposes the
 * operand in JS (cheap next to the product) and hands the stock kernel the fast case.
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
    if (
      (!attrs.transposeA && !attrs.transposeB) ||
      batchOf(inputs.a) !== 1 ||
      batchOf(inputs.b) !== 1
    ) {
      return stock(args as never) as TensorInfo
    }
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
    const lead = inputs.a.shape.length > 2 ? [1] : []
    out.shape = [
      ...lead,
      out.shape[out.shape.length - 2] as number,
      out.shape[out.shape.length - 1] as number,
    ]
    return out
  }
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: stockConfig.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  }
}
