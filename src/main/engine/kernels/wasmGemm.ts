import type { TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { GEMM_SCRATCH_BYTES, simdKernels } from './simd/simdKernels'
import { fmaEnabled } from './switch'

/** Whether matrix products on this backend run as the fused multiply-add kernel. */
export function gemmActive(backend: BackendWasm): boolean {
  return fmaEnabled() && simdKernels(backend)?.gemm != null
}

/**
 * A [M, K] (or Aᵀ, A stored [K, M], when transposeA) times B [K, N] into a new [1, M, N] tensor, on
 * the fused multiply-add kernel. The caller checks gemmActive first; K must be at least 1.
 */
export function gemmProduct(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  dims: { M: number; N: number; K: number; transposeA: boolean },
): TensorInfo {
  const k = simdKernels(backend)
  if (!k?.gemm) throw new Error('engine: the fused multiply-add kernels are not loaded')
  const { M, N, K, transposeA } = dims
  const out = backend.makeOutput([1, M, N], 'float32')
  const scratch = N % 16 === 0 ? null : backend.makeOutput([GEMM_SCRATCH_BYTES / 4], 'float32')
  // Pointers after the allocations, which may grow the heap.
  const [rsA, csA] = transposeA ? [1, M] : [K, 1]
  const at = scratch ? k.ptr(scratch) : 0
  k.gemm.gemm(k.ptr(a), k.ptr(b), k.ptr(out), M, N, K, rsA, csA, N, N, 0, at)
  if (scratch) backend.disposeData(scratch.dataId)
  return out
}
