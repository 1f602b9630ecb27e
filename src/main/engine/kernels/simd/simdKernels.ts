import type { TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { simdEnabled } from '../switch'
import { compileKernel, wasm, type WasmMemory } from './kernelModules'
import { SIMD_MODULES, type SimdModuleName } from './moduleFiles'

/**
 * The wasm SIMD kernels, instantiated on the tfjs wasm backend's own WebAssembly.Memory: they read
 * and write tensors in place through heap byte offsets, with no copies. Importing the very Memory
 * object (not a copy of its buffer) keeps heap growth visible to both modules. Each backend
 * instance (one per thread) gets its own instances; a backend whose memory cannot be reached, or a
 * runtime without wasm SIMD, gets none, and callers run the JS loops instead.
 */

/** Pointers are heap byte offsets; counts are floats. */
export interface ActivationExports {
  leaky(x: number, out: number, n: number, alpha: number): void
  leakyMask(x: number, mask: number, out: number, n: number, alpha: number): void
  leakyGrad(x: number, dy: number, out: number, n: number, alpha: number): void
  leakyMaskGrad(x: number, mask: number, dy: number, out: number, n: number, alpha: number): void
  affineLeaky(x: number, out: number, rows: number, c: number, coef: number, alpha: number): void
  /** affineLeaky for a channel count that is not a multiple of 4. */
  affineLeakyAny(x: number, out: number, rows: number, c: number, coef: number, alpha: number): void
}

export interface BatchNormExports {
  bnMoments(x: number, rows: number, c: number, acc: number, out: number): void
  bnNormalize(x: number, out: number, rows: number, c: number, coef: number): void
  bnGradSums(
    x: number,
    dy: number,
    rows: number,
    c: number,
    coef: number,
    acc: number,
    out: number,
  ): void
  bnGradInput(x: number, dy: number, out: number, rows: number, c: number, coef: number): void
}

/** src, dst, then ConvGeometry without outC: batch, inH, inW, inC, outH, outW, kH, kW, strides, pads. */
type Im2colFunc = (src: number, dst: number, ...geometry: number[]) => void

export interface Im2colExports {
  im2colT: Im2colFunc
  col2im: Im2colFunc
}

export interface ConvExports {
  /**
   * x, filter, bias (0: none), out, then batch, inH, inW, inC, outH, outW, outC, kH, kW, strides,
   * pads (top, left), leaky (1: LeakyReLU after the bias, 0: none), α.
   */
  convDirect(x: number, w: number, bias: number, out: number, ...rest: number[]): void
}

export interface GemmExports {
  /** x, xp, batch, inH, inW, C, Hp, Wp, padT, padL: xp ← x inside a zero border. */
  pad(x: number, xp: number, ...geometry: number[]): void
  /**
   * xp (padded), filter, bias (0: none), out, then batch, Hp, Wp, C, outH, outW, outC, kH, kW,
   * strides, leaky (1: LeakyReLU after the bias, 0: none), α. outC a multiple of 16.
   */
  conv(xp: number, w: number, bias: number, out: number, ...rest: number[]): void
  /**
   * C [M, N] = A [M, K] · B [K, N] (+ C when accumulate is 1); A's element (i, k) at float offset
   * i·rsA + k·csA, B and C row-major with leading dimensions ldb, ldc (floats). K ≥ 1. scratch:
   * GEMM_SCRATCH_BYTES of heap when N is not a multiple of 16 (else unused).
   */
  gemm(
    a: number,
    b: number,
    c: number,
    M: number,
    N: number,
    K: number,
    rsA: number,
    csA: number,
    ldb: number,
    ldc: number,
    accumulate: number,
    scratch: number,
  ): void
}

/** The gemm kernel's scratch: a 256 × 16 panel and two 16-float rows. */
export const GEMM_SCRATCH_BYTES = 256 * 64 + 128

export interface SimdKernels {
  activation: ActivationExports
  batchNorm: BatchNormExports
  conv: ConvExports
  im2col: Im2colExports
  /**
   * The fused multiply-add convolution and matrix product, or null where the runtime lacks relaxed
   * SIMD (the other kernels need only SIMD).
   */
  gemm: GemmExports | null
  /** A tensor's heap byte offset. */
  ptr(t: TensorInfo): number
}

const instances = new WeakMap<BackendWasm, SimdKernels | null>()
let lastFailure: string | undefined

/** The backend's heap Memory: the object whose buffer its HEAPU8 views, or none. */
export function backendMemory(backend: BackendWasm): WasmMemory | undefined {
  const module = (backend as unknown as { wasm?: Record<string, unknown> }).wasm
  if (!module) return undefined
  const asm = module.asm as Record<string, unknown> | undefined
  const heap = module.HEAPU8 as Uint8Array | undefined
  for (const candidate of [asm?.memory, module.wasmMemory, module.memory]) {
    if (candidate instanceof wasm.Memory && candidate.buffer === heap?.buffer) {
      return candidate
    }
  }
  return undefined
}

let gemmFailure: string | undefined

function optional<T>(load: () => T): T | null {
  try {
    return load()
  } catch (e) {
    gemmFailure = `fused multiply-add kernels unavailable (relaxed SIMD): ${
      e instanceof Error ? e.message : String(e)
    }`
    return null
  }
}

function instantiate(backend: BackendWasm): SimdKernels {
  const memory = backendMemory(backend)
  if (!memory) throw new Error("cannot reach the wasm backend's WebAssembly.Memory")
  const imports = { env: { memory } }
  const exportsOf = (name: SimdModuleName) =>
    new wasm.Instance(compileKernel(name), imports).exports as unknown
  return {
    activation: exportsOf('activation') as ActivationExports,
    batchNorm: exportsOf('batchNorm') as BatchNormExports,
    conv: exportsOf('conv') as ConvExports,
    im2col: exportsOf('im2col') as Im2colExports,
    gemm: optional(() => exportsOf('gemm') as GemmExports),
    ptr: (t) => backend.typedArrayFromHeap(t).byteOffset,
  }
}

/**
 * The SIMD kernels for this backend, or null where they are off (FACE_STUDIO_SIMD=0) or cannot run
 * here (see simdFailure).
 */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (!simdEnabled()) return null
  let kernels = instances.get(backend)
  if (kernels === undefined) {
    try {
      kernels = instantiate(backend)
    } catch (e) {
      lastFailure = `wasm SIMD kernels unavailable (${SIMD_MODULES.join(', ')}): ${
        e instanceof Error ? e.message : String(e)
      }`
      kernels = null
    }
    instances.set(backend, kernels)
  }
  return kernels
}

/** Why the last backend got no SIMD kernels (or no fused multiply-add ones), if one did not. */
export function simdFailure(): string | undefined {
  return lastFailure ?? gemmFailure
}
