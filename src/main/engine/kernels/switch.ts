/**
 * FACE_STUDIO_FUSED=0 turns the engine's faster paths off (composite tf ops, the earlier convolution
 * gradient layout, no filter cache), so a benchmark can measure both in one period on a shared machine.
 */
export function fusedEnabled(): boolean {
  return typeof process === 'undefined' || process.env.FACE_STUDIO_FUSED !== '0'
}

/**
 * FACE_STUDIO_SIMD=0 runs the wasm backend's engine kernels as the JS loops instead of the wasm SIMD
 * modules (read on every call, so a benchmark or test can switch within one process).
 */
export function simdEnabled(): boolean {
  return typeof process === 'undefined' || process.env.FACE_STUDIO_SIMD !== '0'
}

/**
 * FACE_STUDIO_FMA=0 leaves forward convolutions and matrix products (so also the convolution
 * gradients built on them) to XNNPACK's kernels instead of the fused multiply-add ones (read on
 * every call, like the other switches).
 */
export function fmaEnabled(): boolean {
  return typeof process === 'undefined' || process.env.FACE_STUDIO_FMA !== '0'
}
